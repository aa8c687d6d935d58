//! The bundled edition in a real browser: axe-core (WCAG 2.1 A and AA) finds
//! no serious or critical violation on each kind of page, on a phone and on
//! a wide screen, in light and in dark mode (`prefers-color-scheme`).

mod support;

use std::fs;

use support::{build_bundled_edition, file_url, Chromium, Emulate};

#[test]
fn every_kind_of_page_passes_axe_at_390_and_1440_px_light_and_dark() {
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
    let slug = text.file_name().unwrap().to_string_lossy().into_owned();
    let pages = [
        file_url(&book.join("index.html")),
        file_url(&text.join("index.html")),
        file_url(&book.join("notes/index.html")),
        file_url(&book.join("entities/index.html")),
        file_url(&entity.join("index.html")),
        // The comparison page with a text in each pane.
        format!(
            "{}?a={slug}&b=moscow-trials-part-2",
            file_url(&book.join("compare/index.html"))
        ),
    ];
    let dark = Emulate {
        color_scheme: Some("dark"),
        ..Emulate::default()
    };
    let runs = [
        (390, "light", Emulate::default()),
        (1440, "light", Emulate::default()),
        (390, "dark", dark.clone()),
        (1440, "dark", dark),
    ];
    let site_url = file_url(&book);
    let mut problems = Vec::new();
    for page in &pages {
        for (width, scheme, emulate) in &runs {
            let Some(violations) = chromium.axe_emulated(page, *width, 900, emulate) else {
                return;
            };
            problems.extend(
                violations
                    .iter()
                    .filter(|v| v.impact == "serious" || v.impact == "critical")
                    .map(|v| format!("{} at {width}px, {scheme}: {v}", &page[site_url.len()..])),
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

/// Dark mode is really checked: a page whose text is faint only under
/// `prefers-color-scheme: dark` passes axe in light mode and fails in dark.
#[test]
fn axe_in_emulated_dark_mode_sees_dark_only_faults() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("dark.html");
    fs::write(
        &page,
        "<!DOCTYPE html><html lang=\"en\"><head><title>x</title><style>p{color:#000;background:#fff}@media (prefers-color-scheme: dark){p{color:#333;background:#000}}</style></head><body><main><p>text</p></main></body></html>",
    )
    .unwrap();
    let dark = Emulate {
        color_scheme: Some("dark"),
        ..Emulate::default()
    };
    let ids = |emulate: &Emulate| -> Option<Vec<String>> {
        let found = chromium.axe_emulated(&file_url(&page), 390, 900, emulate)?;
        Some(found.into_iter().map(|v| v.id).collect())
    };
    let (Some(light), Some(dark)) = (ids(&Emulate::default()), ids(&dark)) else {
        return;
    };
    assert!(!light.iter().any(|id| id == "color-contrast"), "{light:?}");
    assert!(dark.iter().any(|id| id == "color-contrast"), "{dark:?}");
}
