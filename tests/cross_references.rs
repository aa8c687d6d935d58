//! Cross-references as editors meet them: every broken link of the edition
//! reported at once, each with file:line:col and the closest valid target.

mod support;

use std::fs;

use support::{edition_of_texts, scholia};

const REGISTRY: &str = "- id: bukharin\n  type: person\n  name: Nikolai Bukharin\n  aliases: [Bukharin]\n  description: d\n";

#[test]
fn every_broken_link_is_reported_with_its_place_and_the_closest_target() {
    let dir = edition_of_texts(&[
        ("entities/people.yaml", REGISTRY),
        ("target.md", "---\ntitle: Target\n---\n\n## The Trials\n\nOne.\n\nTwo.\n"),
        (
            "source.md",
            "---\ntitle: Source\nrelated:\n  - text: targt\n    reason: r\nnotes:\n  - id: n\n    anchor: { exact: \"Fine\" }\n    type: context\n    body: \"See [x](@/nowhere).\"\n---\n\nFine [a](@/targe) and [b](@/target#the-trial),\n[c](@/target#p-9), [d](@entity/bukharn) and [e](@wiki/x).\n",
        ),
    ]);
    let out = scholia(["check"]).current_dir(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let found: Vec<(String, String, String)> = stderr
        .split("\n\n")
        .filter(|block| block.starts_with("error: "))
        .map(|block| {
            let line = |prefix: &str| {
                block
                    .lines()
                    .find_map(|l| l.trim_start().strip_prefix(prefix))
                    .unwrap_or("")
                    .to_string()
            };
            (line("error: "), line("--> "), line("= help: "))
        })
        .collect();
    let expected = [
        ("`related:` link to a text that does not exist: `@/targt`", "content/source.md:4:3", "did you mean `@/target`?"),
        ("note `n`: link to a text that does not exist: `@/nowhere`", "content/source.md:10:20", "link a text by its slug: the name of its file without `.md`"),
        ("link to a text that does not exist: `@/targe`", "content/source.md:13:6", "did you mean `@/target`?"),
        ("`target` has no heading, paragraph or note `#the-trial`", "content/source.md:13:23", "did you mean `#the-trials`?"),
        ("`target` has no heading, paragraph or note `#p-9`", "content/source.md:14:1", "its paragraphs run from `#p-1` to `#p-2`"),
        ("link to an entity that is not registered: `@entity/bukharn`", "content/source.md:14:20", "did you mean `@entity/bukharin`?"),
        ("`@wiki/x` is not a link scholia knows", "content/source.md:14:45", "write `@/SLUG`, `@/SLUG#p-N`, `@/SLUG#heading-id`, `@entity/ID`, or `@plain` for no link"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(found, expected, "{stderr}");
}

#[test]
fn registry_problems_name_the_registry_file_and_line() {
    let dir = edition_of_texts(&[
        ("entities/people.yaml", &format!("{REGISTRY}- id: bukharin2\n  type: person\n  name: N. B.\n  aliases: [Bukharin]\n  description: d\n")),
        ("entities/bad.yaml", "- id: x\n  type: persn\n  name: X\n  description: d\n"),
        ("a.md", "---\ntitle: A\n---\nBukharin.\n"),
    ]);
    let out = scholia(["check"]).current_dir(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("error: invalid registry entry: entry 1: type: unknown variant `persn`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  --> content/entities/bad.yaml:2:9\n"),
        "{stderr}"
    );
    assert!(stderr.contains("error: the alias “Bukharin” of `bukharin2` is also an alias of `bukharin`\n  --> content/entities/people.yaml:6:1\n"), "{stderr}");
}

#[test]
fn link_mode_every_links_each_mention_and_none_links_nothing() {
    for (mode, links) in [("every", 2), ("none", 0), ("first", 1)] {
        let dir = edition_of_texts(&[
            ("entities/people.yaml", REGISTRY),
            ("a.md", "---\ntitle: A\n---\nBukharin and Bukharin.\n"),
        ]);
        fs::write(
            dir.path().join("book.toml"),
            format!("[edition]\ntitle = \"T\"\n[entities]\nlink = \"{mode}\"\n"),
        )
        .unwrap();
        let out = scholia(["build"]).current_dir(dir.path()).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let page = fs::read_to_string(dir.path().join("book/a/index.html")).unwrap();
        assert_eq!(
            page.matches("class=\"entity\"").count(),
            links,
            "link = {mode}"
        );
        let entity =
            fs::read_to_string(dir.path().join("book/entities/bukharin/index.html")).unwrap();
        assert!(
            entity.contains("<p>2 mentions in 1 text.</p>"),
            "mentions are found whatever the link mode"
        );
    }
}

#[test]
fn an_entity_named_everywhere_shows_the_first_texts_in_context_and_lists_the_rest() {
    // 102 texts; each names Bukharin 52 times, in paragraphs of their own.
    let body: String = (1..=52)
        .map(|i| format!("Bukharin spoke, {i}.\n\n"))
        .collect();
    let texts: Vec<(String, String)> = (0..102)
        .map(|i| {
            (
                format!("t{i:03}.md"),
                format!("---\ntitle: Text {i:03}\n---\n{body}"),
            )
        })
        .collect();
    let mut files: Vec<(&str, &str)> = vec![("entities/people.yaml", REGISTRY)];
    files.extend(texts.iter().map(|(p, b)| (p.as_str(), b.as_str())));
    let dir = edition_of_texts(&files);
    let out = scholia(["build"]).current_dir(dir.path()).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = fs::read_to_string(dir.path().join("book/entities/bukharin/index.html")).unwrap();

    assert!(page.contains("<p>5304 mentions in 102 texts.</p>"));
    // The first 100 texts (in reading order) in context, 50 mentions each.
    assert_eq!(page.matches("<section class=\"mentions\"").count(), 100);
    assert_eq!(
        page.matches("<li><a class=\"kwic-place\"").count(),
        100 * 50
    );
    assert_eq!(
        page.matches("<p class=\"kwic-more\">and 2 more in this text.</p>")
            .count(),
        100
    );
    assert!(page.contains(
        "<li><a class=\"kwic-place\" href=\"../../t000/index.html#p-1\">¶ 1</a> <strong>Bukharin</strong> spoke, 1.</li>"
    ));
    let t099 = page.find("id=\"in-t099\"").expect("text 99 in context");
    let also = page
        .find("<h3 id=\"also-in\">Also named in 2 more texts</h3>")
        .expect("the rest listed");
    assert!(t099 < also);
    // The last two by title and count only.
    assert!(page.contains(
        "<li><a href=\"../../t100/index.html\">Text 100</a> <span class=\"count\">52</span></li>\n<li><a href=\"../../t101/index.html\">Text 101</a> <span class=\"count\">52</span></li>"
    ));
    assert!(!page.contains("id=\"in-t100\""));
}
