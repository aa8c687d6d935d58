//! Reading in a real browser (headless Chromium): two texts side by side on
//! the comparison page, a text page read with JavaScript disabled, and a
//! text page printed.

mod support;

use support::{
    build_bundled_edition, build_site, edition_of_texts, file_url, serve_dir, Chromium, Emulate,
};

const LEFT: &str = "moscow-trials-part-2";
const RIGHT: &str = "bolshevism-vs-stalinism";

/// Waits until both panes hold a text page, then reports what the reader
/// sees: each pane's title, where the panes sit, and whether scrolling one
/// moves the other, and whether a note opens from its marker in each pane.
/// (Over http the panes are same-origin, so the page can look into them.)
const SIDE_BY_SIDE: &str = r#"
(async () => {
  const panes = [...document.querySelectorAll('iframe.compare-pane')];
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const ready = (f) => f.contentDocument && f.contentDocument.readyState === 'complete'
    && f.contentDocument.querySelector('article.text');
  for (let i = 0; i < 100 && !panes.every(ready); i++) await sleep(50);
  const docs = panes.map((f) => f.contentDocument);
  const rects = panes.map((f) => f.getBoundingClientRect());
  const win = panes.map((f) => f.contentWindow);
  win[0].scrollTo(0, 1500);
  await sleep(100);
  const scrolled = { left: win[0].scrollY, right: win[1].scrollY, page: window.scrollY };
  const openNote = async (doc) => {
    const ref = doc.querySelector('.note-ref a');
    const note = doc.getElementById(ref.getAttribute('href').slice(1));
    ref.click();
    await sleep(100);
    const r = note.getBoundingClientRect();
    return { visible: r.width > 0 && r.height > 0, text: note.innerText.length };
  };
  return {
    count: panes.length,
    titles: docs.map((d) => d.querySelector('h1').textContent),
    paths: docs.map((d) => d.location.pathname),
    paneTitles: panes.map((f) => f.title),
    selects: [...document.querySelectorAll('form.compare-chooser select')].map((s) => s.value),
    options: [...document.querySelectorAll('form.compare-chooser select')].map((s) => s.options.length),
    chooserShown: !document.querySelector('form.compare-chooser').hidden,
    sideBySide: rects[0].right <= rects[1].left && Math.abs(rects[0].top - rects[1].top) < 1,
    stacked: rects[1].top >= rects[0].bottom,
    inViewport: rects.every((r) => r.left >= 0 && r.right <= window.innerWidth),
    tallEnough: rects.every((r) => r.height >= 300),
    scrolled,
    notes: [await openNote(docs[0]), await openNote(docs[1])],
  };
})()
"#;

fn compare_url(base: &str, query: &str) -> String {
    format!("{base}compare/index.html{query}")
}

#[test]
fn two_texts_open_side_by_side_and_scroll_independently() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let site = build_bundled_edition(&[]);
    let server = serve_dir(&site.path().join("book"));
    let url = compare_url(&server.base_url, &format!("?a={LEFT}&b={RIGHT}"));
    for width in [1440, 390] {
        let seen = chromium.eval(&url, width, 900, &[], SIDE_BY_SIDE);
        assert_eq!(seen["count"], 2, "{seen}");
        assert_eq!(
            seen["paths"],
            serde_json::json!([
                format!("/{LEFT}/index.html"),
                format!("/{RIGHT}/index.html")
            ]),
            "each pane opens the text the address names: {seen}"
        );
        let titles = seen["titles"].as_array().unwrap();
        assert!(
            titles[0]
                .as_str()
                .unwrap()
                .starts_with("The Moscow Trials, Part 2"),
            "{seen}"
        );
        assert_eq!(titles[1], "Bolshevism vs. Stalinism", "{seen}");
        assert_eq!(seen["selects"], serde_json::json!([LEFT, RIGHT]), "{seen}");
        assert_eq!(
            seen["options"],
            serde_json::json!([14, 14]),
            "both menus offer every text (and a prompt): {seen}"
        );
        assert_eq!(seen["chooserShown"], true, "{seen}");
        assert!(
            seen["paneTitles"][1]
                .as_str()
                .unwrap()
                .ends_with("Bolshevism vs. Stalinism"),
            "a pane's title names its text, for screen readers: {seen}"
        );
        let layout = if width == 1440 {
            "sideBySide"
        } else {
            "stacked"
        };
        assert_eq!(seen[layout], true, "{layout} at {width}px: {seen}");
        assert_eq!(seen["inViewport"], true, "{width}px: {seen}");
        assert_eq!(seen["tallEnough"], true, "{width}px: {seen}");
        let scrolled = &seen["scrolled"];
        assert!(
            scrolled["left"].as_f64().unwrap() > 1000.0,
            "the left pane scrolls: {seen}"
        );
        assert_eq!(scrolled["right"], 0, "the right pane stays: {seen}");
        assert_eq!(scrolled["page"], 0, "the page stays: {seen}");
        for (side, note) in ["left", "right"]
            .iter()
            .zip(seen["notes"].as_array().unwrap())
        {
            assert_eq!(
                note["visible"], true,
                "a note opens in the {side} pane: {seen}"
            );
        }
    }
}

