//! Every page scholia writes is valid HTML5: the Nu Html Checker (vnu.jar,
//! npm package `vnu-jar`, run with Java; `bash .ci/run` installs it into
//! target/tools/) reports zero errors on the bundled edition.

mod support;

use std::fs;
use std::path::Path;

use support::{html_files, vnu_or_skip};

/// The harness is not vacuous: vnu, as the tests run it, reports an invalid
/// page with its file, line and message, and passes a valid one.
#[test]
fn vnu_reports_errors_in_an_invalid_page() {
    let Some(vnu) = vnu_or_skip() else { return };
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("good.html"),
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ok</title></head><body><p>ok</p></body></html>\n",
    )
    .unwrap();
    fs::write(
        tmp.path().join("bad.html"),
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bad</title></head>\n<body>\n<p id=\"x\">one</p><p id=\"x\">two</p>\n</body></html>\n",
    )
    .unwrap();
    fs::write(tmp.path().join("notes.txt"), "not html <p").unwrap();
    let msgs = vnu.check(&[tmp.path()]);
    assert_eq!(msgs.len(), 1, "{msgs:#?}");
    let m = &msgs[0];
    assert!(m.url.ends_with("/bad.html"), "{m}");
    assert_eq!(m.line, Some(4), "{m}");
    assert!(m.message.contains("Duplicate ID"), "{m}");
}

fn assert_valid(site: &Path, msgs: &[support::VnuMessage], what: &str) {
    assert!(
        msgs.is_empty(),
        "{what}: the Nu Html Checker reports {} error(s) in {}:\n{}",
        msgs.len(),
        site.display(),
        msgs.iter()
            .map(|m| format!("  {m}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn bundled_edition_is_valid_html5() {
    let Some(vnu) = vnu_or_skip() else { return };
    let plain = support::build_bundled_edition(&[]);
    let sub = support::build_bundled_edition(&["--base-path", "/sub/path/"]);
    let (plain, sub) = (plain.path().join("book"), sub.path().join("book"));

    // The pages the contract promises are there, so zero errors means
    // something: index, 404 and at least one text at <slug>/index.html.
    let pages = html_files(&plain);
    for required in ["index.html", "404.html"] {
        assert!(
            pages.iter().any(|p| p == Path::new(required)),
            "no {required} in {}; pages: {pages:?}",
            plain.display()
        );
    }
    assert!(
        pages
            .iter()
            .any(|p| p.components().count() == 2 && p.ends_with("index.html")),
        "no text page <slug>/index.html in {}; pages: {pages:?}",
        plain.display()
    );

    // One JVM start for both builds.
    let msgs = vnu.check(&[&plain, &sub]);
    let (in_plain, in_sub): (Vec<_>, Vec<_>) = msgs
        .into_iter()
        .partition(|m| m.url.contains(&*plain.to_string_lossy()));
    assert_valid(&plain, &in_plain, "scholia build");
    assert_valid(&sub, &in_sub, "scholia build --base-path /sub/path/");
}

/// A new edition from `scholia init` builds into valid pages, and so does
/// every fixture: their golden outputs (`tests/fixtures/*/expected/`, which
/// tests/golden.rs keeps equal to what the build writes) cover each feature.
#[test]
fn init_scaffold_and_fixture_outputs_are_valid_html5() {
    let Some(vnu) = vnu_or_skip() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let edition = tmp.path().join("edition");
    let out = support::run_with_timeout(
        &mut support::scholia(["init".as_ref(), edition.as_os_str()]),
        std::time::Duration::from_secs(60),
    );
    assert!(
        out.status.success(),
        "{}",
        support::describe_output("scholia init", &out)
    );
    let site = tmp.path().join("book");
    support::build_site(&edition, &site, &[]);
    assert!(
        !html_files(&site).is_empty(),
        "scholia init + build wrote no page"
    );

    let mut dirs = vec![site.clone()];
    let fixtures = support::repo_root().join("tests/fixtures");
    for entry in fs::read_dir(&fixtures).expect("tests/fixtures") {
        let expected = entry.unwrap().path().join("expected");
        if !html_files(&expected).is_empty() {
            dirs.push(expected);
        }
    }
    let paths: Vec<&Path> = dirs.iter().map(|d| d.as_path()).collect();
    let msgs = vnu.check(&paths);
    assert_valid(
        &fixtures,
        &msgs,
        "scholia init + build, and the golden fixture outputs",
    );
}
