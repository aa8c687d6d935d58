//! Faithful text: the words of every imported text, with Markdown removed,
//! equal the words of its source span, in order, typos included; every line
//! of every source lands in exactly one text (as title, subtitle, body or
//! listed residue). Checked for the four seeds and for generated inputs.
//!
//! Words are compared after one normalisation applied to both sides:
//! superscript digit runs become separate `^N` tokens (a footnote marker `¹`
//! in the source is a `[^1]` reference in Markdown), a bullet glyph `•` is
//! list syntax, an ordered list item's number counts as the word `N.`, and
//! the `[Image: …]` marks around a caption of an absent image are the
//! importer's convention, not words.

use std::path::{Path, PathBuf};

mod support;

use support::words::{normalise, rendered_words};

const SEEDS: &str = "/work/shared/seeds";

fn seeds() -> Vec<PathBuf> {
    let dir = std::env::var("SCHOLIA_SEEDS").unwrap_or_else(|_| SEEDS.to_string());
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect(),
        Err(_) => {
            // The bundled edition keeps copies of its sources.
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/sources");
            std::fs::read_dir(dir)
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect()
        }
    };
    files.sort();
    files
}

/// Compares word lists; on a difference, shows it in context.
fn assert_same_words(what: &str, source: &[String], output: &[String]) {
    let first = source
        .iter()
        .zip(output)
        .position(|(a, b)| a != b)
        .unwrap_or(source.len().min(output.len()));
    if first == source.len() && first == output.len() {
        return;
    }
    let context = |w: &[String]| {
        let from = first.saturating_sub(8);
        let to = (first + 8).min(w.len());
        w[from..to].join(" ")
    };
    panic!(
        "{what}: the words differ at word {first} (source has {}, output has {})\n  source: … {} …\n  output: … {} …",
        source.len(),
        output.len(),
        context(source),
        context(output)
    );
}

/// Imports `files` into a fresh content folder and checks every text.
fn check_edition(files: &[PathBuf]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("content");
    let report = scholia::import::run(&scholia::import::Options {
        files: files.to_vec(),
        into: into.clone(),
        dry_run: false,
    });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // Which lines of which source each text covers.
    let mut covered: std::collections::HashMap<String, Vec<usize>> = Default::default();
    let mut texts = 0;
    for entry in walkdir::WalkDir::new(&into).sort_by_file_name() {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        texts += 1;
        let content = std::fs::read_to_string(&path).unwrap();
        let parts = scholia::import::front_matter::split_file(&content).expect("front-matter");
        let fm: serde_yaml::Value = serde_yaml::from_str(parts.yaml).unwrap();
        let file = fm["provenance"]["file"].as_str().unwrap();
        let (a, b) =
            scholia::import::provenance::parse_range(fm["provenance"]["lines"].as_str().unwrap())
                .unwrap();
        let raw = std::fs::read(into.join(file)).unwrap();
        let source = scholia::import::decode::decode(file, raw).unwrap();
        let lines: Vec<&str> = source.lines.iter().map(|l| l.text.trim()).collect();
        let residue: Vec<String> = fm
            .get("residue")
            .map(|r| serde_yaml::from_value(r.clone()).unwrap())
            .unwrap_or_default();
        // Residue entries are source lines of this span, verbatim, in order.
        let mut source_words = Vec::new();
        let mut residue_left = residue.iter().peekable();
        for (i, line) in lines.iter().enumerate().take(b).skip(a - 1) {
            covered.entry(file.to_string()).or_default().push(i);
            if residue_left.peek().is_some_and(|r| r.as_str() == *line) {
                residue_left.next();
                continue;
            }
            normalise(line, &mut source_words);
        }
        assert!(
            residue_left.next().is_none(),
            "{}: residue not found in the source span in order",
            path.display()
        );
        let mut output_words = Vec::new();
        let title = fm["title"].as_str().unwrap();
        // A title is either the span's first line, verbatim, or made from its first words.
        let first_line = lines[a - 1..b]
            .iter()
            .find(|l| !l.is_empty() && !residue.iter().any(|r| r == *l));
        if first_line == Some(&title) {
            normalise(title, &mut output_words);
        } else {
            assert!(
                title.ends_with('…') || title == "Untitled",
                "{}: title {title:?} is neither the first line nor made from it",
                path.display()
            );
        }
        if let Some(sub) = fm.get("subtitle").and_then(|s| s.as_str()) {
            normalise(sub, &mut output_words);
        }
        output_words.extend(rendered_words(parts.body));
        assert_same_words(&path.display().to_string(), &source_words, &output_words);
    }
    // Every non-blank line of every source is in exactly one text.
    for f in files {
        let name = format!("sources/{}", f.file_name().unwrap().to_str().unwrap());
        let raw = std::fs::read(f).unwrap();
        let Ok(source) = scholia::import::decode::decode(&name, raw) else {
            continue;
        };
        let mut lines = covered.remove(&name).unwrap_or_default();
        lines.sort();
        let before = lines.len();
        lines.dedup();
        assert_eq!(before, lines.len(), "{name}: a line is in two texts");
        for (i, l) in source.lines.iter().enumerate() {
            if !l.text.trim().is_empty() {
                assert!(
                    lines.binary_search(&i).is_ok(),
                    "{name}:{}: the line is in no text: {}",
                    i + 1,
                    l.text
                );
            }
        }
    }
    texts
}

