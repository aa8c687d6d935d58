//! What users see on the command line: the exact text of each error, and the exit codes.

mod support;

use std::fs;
use std::path::Path;
use std::process::Output;

use support::{diagnostics, edition, scholia};

const BOOK: &str = "[edition]\ntitle = \"T\"\n";

fn run_in(dir: &Path, args: &[&str]) -> Output {
    scholia(args).current_dir(dir).output().unwrap()
}

#[track_caller]
fn assert_fails_with(files: &[(&str, &[u8])], expected: &str, summary_start: &str) {
    let dir = edition(BOOK, files);
    for command in ["build", "check"] {
        let out = run_in(dir.path(), &[command]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (printed, summary) = diagnostics(&out);
        assert_eq!(printed, expected, "{command}");
        assert!(summary.starts_with(summary_start), "{command}: {summary}");
    }
    assert!(
        !dir.path().join("book").exists(),
        "a failed build writes no output"
    );
}

#[test]
fn malformed_yaml() {
    assert_fails_with(
        &[(
            "a.md",
            b"---\ntitle: A\n summary: indented too far\n---\nText.\n",
        )],
        "error: invalid front-matter: mapping values are not allowed in this context
  --> content/a.md:3:9
   |
 3 |  summary: indented too far
   |         ^
   = help: check the YAML syntax here: indentation, a `:` after each key, closing quotes

",
        "Failed: 1 error in 1 file",
    );
}

#[test]
fn missing_title() {
    assert_fails_with(
        &[("a.md", b"---\nauthor: Somebody\n---\nText.\n")],
        "error: this text has no title
  --> content/a.md:1:1
   |
 1 | ---
   | ^^^
   = help: add `title: \"...\"` to the front-matter

",
        "Failed: 1 error in 1 file",
    );
}

#[test]
fn wrong_type_and_unknown_key_are_reported_with_the_closest_key() {
    assert_fails_with(
        &[
            ("a.md", b"---\ntitle: A\ntags: 3\n---\nText.\n"),
            ("b.md", b"---\ntitle: B\nauthr: Somebody\n---\nText.\n"),
        ],
        "error: invalid front-matter: tags: invalid type: integer `3`, expected a sequence
  --> content/a.md:3:7
   |
 3 | tags: 3
   |       ^
   = help: check the value's type: text in quotes, lists in [brackets], numbers bare

error: unknown front-matter key `authr`
  --> content/b.md:3:1
   |
 3 | authr: Somebody
   | ^^^^^
   = help: did you mean `author`?

",
        "Failed: 2 errors in 2 files",
    );
}

#[test]
fn non_utf8_file() {
    assert_fails_with(
        &[("a.md", b"---\ntitle: A\n---\nCaf\xe9 society.\n")],
        "error: this file is not valid UTF-8
  --> content/a.md:4:4
   |
 4 | Caf\u{fffd} society.
   |    ^
   = help: save it as UTF-8 (for example `iconv -f latin1 -t utf-8`)

",
        "Failed: 1 error in 1 file",
    );
}

#[test]
fn unterminated_front_matter() {
    assert_fails_with(
        &[("a.md", b"---\ntitle: A\n\nText without end of block.\n")],
        "error: the front-matter block is never closed
  --> content/a.md:1:1
   |
 1 | ---
   | ^^^
   = help: add a line `---` after the last front-matter key

",
        "Failed: 1 error in 1 file",
    );
}

#[test]
fn a_slug_the_site_uses_for_its_own_folders_is_refused() {
    assert_fails_with(
        &[("search-index.md", b"---\ntitle: A\n---\nA.\n")],
        "error: the slug `search-index` is reserved for the site's own pages
  --> content/search-index.md
   = help: rename the file or set another `slug:`; reserved: static, notes, entities, search, compare, search-index

",
        "Failed: 1 error in 1 file",
    );
}

#[test]
fn duplicate_slug_names_both_files() {
    assert_fails_with(
        &[
            ("one/same.md", b"---\ntitle: A\n---\nA.\n"),
            ("two/same.md", b"---\ntitle: B\n---\nB.\n"),
        ],
        "error: the slug `same` is already used by content/one/same.md
  --> content/two/same.md
   = help: each text needs its own slug: rename one of the files or set `slug:` in its front-matter

",
        "Failed: 1 error in 1 file",
    );
}

#[test]
fn every_error_of_a_build_is_reported_at_once_sorted_by_file() {
    let dir = edition(
        BOOK,
        &[
            ("c.md", b"---\ntitle: C\ndate: someday\n---\n"),
            ("a.md", b"no front-matter\n"),
            ("b.md", b"---\ntitle: B\n---\nfine\n"),
        ],
    );
    let out = run_in(dir.path(), &["build"]);
    let (printed, summary) = diagnostics(&out);
    let locations: Vec<&str> = printed
        .lines()
        .filter(|l| l.starts_with("  --> "))
        .collect();
    assert_eq!(
        locations,
        ["  --> content/a.md:1:1", "  --> content/c.md:3:1"]
    );
    assert!(
        summary.starts_with("Failed: 2 errors in 2 files"),
        "{summary}"
    );
}

#[test]
fn unknown_config_key_is_a_configuration_error() {
    let dir = edition(
        "[edition]\ntitle = \"T\"\n\n[build]\nouptut = \"site\"\n",
        &[],
    );
    let out = run_in(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(2));
    let (printed, _) = diagnostics(&out);
    assert_eq!(
        printed,
        "error: unknown key `ouptut` in book.toml
  --> book.toml:5:1
   |
 5 | ouptut = \"site\"
   | ^^^^^^
   = help: did you mean `output`?

"
    );
}

#[test]
fn missing_book_toml_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let (printed, _) = diagnostics(&out);
    assert!(
        printed.starts_with("error: cannot read book.toml: No such file or directory"),
        "{printed}"
    );
    assert!(printed.contains("help: run the command in an edition folder, pass its path, or create one with `scholia init`"));
}

