//! Editorial notes as editors meet them: the exact messages when a note
//! cannot be anchored or is malformed, all reported at once.

mod support;

use std::fs;
use std::path::Path;

use support::{diagnostics, edition_of_texts, scholia};

/// The exit code and diagnostics of `scholia check`, without its summary line.
fn check(dir: &Path) -> (Option<i32>, String) {
    let out = scholia(["check"]).current_dir(dir).output().unwrap();
    (out.status.code(), diagnostics(&out).0)
}

const TEXT: &str = "\nThe comradely coherence of the antifascist workers became stronger.\n\nBoth the front and the front.\n";

fn with_notes(notes: &str) -> String {
    format!("---\ntitle: A\nnotes:\n{notes}---\n{TEXT}")
}

#[test]
fn a_quote_that_is_not_in_the_text_names_the_closest_passage() {
    let dir = edition_of_texts(&[(
        "a.md",
        &with_notes("  - id: coherence\n    anchor:\n      exact: \"comradly coherence\"\n    type: context\n    body: B\n"),
    )]);
    assert_eq!(
        check(dir.path()),
        (
            Some(1),
            "error: note `coherence`: its quote does not occur in the text
  --> content/a.md:6:7
   |
 6 |       exact: \"comradly coherence\"
   |       ^
   = help: the closest passage is in paragraph 1: “comradely coherence”

"
            .to_string()
        )
    );
}

