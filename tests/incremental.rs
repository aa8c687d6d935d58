//! The preview's incremental rebuild gives, file for file, the site a whole
//! build gives: for edits of a text's words, its paragraphs, its entity
//! mentions, its links, its title and its notes, in the bundled edition,
//! one edit after another. An edit with errors changes nothing, and changes
//! beyond texts ask for a whole build.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use scholia::build::{build_into, BuildOptions, Prepared};
use scholia::incremental::{self, Rebuilt};
use scholia::serve::site::{MemorySink, Site};

const TEXT: &str = "content/ml-blog/thoughts-on-hoxha.md";

/// A copy of the bundled edition to edit.
fn bundled_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = support::repo_root();
    fs::copy(root.join("book.toml"), dir.path().join("book.toml")).unwrap();
    for folder in ["content", "themes"] {
        copy_tree(&root.join(folder), &dir.path().join(folder));
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn options(root: &Path) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        output: None,
        base_path: None,
        write: false,
    }
}

/// A whole build into memory, as `serve` starts with.
fn full_build(root: &Path) -> (Site, Prepared) {
    let sink = MemorySink::default();
    let (report, prepared) = build_into(&options(root), &sink);
    assert!(
        report.diagnostics.iter().all(|d| !d.is_error()),
        "{:?}",
        report.diagnostics
    );
    (sink.into_site(), prepared.expect("a prepared edition"))
}

fn files(site: &Site) -> BTreeMap<String, Vec<u8>> {
    site.files()
        .map(|(rel, body)| (rel.to_string(), body.to_vec()))
        .collect()
}

/// Names the files that differ, with the first differing line of each.
fn differences(got: &Site, want: &Site) -> Vec<String> {
    let (got, want) = (files(got), files(want));
    let mut out = Vec::new();
    for rel in got
        .keys()
        .chain(want.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        match (got.get(rel), want.get(rel)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => {
                let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
                let line = a
                    .lines()
                    .zip(b.lines())
                    .find(|(x, y)| x != y)
                    .map(|(x, y)| format!("\n  incremental: {x}\n  whole build: {y}"))
                    .unwrap_or_default();
                out.push(format!("{rel} differs{line}"));
            }
            (Some(_), None) => out.push(format!("{rel} is only in the incremental site")),
            (None, _) => out.push(format!("{rel} is missing from the incremental site")),
        }
    }
    out
}

/// Applies `edit` to the text file, rebuilds incrementally and compares with a whole build.
fn edit_and_compare(
    root: &Path,
    site: Site,
    prepared: &mut Prepared,
    what: &str,
    edit: impl Fn(&str) -> String,
) -> Site {
    let path = root.join(TEXT);
    let before = fs::read_to_string(&path).unwrap();
    let after = edit(&before);
    assert_ne!(before, after, "the edit `{what}` changes the file");
    fs::write(&path, after).unwrap();
    let sink = MemorySink::default();
    let updated = match incremental::rebuild(prepared, &[path], &sink) {
        Rebuilt::Updated { report, removed } => {
            let pages = report.pages;
            let site = site
                .updated(sink, &removed)
                .expect("the edit changes pages");
            assert!(pages > 0, "{what}: pages were rendered again");
            site
        }
        Rebuilt::Failed(report) => panic!("{what}: {:?}", report.diagnostics),
        Rebuilt::NeedsFullBuild => panic!("{what}: an edit of a text asked for a whole build"),
    };
    let (whole, _) = full_build(root);
    let diff = differences(&updated, &whole);
    assert!(diff.is_empty(), "after `{what}`:\n{}", diff.join("\n"));
    updated
}

#[test]
fn incremental_rebuilds_equal_whole_builds_edit_after_edit() {
    let dir = bundled_copy();
    let root = dir.path();
    let (mut site, mut prepared) = full_build(root);
    let mut step = |what: &str, edit: &dyn Fn(&str) -> String| {
        let current = std::mem::take(&mut site);
        site = edit_and_compare(root, current, &mut prepared, what, edit);
    };
    step("one word", &|s| {
        s.replace(
            "This ought to be recognized",
            "This ought to be acknowledged",
        )
    });
    step("a new paragraph naming an entity", &|s| {
        s.replace(
            "\nThe critical comments",
            "\nLeon Trotsky is named in this new paragraph.\n\nThe critical comments",
        )
    });
    step("a link to another text", &|s| {
        s.replace(
            "This ought to be acknowledged by every communist.",
            "This ought to be acknowledged by every communist ([compare](@/bolshevism-vs-stalinism#p-39)).",
        )
    });
    step("the title", &|s| {
        s.replace(
            "title: \"Thoughts on Hoxha & Hoxhaism\"",
            "title: \"Thoughts on Enver Hoxha\"",
        )
    });
    step("a note taken out", &|s| {
        let start = s.find("  - id: hox-20th-congress").unwrap();
        let end = s.find("  - id: hox-yugoslav").unwrap();
        format!("{}{}", &s[..start], &s[end..])
    });
    step("the paragraph and the link taken out again", &|s| {
        s.replace("Leon Trotsky is named in this new paragraph.\n\n", "")
            .replace(" ([compare](@/bolshevism-vs-stalinism#p-39))", "")
    });
}

#[test]
fn an_edit_with_errors_fails_and_keeps_the_edition_as_it_was() {
    let dir = bundled_copy();
    let root = dir.path();
    let (site, mut prepared) = full_build(root);
    let path = root.join(TEXT);
    let good = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        good.replace(
            "This ought to be recognized",
            "This ought to be [recognized](@/no-such-text)",
        ),
    )
    .unwrap();
    let sink = MemorySink::default();
    match incremental::rebuild(&mut prepared, std::slice::from_ref(&path), &sink) {
        Rebuilt::Failed(report) => {
            let shown: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
            assert!(
                shown.iter().any(|d| d.contains("no-such-text")),
                "{shown:?}"
            );
        }
        _ => panic!("a link to a missing text fails the rebuild"),
    }
    // Fixed again, the next rebuild is as good as a whole build.
    fs::write(
        &path,
        good.replace("This ought to be recognized", "This ought to be noted"),
    )
    .unwrap();
    let sink = MemorySink::default();
    let Rebuilt::Updated { removed, .. } = incremental::rebuild(&mut prepared, &[path], &sink)
    else {
        panic!("the fixed edit rebuilds");
    };
    let updated = site.updated(sink, &removed).unwrap();
    let (whole, _) = full_build(root);
    let diff = differences(&updated, &whole);
    assert!(diff.is_empty(), "{}", diff.join("\n"));
}

#[test]
fn changes_beyond_the_texts_ask_for_a_whole_build() {
    let dir = bundled_copy();
    let root = dir.path();
    let (_, mut prepared) = full_build(root);
    let changed: [PathBuf; 3] = [
        root.join("book.toml"),
        root.join("content/entities/people.yaml"),
        root.join("content/ml-blog/a-new-text.md"),
    ];
    fs::write(&changed[2], "---\ntitle: New\n---\n\nNew.\n").unwrap();
    for path in changed {
        let sink = MemorySink::default();
        assert!(
            matches!(
                incremental::rebuild(&mut prepared, std::slice::from_ref(&path), &sink),
                Rebuilt::NeedsFullBuild
            ),
            "{}",
            path.display()
        );
    }
}