#[test]
fn exit_codes() {
    let good = edition(BOOK, &[("a.md", b"---\ntitle: A\n---\nText.\n")]);
    assert_eq!(run_in(good.path(), &["check"]).status.code(), Some(0));
    let built = run_in(good.path(), &["build"]);
    assert_eq!(built.status.code(), Some(0));
    let stdout = String::from_utf8(built.stdout).unwrap();
    assert!(
        stdout.starts_with("Built 1 text (7 pages) into book in "),
        "{stdout}"
    );
    assert_eq!(
        run_in(good.path(), &["build", "--no-such-flag"])
            .status
            .code(),
        Some(2)
    );
    let bad = edition(BOOK, &[("a.md", b"---\n---\n")]);
    assert_eq!(run_in(bad.path(), &["check"]).status.code(), Some(1));
}

#[test]
fn check_writes_nothing() {
    let dir = edition(BOOK, &[("a.md", b"---\ntitle: A\n---\nText.\n")]);
    let out = run_in(dir.path(), &["check"]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("Checked 1 text (7 pages): no errors, in "),
        "{stdout}"
    );
    let entries: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(entries.len(), 2, "only book.toml and content/: {entries:?}");
}

#[test]
fn template_errors_name_the_template_and_the_page() {
    let dir = edition(
        "[edition]\ntitle = \"T\"\n[build]\ntheme = \"mine\"\n",
        &[("a.md", b"---\ntitle: A\n---\nText.\n")],
    );
    let templates = dir.path().join("themes/mine/templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(templates.join("index.html"), "ok").unwrap();
    fs::write(templates.join("404.html"), "ok").unwrap();
    fs::write(templates.join("text.html"), "{{ text.no_such_field }}").unwrap();
    let out = run_in(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let (printed, _) = diagnostics(&out);
    assert!(
        printed.starts_with("error: rendering a/index.html failed: "),
        "{printed}"
    );
    assert!(
        printed.contains("  --> themes/mine/templates/text.html\n"),
        "{printed}"
    );
    assert!(printed.contains("no_such_field"), "{printed}");
}

#[test]
fn every_command_explains_itself_with_an_example() {
    for command in ["build", "check", "init", "import", "note add", "note list"] {
        let out = scholia(command.split(' ').chain(["--help"]))
            .output()
            .unwrap();
        assert!(out.status.success(), "{command} --help");
        let help = String::from_utf8(out.stdout).unwrap();
        assert!(
            help.contains("Example: `scholia "),
            "{command} --help has no example:\n{help}"
        );
    }
}

#[test]
fn init_creates_an_edition_that_builds_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new");
    let out = scholia(["init".as_ref(), target.as_os_str()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let built = run_in(&target, &["build"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    assert!(target.join("book/first-text/index.html").is_file());

    fs::write(target.join("book.toml"), "edited").unwrap();
    let again = scholia(["init".as_ref(), target.as_os_str()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        fs::read_to_string(target.join("book.toml")).unwrap(),
        "edited"
    );
}

/// A content file where the site writes one of its own pages (a text's, the
/// comparison page's) is an error naming the file, not a silent overwrite.
#[test]
fn a_content_file_may_not_overwrite_a_page_of_the_site() {
    let dir = edition(
        BOOK,
        &[
            ("a.md", b"---\ntitle: A\n---\nText.\n"),
            ("compare/index.html", b"<p>mine</p>"),
            ("a/index.html", b"<p>mine too</p>"),
        ],
    );
    let out = run_in(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let (printed, _) = diagnostics(&out);
    for file in ["content/a/index.html", "content/compare/index.html"] {
        assert!(
            printed.contains(&format!(
                "error: this file would overwrite a page of the site\n  --> {file}\n"
            )),
            "{printed}"
        );
    }
    assert!(printed.contains("help: rename or move it"), "{printed}");
}
