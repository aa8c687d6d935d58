//! Golden output: each fixture under `tests/fixtures/<feature>/` is built and
//! every file of its site compared byte for byte with `expected/`.
//!
//! After a deliberate change of output, regenerate with
//! `SCHOLIA_BLESS=1 cargo test --test golden` and review the diff of
//! `expected/` before committing it.

mod support;

use std::fs;
use std::path::Path;

use support::{assert_trees_equal, build_site, tree_snapshot};

fn check_fixture(name: &str) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("book");
    build_site(&fixture, &site, &[]);
    let mut actual = tree_snapshot(&site);
    actual.remove(Path::new(scholia::write::MARKER));
    // The theme's assets are copied as they are; comparing them again per fixture adds only churn.
    // The search index is binary, pinned by src/render/search.rs and tests/search.rs instead.
    actual.retain(|path, _| !path.starts_with("static") && !path.starts_with("search-index"));
    let expected_dir = fixture.join("expected");
    if std::env::var_os("SCHOLIA_BLESS").is_some() {
        let _ = fs::remove_dir_all(&expected_dir);
        for (path, bytes) in &actual {
            let target = expected_dir.join(path);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(target, bytes).unwrap();
        }
        return;
    }
    assert_trees_equal(
        &tree_snapshot(&expected_dir),
        &actual,
        &format!("fixture {name}"),
    );
}

#[test]
fn basic_edition() {
    check_fixture("basic");
}

#[test]
fn notes_edition() {
    check_fixture("notes");
}

#[test]
fn entities_edition() {
    check_fixture("entities");
}

/// The entities fixture's content, rendered with the built-in plain theme.
#[test]
fn plain_theme_edition() {
    check_fixture("plain");
}
