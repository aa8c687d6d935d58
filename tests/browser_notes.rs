//! Editorial notes in a real browser (headless Chromium): on a phone a note
//! opens from its marker; on a wide screen it sits in the margin beside its
//! paragraph, never overlapping another; axe finds nothing serious.

mod support;

use std::path::Path;

use support::{build_site, file_url, Chromium};

fn built_notes_fixture() -> (tempfile::TempDir, String) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notes");
    let out = tempfile::tempdir().unwrap();
    build_site(&fixture, &out.path().join("book"), &[]);
    let url = file_url(&out.path().join("book/united-front/index.html"));
    (out, url)
}

/// Clicks the marker of note `west-wall` and reports what the reader then sees.
const OPEN_NOTE: &str = r#"
(async () => {
  const note = document.getElementById('note-west-wall');
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const before = visible(note);
  document.getElementById('noteref-west-wall').click();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const r = note.getBoundingClientRect();
  return {
    before,
    after: visible(note),
    // Scrolling is by whole pixels, layout by fractions: a top of -0.125 is at the top.
    inViewport: r.top > -1 && r.top < window.innerHeight,
    text: note.innerText,
  };
})()
"#;

#[test]
fn on_a_phone_a_note_opens_from_its_marker() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let (_out, url) = built_notes_fixture();
    let seen = chromium.eval(&url, 390, 844, &[], OPEN_NOTE);
    assert_eq!(
        seen["before"], false,
        "on a phone the note waits for its marker: {seen}"
    );
    assert_eq!(seen["after"], true, "the note opens: {seen}");
    assert_eq!(
        seen["inViewport"], true,
        "and the reader is taken to it: {seen}"
    );
    assert!(
        seen["text"]
            .as_str()
            .unwrap()
            .contains("fortifications along Germany’s western border"),
        "{seen}"
    );
}

#[test]
fn on_a_wide_screen_notes_sit_in_the_margin_without_overlapping() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let (_out, url) = built_notes_fixture();
    let seen = chromium.eval(&url, 1440, 900, &[], OPEN_NOTE);
    assert_eq!(
        seen["before"], true,
        "wide screens show notes without a click: {seen}"
    );
    assert_eq!(seen["after"], true, "{seen}");
    let layout = chromium.eval(
        &url,
        1440,
        900,
        &[],
        r#"
(() => {
  const text = document.getElementById('p-1').getBoundingClientRect();
  const notes = [...document.querySelectorAll('aside.note')].map((n) => n.getBoundingClientRect());
  const overlaps = notes.some((a, i) => notes.some((b, j) => i < j && a.bottom > b.top && b.bottom > a.top));
  const inMargin = notes.every((n) => n.left >= text.right && n.right <= window.innerWidth);
  const para = document.getElementById('p-1').getBoundingClientRect();
  const first = document.getElementById('note-west-wall').getBoundingClientRect();
  return { count: notes.length, overlaps, inMargin, besideItsParagraph: Math.abs(first.top - para.top) < 40 };
})()
"#,
    );
    assert_eq!(layout["count"], 4, "{layout}");
    assert_eq!(layout["overlaps"], false, "{layout}");
    assert_eq!(layout["inMargin"], true, "{layout}");
    assert_eq!(layout["besideItsParagraph"], true, "{layout}");
}

#[test]
fn pages_with_notes_pass_axe_at_phone_and_desktop_widths() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let (out, url) = built_notes_fixture();
    let notes_index = file_url(&out.path().join("book/notes/index.html"));
    for page in [&url, &notes_index] {
        for width in [390, 1440] {
            let Some(violations) = chromium.axe(page, width, 900) else {
                return;
            };
            let serious: Vec<String> = violations
                .iter()
                .filter(|v| v.impact == "serious" || v.impact == "critical")
                .map(|v| v.to_string())
                .collect();
            assert!(
                serious.is_empty(),
                "{page} at {width}px:\n{}",
                serious.join("\n")
            );
        }
    }
}
