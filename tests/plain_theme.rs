//! The second built-in theme: `[build] theme = "plain"` renders every kind
//! of page of the bundled edition with its own templates, without any
//! JavaScript, and its pages pass the Nu Html Checker, axe (light and dark,
//! 390 and 1440 px) and the link checker.

mod support;

use std::fs;
use std::path::Path;

use support::links::{check_site_with, Options};
use support::{
    build_site, copy_dir, file_url, html_files, repo_root, vnu_or_skip, Chromium, Emulate,
};

/// The bundled edition, its book.toml switched to the plain theme, built
/// into `<folder>/book`.
fn build_with_plain_theme() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let edition = tmp.path().join("edition");
    copy_dir(&repo_root().join("content"), &edition.join("content")).unwrap();
    let book_toml = fs::read_to_string(repo_root().join("book.toml")).unwrap();
    let switched = book_toml.replace("theme = \"default\"", "theme = \"plain\"");
    assert_ne!(switched, book_toml, "book.toml names its theme");
    fs::write(edition.join("book.toml"), switched).unwrap();
    build_site(&edition, &tmp.path().join("book"), &[]);
    tmp
}

/// One page of each kind, relative to the site root.
const PAGES: &[&str] = &[
    "index.html",
    "bolshevism-vs-stalinism/index.html",
    "notes/index.html",
    "entities/index.html",
    "entities/joseph-stalin/index.html",
    "compare/index.html",
    "404.html",
];

#[test]
fn plain_theme_renders_every_kind_of_page_without_javascript() {
    let tmp = build_with_plain_theme();
    let book = tmp.path().join("book");
    for page in PAGES {
        let html = fs::read_to_string(book.join(page))
            .unwrap_or_else(|e| panic!("the plain theme wrote no {page}: {e}"));
        assert!(
            html.contains("static/plain.css"),
            "{page} is not the plain theme's"
        );
    }
    assert!(book.join("static/plain.css").is_file());
    assert!(
        !book.join("static/style.css").exists(),
        "no asset of the default theme"
    );
    let text = fs::read_to_string(book.join(PAGES[1])).unwrap();
    assert!(
        text.contains("class=\"note ") && text.contains("class=\"note-ref\""),
        "a text page carries its notes and their markers"
    );
    let scripted: Vec<_> = html_files(&book)
        .into_iter()
        .filter(|p| {
            fs::read_to_string(book.join(p))
                .unwrap()
                .contains("<script")
        })
        .collect();
    assert!(scripted.is_empty(), "pages with scripts: {scripted:?}");
}

#[test]
fn plain_theme_pages_are_valid_html5_with_no_broken_links() {
    let tmp = build_with_plain_theme();
    let book = tmp.path().join("book");
    let report = check_site_with(
        &book,
        &Options {
            file_url_safe: true,
            ..Options::default()
        },
    );
    assert!(
        report.pages > PAGES.len() && report.internal > 0,
        "{report:?}"
    );
    report.assert_ok("bundled edition with the plain theme");
    let Some(vnu) = vnu_or_skip() else { return };
    let msgs = vnu.check(&[book.as_path()]);
    assert!(
        msgs.is_empty(),
        "the Nu Html Checker reports {} error(s):\n{}",
        msgs.len(),
        msgs.iter()
            .map(|m| format!("  {m}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn plain_theme_pages_pass_axe_light_and_dark() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let tmp = build_with_plain_theme();
    let book = tmp.path().join("book");
    let dark = Emulate {
        color_scheme: Some("dark"),
        ..Emulate::default()
    };
    let mut problems = Vec::new();
    for page in PAGES.iter().filter(|p| **p != "404.html") {
        let url = file_url(&book.join(Path::new(page)));
        for (width, scheme, emulate) in [
            (390, "light", &Emulate::default()),
            (1440, "light", &Emulate::default()),
            (1440, "dark", &dark),
        ] {
            let Some(violations) = chromium.axe_emulated(&url, width, 900, emulate) else {
                return;
            };
            problems.extend(
                violations
                    .iter()
                    .filter(|v| v.impact == "serious" || v.impact == "critical")
                    .map(|v| format!("{page} at {width}px, {scheme}: {v}")),
            );
        }
    }
    assert!(problems.is_empty(), "axe found:\n{}", problems.join("\n"));
}

/// Plain pages fit a 320 px phone: nothing scrolls sideways.
#[test]
fn plain_theme_pages_fit_a_320_px_screen() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let tmp = build_with_plain_theme();
    let book = tmp.path().join("book");
    let js = r#"[...document.querySelectorAll('body *')]
        .filter((e) => !e.closest('.scroll, .visually-hidden'))
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((e) => e.tagName.toLowerCase()).concat(document.documentElement.scrollWidth > 320 ? ['the page'] : [])"#;
    for page in PAGES {
        let outside = chromium.eval(&file_url(&book.join(page)), 320, 800, &[], js);
        assert_eq!(
            outside,
            serde_json::json!([]),
            "{page} is too wide at 320px"
        );
    }
}
