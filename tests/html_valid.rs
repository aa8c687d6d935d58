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