#[test]
fn an_ambiguous_quote_lists_its_paragraphs_and_asks_for_context() {
    let dir = edition_of_texts(&[(
        "a.md",
        &with_notes(
            "  - id: front\n    anchor: { exact: \"the front\" }\n    type: dispute\n    body: B\n",
        ),
    )]);
    let (code, printed) = check(dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(
        printed,
        "error: note `front`: its quote occurs 2 times, in paragraph 2
  --> content/a.md:5:5
   |
 5 |     anchor: { exact: \"the front\" }
   |     ^
   = help: add `prefix:` or `suffix:` to the anchor with the words just before or after the passage you mean

"
    );
}

#[test]
fn every_broken_note_of_the_edition_is_reported_at_once() {
    let dir = edition_of_texts(&[
        (
            "a.md",
            &with_notes("  - id: one\n    anchor: { paragraph: 9 }\n    type: context\n    body: B\n"),
        ),
        ("b.md", &with_notes("  - id: two\n    anchor: { exact: \"workers\" }\n    type: context\n    body: B\n")),
        ("d.md", &with_notes("  - id: two\n    anchor: { exact: \"stronger\" }\n    type: context\n    body: B\n")),
        ("c.md", &with_notes("  - id: three\n    anchor: { exact: \"workers\" }\n    type: opinion\n    body: B\n")),
    ]);
    let (code, printed) = check(dir.path());
    assert_eq!(code, Some(1));
    let messages: Vec<&str> = printed
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(
        messages,
        [
            "error: note `one`: the text has no such paragraph",
            "error: invalid front-matter: notes[0].type: unknown variant `opinion`, expected one of `context`, `dispute`, `correction`, `source-check`, `translation`",
            "error: the note id `two` is already used in content/b.md",
        ]
    );
    // The repeated id is shown where it is written.
    assert!(
        printed.contains("  --> content/d.md:4:3\n   |\n 4 |   - id: two\n   |   ^\n"),
        "{printed}"
    );
}

#[test]
fn notes_are_marked_in_the_text_and_listed_in_the_notes_index() {
    let dir = edition_of_texts(&[(
        "a.md",
        &with_notes("  - id: coherence\n    anchor: { exact: \"antifascist workers\" }\n    type: context\n    body: \"Who they were.\"\n"),
    )]);
    let out = scholia(["build"]).current_dir(dir.path()).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = fs::read_to_string(dir.path().join("book/a/index.html")).unwrap();
    assert!(page.contains("<mark class=\"noted\">antifascist workers</mark><sup class=\"note-ref\"><a id=\"noteref-coherence\" href=\"#note-coherence\">"));
    assert!(page.contains("<aside class=\"note note-context\" id=\"note-coherence\""));
    let index = fs::read_to_string(dir.path().join("book/notes/index.html")).unwrap();
    assert!(index.contains("<a href=\"../a/index.html#note-coherence\"><span class=\"note-label\">a</span> on “antifascist workers”</a>"));
}

#[test]
fn note_add_writes_the_note_and_changes_no_other_byte() {
    let original = "---\n# keep this comment\ntitle: 'A: title'\ntags: [x]\n---\n\nThe comradely coherence of the antifascist workers.\n";
    let dir = edition_of_texts(&[("a.md", original)]);
    let out = scholia([
        "note",
        "add",
        "a",
        "--quote",
        "antifascist workers",
        "--type",
        "context",
        "--body",
        "Who *they* were.",
        "--source",
        "A book",
        "--editor",
        "E. Ditor",
        "--id",
        "workers",
    ])
    .current_dir(dir.path())
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Added note `workers` to content/a.md\n"
    );
    let updated = fs::read_to_string(dir.path().join("content/a.md")).unwrap();
    let end_of_yaml = original.find("---\n\n").unwrap();
    assert_eq!(
        &updated[..end_of_yaml],
        &original[..end_of_yaml],
        "everything before the new note is unchanged"
    );
    assert!(
        updated.ends_with(&original[end_of_yaml..]),
        "everything after it too"
    );
    let inserted = &updated[end_of_yaml..updated.len() - (original.len() - end_of_yaml)];
    assert!(inserted.starts_with("notes:\n  - id: workers\n    anchor:\n      exact: antifascist workers\n    type: context\n    body: Who *they* were.\n    sources:\n    - A book\n    editor: E. Ditor\n    date: 20"), "{inserted}");

    let list = scholia(["note", "list"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&list.stdout),
        "content/a.md:8  workers  [a] context  paragraph 1  “antifascist workers”\n1 notes anchored\n"
    );
    let built = scholia(["build"]).current_dir(dir.path()).output().unwrap();
    assert!(built.status.success());
}

#[test]
fn note_add_refuses_a_bad_anchor_and_leaves_the_file_alone() {
    let original = with_notes("  - id: front\n    anchor: { exact: \"the front\", prefix: \"and\" }\n    type: dispute\n    body: B\n");
    let dir = edition_of_texts(&[("a.md", &original)]);
    let out = scholia([
        "note",
        "add",
        "content/a.md",
        "--quote",
        "comradly coherence",
        "--type",
        "context",
        "--body",
        "x",
    ])
    .current_dir(dir.path())
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: note `comradly-coherence`: its quote does not occur in the text
  --> content/a.md
   = help: the closest passage is in paragraph 1: “comradely coherence”

No note was added; content/a.md is unchanged.
"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("content/a.md")).unwrap(),
        original
    );
    let bad_type = scholia([
        "note", "add", "a", "--quote", "x", "--type", "opinion", "--body", "x",
    ])
    .current_dir(dir.path())
    .output()
    .unwrap();
    assert_eq!(bad_type.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_type.stderr)
        .contains("expected one of context, dispute, correction, source-check, translation"));
}

/// The bundled edition keeps its promise to readers: at least one editorial
/// note per 600 words of every text.
#[test]
fn bundled_edition_has_a_note_per_600_words_of_every_text() {
    let config = scholia::config::Config::load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut sink = scholia::diagnostic::Diagnostics::new();
    let (edition, _) = scholia::build::read_edition(&config, &mut sink);
    assert!(!sink.has_errors(), "{:?}", sink.into_sorted());
    assert_eq!(edition.texts.len(), 13);
    for text in &edition.texts {
        assert!(
            text.notes.len() * 600 >= text.word_count,
            "{}: {} notes for {} words",
            text.id,
            text.notes.len(),
            text.word_count
        );
    }
}
