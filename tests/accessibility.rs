//! The bundled edition in a real browser: axe-core (WCAG 2.1 A and AA) finds
//! no serious or critical violation on each kind of page, on a phone and on
//! a wide screen.

mod support;

use std::fs;

use support::{build_bundled_edition, file_url, Chromium};

#[test]
fn every_kind_of_page_passes_axe_at_390_and_1440_px() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let site = build_bundled_edition(&[]);
    let book = site.path().join("book");
    // One page of each kind: the contents, a text with notes, the indexes, an entity.
    let text = fs::read_dir(&book)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join("annotations.jsonld").is_file())
        .expect("a text with notes");
    let entity = fs::read_dir(book.join("entities"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join("index.html").is_file())
        .expect("an entity page");
    let pages = [
        book.join("index.html"),
        text.join("index.html"),
        book.join("notes/index.html"),
        book.join("entities/index.html"),
        entity.join("index.html"),
    ];
    let mut problems = Vec::new();
    for page in &pages {
        for width in [390, 1440] {
            let Some(violations) = chromium.axe(&file_url(page), width, 900) else {
                return;
            };
            problems.extend(
                violations
                    .iter()
                    .filter(|v| v.impact == "serious" || v.impact == "critical")
                    .map(|v| {
                        format!(
                            "{} at {width}px: {v}",
                            page.strip_prefix(&book).unwrap().display()
                        )
                    }),
            );
        }
    }
    assert!(problems.is_empty(), "axe found:\n{}", problems.join("\n"));
}

/// The check above can fail: axe, as driven here, reports a page with known faults.
#[test]
fn axe_reports_a_page_with_known_faults() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    fs::write(
        &page,
        "<!DOCTYPE html><html><head><title>x</title></head><body><main><p style=\"color:#bbb;background:#fff\">faint text</p><img src=\"a.png\"></main></body></html>",
    )
    .unwrap();
    let Some(violations) = chromium.axe(&file_url(&page), 390, 900) else {
        return;
    };
    let ids: Vec<&str> = violations.iter().map(|v| v.id.as_str()).collect();
    assert!(ids.contains(&"color-contrast"), "{ids:?}");
    assert!(ids.contains(&"image-alt"), "{ids:?}");
    assert!(ids.contains(&"html-has-lang"), "{ids:?}");
}