/// A text page's "Compare with another text" opens the comparison page with
/// that text on the left; the right pane shows the contents to choose from.
#[test]
fn a_text_page_opens_the_comparison_with_itself_on_the_left() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let site = build_bundled_edition(&[]);
    let server = serve_dir(&site.path().join("book"));
    let text = format!("{}{LEFT}/index.html", server.base_url);
    let link_js = r#"[...document.querySelectorAll('a')]
        .filter((a) => a.textContent === 'Compare with another text').map((a) => a.href)"#;
    let links = chromium.eval(&text, 1440, 900, &[], link_js);
    let expected = compare_url(&server.base_url, &format!("?a={LEFT}"));
    assert_eq!(links, serde_json::json!([expected]), "{links}");
    let js = r#"({
    paths: [...document.querySelectorAll('iframe.compare-pane')].map((f) => f.contentDocument.location.pathname),
    left: document.getElementById('compare-a').value,
    right: document.getElementById('compare-b').value,
})"#;
    let seen = chromium.eval(&expected, 1440, 900, &[], js);
    assert_eq!(seen["left"], LEFT, "{seen}");
    assert_eq!(seen["right"], "", "the right side asks to choose: {seen}");
    assert_eq!(
        seen["paths"],
        serde_json::json!([format!("/{LEFT}/index.html"), "/index.html"]),
        "{seen}"
    );
}

/// From disk the comparison page loads both texts too (file:// allows
/// frames, not fetch): every request succeeds and nothing throws.
#[test]
fn the_comparison_page_works_from_file_urls() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let site = build_bundled_edition(&[]);
    let page = file_url(&site.path().join("book/compare/index.html"));
    let url = format!("{page}?a={LEFT}&b={RIGHT}");
    let js = r#"
(async () => {
  await new Promise((r) => setTimeout(r, 1500));
  return [...document.querySelectorAll('iframe.compare-pane')].map((f) => f.src);
})()
"#;
    let load = chromium.load(&url, 1440, 900, &[], js);
    let srcs = load.value.as_array().expect("the panes' addresses");
    assert!(
        srcs[0]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{LEFT}/index.html")),
        "{srcs:?}"
    );
    assert!(
        srcs[1]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{RIGHT}/index.html")),
        "{srcs:?}"
    );
    // The panes start at the contents (for readers without JavaScript); the
    // script replaces them at once, which aborts those first loads.
    let contents = format!(
        "Document {}: net::ERR_ABORTED",
        file_url(&site.path().join("book/index.html"))
    );
    let failed: Vec<&String> = load.failed.iter().filter(|f| **f != contents).collect();
    assert!(failed.is_empty(), "failed requests: {failed:?}");
    assert!(
        load.exceptions.is_empty(),
        "exceptions: {:?}",
        load.exceptions
    );
}

