//! Re-import over an edited edition: editorial front-matter (and keys this
//! version does not know) survive byte for byte, wherever the editor moved
//! the file; anchors of unchanged paragraphs stay; a second run changes
//! nothing; a broken earlier import stops the import with file:line.

use std::path::Path;

use scholia::import::{run, Options};

const SOURCE: &str = "Reimport Title\n\nFirst paragraph.\n\nSecond paragraph.\n\nA Heading\n\nThird paragraph.\n\nFourth paragraph.\n";

fn import(src: &Path, into: &Path) -> scholia::import::Report {
    let report = run(&Options {
        files: vec![src.to_path_buf()],
        into: into.to_path_buf(),
        dry_run: false,
    });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
}

fn no_temp_files(dir: &Path) {
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        assert!(
            !e.file_name().to_string_lossy().ends_with(".tmp"),
            "left behind: {}",
            e.path().display()
        );
    }
}

const EDITORIAL: &str = "title: \"An Edited Title\"   # chosen by the editors\nauthor: \"unknown\"\nsummary: >\n  A summary written\n  by hand.\nnotes:\n  - quote: \"Second paragraph.\"\n    body: \"An editorial note.\"\nrelated: [other-text]\n";

#[test]
fn editorial_front_matter_survives_and_anchors_stay() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("reimport.txt");
    let into = dir.path().join("content");
    std::fs::write(&src, SOURCE).unwrap();
    import(&src, &into);
    let first = std::fs::read_to_string(into.join("reimport-title.md")).unwrap();

    // An editor rewrites the editorial part and moves the file into a section.
    let parts = scholia::import::front_matter::split_file(&first).unwrap();
    let owned_start = parts.yaml.find("provenance:").unwrap();
    let edited = format!(
        "---\n{EDITORIAL}{}---\n\n{}",
        &parts.yaml[owned_start..],
        parts.body
    );
    std::fs::create_dir_all(into.join("section")).unwrap();
    std::fs::remove_file(into.join("reimport-title.md")).unwrap();
    let moved = into.join("section/renamed.md");
    std::fs::write(&moved, &edited).unwrap();

    // Same source again: nothing changes, no new file appears.
    let report = import(&src, &into);
    assert!(
        report.out.contains("section/renamed.md (unchanged)"),
        "{}",
        report.out
    );
    assert_eq!(std::fs::read_to_string(&moved).unwrap(), edited);
    assert!(!into.join("reimport-title.md").exists());

    // The source changes: a paragraph added before the others, one changed, one removed.
    let changed = SOURCE
        .replace("First paragraph.", "A new opening.\n\nFirst paragraph.")
        .replace("Third paragraph.", "Third paragraph, corrected.")
        .replace("\n\nFourth paragraph.", "");
    std::fs::write(&src, &changed).unwrap();
    let report = import(&src, &into);
    assert!(
        report.out.contains("section/renamed.md (updated; paragraphs new or changed: p-5, p-6; gone or changed: p-3, p-4)"),
        "{}",
        report.out
    );
    let after = std::fs::read_to_string(&moved).unwrap();
    assert!(
        after.starts_with(&format!("---\n{EDITORIAL}provenance:\n")),
        "{after}"
    );
    assert!(after.contains("  lines: \"1-11\"\n"), "{after}");
    // Old blocks 1 and 2 keep their anchors; the new opening and the corrected paragraph get 5 and 6.
    assert!(
        after.contains("\nparagraphs: [5, 1, 2, 6]\n---\n"),
        "{after}"
    );
    assert!(after.ends_with("---\n\nA new opening.\n\nFirst paragraph.\n\nSecond paragraph.\n\n## A Heading\n\nThird paragraph, corrected.\n"));

    // And once more: idempotent.
    let report = import(&src, &into);
    assert!(report.out.contains("(unchanged)"), "{}", report.out);
    assert_eq!(std::fs::read_to_string(&moved).unwrap(), after);
    no_temp_files(&into);
}

#[test]
fn a_broken_earlier_import_stops_the_import_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("reimport.txt");
    let into = dir.path().join("content");
    std::fs::write(&src, SOURCE).unwrap();
    import(&src, &into);
    let path = into.join("reimport-title.md");
    let broken = std::fs::read_to_string(&path)
        .unwrap()
        .replace("author: \"unknown\"", "author: [unclosed");
    std::fs::write(&path, &broken).unwrap();
    std::fs::write(&src, SOURCE.replace("First", "Changed first")).unwrap();
    let report = run(&Options {
        files: vec![src.clone()],
        into: into.clone(),
        dry_run: false,
    });
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(
        report.errors[0],
        format!(
            "{}:4: cannot read the front-matter of this earlier import (did not find expected ',' or ']' \
             at line 3 column 11, while parsing a flow sequence at line 2 column 9); fix it, then import again",
            path.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        broken,
        "the broken file is left as it was"
    );
    assert_eq!(
        std::fs::read_to_string(into.join("sources/reimport.txt")).unwrap(),
        SOURCE,
        "a source that failed is not copied either"
    );
}

#[test]
fn dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("reimport.txt");
    std::fs::write(&src, SOURCE).unwrap();
    let into = dir.path().join("content");
    let report = run(&Options {
        files: vec![src],
        into: into.clone(),
        dry_run: true,
    });
    assert!(
        report.out.contains("reimport-title.md (new, 4 paragraphs)"),
        "{}",
        report.out
    );
    assert!(!into.exists());
}

#[test]
fn new_texts_never_overwrite_a_file_they_do_not_own() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("reimport.txt");
    let into = dir.path().join("content");
    std::fs::create_dir_all(into.join("elsewhere")).unwrap();
    let theirs = into.join("elsewhere/reimport-title.md");
    std::fs::write(&theirs, "---\ntitle: \"Someone else's\"\n---\n\nText.\n").unwrap();
    let report = import(&src_with(&src, SOURCE), &into);
    assert!(
        report.out.contains("reimport-title-2.md (new"),
        "{}",
        report.out
    );
    assert_eq!(
        std::fs::read_to_string(&theirs).unwrap(),
        "---\ntitle: \"Someone else's\"\n---\n\nText.\n"
    );
}

fn src_with(path: &Path, text: &str) -> std::path::PathBuf {
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

#[test]
fn a_different_file_under_the_same_source_name_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("reimport.txt");
    let into = dir.path().join("content");
    std::fs::create_dir_all(into.join("sources")).unwrap();
    let theirs = into.join("sources/reimport.txt");
    std::fs::write(&theirs, "Someone else's notes.\n").unwrap();
    std::fs::write(&src, SOURCE).unwrap();
    let report = run(&Options {
        files: vec![src.clone()],
        into: into.clone(),
        dry_run: false,
    });
    assert_eq!(
        report.errors,
        [format!(
            "{}: a different file of this name is already in the edition, and no text was imported from it; \
             rename {} or move that file away, then import again",
            theirs.display(),
            src.display()
        )]
    );
    assert_eq!(
        std::fs::read_to_string(&theirs).unwrap(),
        "Someone else's notes.\n"
    );
    assert!(!into.join("reimport-title.md").exists());
}