#[test]
fn every_seed_is_imported_word_for_word() {
    let files = seeds();
    assert_eq!(files.len(), 4, "expected the four seeds");
    assert_eq!(check_edition(&files), 13, "the seeds hold 13 texts");
}

/// A small deterministic generator of awkward plain text.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "the",
    "workers",
    "Party",
    "*emphasis*",
    "_under_",
    "#tag",
    "<b>",
    "a&b",
    "&amp;",
    "[12]",
    "[^3]",
    "text¹",
    "x²³",
    "•",
    "1.",
    "2)",
    "...",
    "--",
    "---",
    "'single'",
    "\"double\"",
    "`code`",
    "a|b",
    "~strike~",
    "~~gone~~",
    "$5",
    "^up",
    "back\\slash",
    "“curly”",
    "(paren",
    "paren)",
    "Public",
    "domain",
    "Share",
    "http://x.org/a_b*c",
    "<http://y.org>",
    "![img](x)",
    "[link](y)",
    "ÄÖÜ",
    "naïve",
    "—",
    "–",
    "…",
    "==",
    "+",
    "-",
    "*",
    ">",
    "{#id}",
    ":",
    "<!--",
    "-->",
];

fn generated(seed: u64, lines: usize) -> String {
    let mut g = Gen(seed);
    let mut out = String::new();
    for _ in 0..lines {
        let kind = g.next() % 12;
        let line = match kind {
            0 => format!(
                "{} {}",
                g.pick(&[
                    "Share",
                    "Front page of this issue",
                    "Public domain",
                    "Thanks to The Red Path!"
                ]),
                ""
            ),
            1 => format!(
                "{}: {} {}",
                g.pick(&["GOLDMAN", "Kayser", "Note"]),
                g.pick(WORDS),
                g.pick(WORDS)
            ),
            2 => format!("Year {} {}", g.next() % 3000, g.next() % 3000),
            3 => format!(
                "{} {}",
                g.pick(&[
                    "¹", "²", "¹⁶", "•", "1.", "2.", "#", ">", "-", "+", "=", "~", "(", "–"
                ]),
                g.pick(WORDS)
            ),
            4 => format!(
                "“{} {}” by Walter Ulbricht (Aug {} 1939)",
                g.pick(WORDS),
                g.pick(WORDS),
                1 + g.next() % 28
            ),
            5 => format!(
                "{} {} (Part {})",
                g.pick(&["Moscow", "Trials"]),
                g.pick(WORDS),
                g.next() % 9
            ),
            _ => {
                let n = 1 + g.next() % 14;
                (0..n).map(|_| g.pick(WORDS)).collect::<Vec<_>>().join(" ")
            }
        };
        out.push_str(line.trim_end());
        out.push_str(["\n", "\n\n", "\n\n\n", "\r\n"][(g.next() % 4) as usize]);
    }
    out
}

#[test]
fn generated_inputs_are_imported_word_for_word() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for seed in 1..=40u64 {
        let path = dir.path().join(format!("gen_{seed:02}.txt"));
        std::fs::write(
            &path,
            generated(seed * 7919, 20 + (seed as usize * 13) % 200),
        )
        .unwrap();
        files.push(path);
    }
    for f in &files {
        check_edition(std::slice::from_ref(f));
    }
}

#[test]
fn rendered_words_follow_the_conventions() {
    let md = "## A *b*\n\n*\\[Image: Gustav Klutsis, Public domain\\]*\n\n1. one\n\n2. two\n\n- x\n\nSee[^1] \\[12\\] x²\n\n[^1]: note\n";
    assert_eq!(
        rendered_words(md).join(" "),
        "A b Gustav Klutsis, Public domain 1. one 2. two x See ^1 [12] x ^2 ^1 note"
    );
}