/// Without JavaScript the chooser stays hidden (it needs the script) and each
/// pane shows the contents, whose links open a text in that pane.
#[test]
fn without_javascript_each_pane_offers_the_contents() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let site = build_bundled_edition(&[]);
    let server = serve_dir(&site.path().join("book"));
    let url = compare_url(&server.base_url, &format!("?a={LEFT}"));
    // The page's load event waits for its frames, so they are there.
    let js = r#"(() => {
  const frames = [...document.querySelectorAll('iframe.compare-pane')];
  const links = frames.map((f) => [...f.contentDocument.querySelectorAll('.toc a.toc-title')]);
  return {
    chooserHidden: document.querySelector('form.compare-chooser').hidden,
    fallbackShown: !document.querySelector('.compare-without-script').hidden,
    paths: frames.map((f) => f.contentDocument.location.pathname),
    links: links.map((l) => l.length),
    targeted: links.flat().filter((a) => a.target).length,
  };
})()"#;
    let no_script = Emulate {
        no_script: true,
        ..Emulate::default()
    };
    let seen = chromium
        .load_emulated(&url, 1440, 900, &no_script, &[], js)
        .value;
    assert_eq!(seen["chooserHidden"], true, "{seen}");
    assert_eq!(seen["fallbackShown"], true, "{seen}");
    assert_eq!(
        seen["paths"],
        serde_json::json!(["/index.html", "/index.html"]),
        "{seen}"
    );
    assert_eq!(
        seen["links"],
        serde_json::json!([13, 13]),
        "every text, in each pane: {seen}"
    );
    assert_eq!(seen["targeted"], 0, "a text opens in its own pane: {seen}");
}

/// With JavaScript disabled a text page still reads: its paragraphs are
/// there, and every note marker leads to a note body that opens when followed.
#[test]
fn a_text_page_reads_with_javascript_disabled() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let site = build_bundled_edition(&[]);
    let page = file_url(&site.path().join(format!("book/{RIGHT}/index.html")));
    let js = r#"
(() => {
  const refs = [...document.querySelectorAll('.note-ref a')];
  const targets = refs.map((a) => document.getElementById(a.getAttribute('href').slice(1)));
  const first = refs[0];
  const note = targets[0];
  const hiddenBefore = note.getBoundingClientRect().height === 0;
  first.click(); // a same-page link: the browser follows it at once
  const r = note.getBoundingClientRect();
  return {
    scriptRan: document.querySelector('var.cite-paragraph').textContent !== 'N' ? 'changed' : 'untouched',
    paragraphs: document.querySelectorAll('.text-body p').length,
    words: document.querySelector('.text-body').innerText.split(/\s+/).length,
    refs: refs.length,
    bodies: targets.filter((t) => t && t.innerText.trim().length > 20).length,
    hiddenBefore,
    opened: r.height > 0 && r.top >= 0 && r.top < window.innerHeight,
  };
})()
"#;
    let no_script = Emulate {
        no_script: true,
        ..Emulate::default()
    };
    // Follow a paragraph link first: with scripts on, cite.js would fill its number in.
    let url = format!("{page}#p-3");
    let seen = chromium
        .load_emulated(&url, 390, 844, &no_script, &[], js)
        .value;
    assert_eq!(
        seen["scriptRan"], "untouched",
        "the page's scripts were really off: {seen}"
    );
    assert!(seen["paragraphs"].as_u64().unwrap() > 20, "{seen}");
    assert!(seen["words"].as_u64().unwrap() > 3000, "{seen}");
    let refs = seen["refs"].as_u64().unwrap();
    assert!(refs > 0, "{seen}");
    assert_eq!(
        seen["bodies"], refs,
        "every marker leads to its note: {seen}"
    );
    assert_eq!(seen["hiddenBefore"], true, "{seen}");
    assert_eq!(seen["opened"], true, "a note opens from its marker: {seen}");
}

/// On paper the editors' notes are endnotes under their letters, links to the
/// web print their address, and the site's navigation stays off the page.
#[test]
fn a_printed_text_has_endnotes_and_link_addresses() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let edition = edition_of_texts(&[(
        "printed.md",
        "---\ntitle: Printed\nnotes:\n  - id: wall\n    anchor: { exact: \"the wall\" }\n    type: context\n    body: The note about the wall.\n---\n\nA paragraph about the wall, with [a source](https://example.org/source).\n",
    )]);
    let site = edition.path().join("book");
    build_site(edition.path(), &site, &[]);
    let url = file_url(&site.join("printed/index.html"));
    let js = r#"(() => {
  const shown = (el) => el.getBoundingClientRect().height > 0;
  const link = document.querySelector('.text-body a[href^="http"]');
  return {
    inlineNote: shown(document.getElementById('note-wall')),
    endnotes: shown(document.querySelector('.endnotes')),
    endnoteText: document.querySelector('.endnotes').innerText,
    header: shown(document.querySelector('.site-header')),
    linkAddress: getComputedStyle(link, '::after').content,
  };
})()"#;
    let print = Emulate {
        media: Some("print"),
        ..Emulate::default()
    };
    let paper = chromium
        .load_emulated(&url, 800, 1000, &print, &[], js)
        .value;
    assert_eq!(paper["inlineNote"], false, "{paper}");
    assert_eq!(paper["endnotes"], true, "{paper}");
    assert!(
        paper["endnoteText"]
            .as_str()
            .unwrap()
            .contains("The note about the wall."),
        "{paper}"
    );
    assert_eq!(paper["header"], false, "{paper}");
    assert!(
        paper["linkAddress"]
            .as_str()
            .unwrap()
            .contains("https://example.org/source"),
        "{paper}"
    );
    // On a wide screen the same page keeps its note in the margin, and no endnotes.
    let screen = chromium.eval(&url, 1440, 900, &[], js);
    assert_eq!(screen["inlineNote"], true, "{screen}");
    assert_eq!(screen["endnotes"], false, "{screen}");
    assert_eq!(screen["linkAddress"], "none", "{screen}");
}

/// From a 320 px phone to a wide screen: no page scrolls sideways, the body
/// text stays at least 16 px, and lines stay within a comfortable measure
/// (at most 38 em, some 75 characters).
#[test]
fn pages_fit_a_320_px_screen_and_keep_a_reading_measure_when_wide() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let site = build_bundled_edition(&[]);
    let book = site.path().join("book");
    let pages = [
        "index.html".to_string(),
        format!("{LEFT}/index.html"),
        format!("{RIGHT}/index.html"),
        "notes/index.html".into(),
        "entities/index.html".into(),
        "entities/joseph-stalin/index.html".into(),
        format!("compare/index.html?a={LEFT}&b={RIGHT}"),
        "404.html".into(),
    ];
    let js = r#"(() => {
  const outside = [...document.querySelectorAll('body *')]
    .filter((e) => !e.closest('.scroll, .visually-hidden, .skip-link'))
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
  // The body text's size, and the longest line of a paragraph set in it.
  const size = parseFloat(getComputedStyle(document.body).fontSize);
  const widths = [...document.querySelectorAll('main p')]
    .filter((p) => parseFloat(getComputedStyle(p).fontSize) >= size * 0.95)
    .map((p) => p.getBoundingClientRect().width / size);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    outside: outside.slice(0, 5),
    fontSize: size,
    measureEm: Math.max(0, ...widths),
  };
})()"#;
    for page in &pages {
        let (path, query) = page.split_once('?').unwrap_or((page, ""));
        let mut url = file_url(&book.join(path));
        if !query.is_empty() {
            url = format!("{url}?{query}");
        }
        let phone = chromium.eval(&url, 320, 800, &[], js);
        assert!(
            phone["scrollWidth"].as_u64() <= Some(320),
            "{page} scrolls sideways at 320px: {phone}"
        );
        assert_eq!(phone["outside"], serde_json::json!([]), "{page}: {phone}");
        assert!(phone["fontSize"].as_f64() >= Some(16.0), "{page}: {phone}");
        let wide = chromium.eval(&url, 1440, 900, &[], js);
        assert!(
            wide["measureEm"].as_f64() <= Some(38.0),
            "{page}: lines too long at 1440px: {wide}"
        );
    }
}
