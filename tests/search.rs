//! Search in a real browser (headless Chromium), over the bundled edition
//! served on loopback: a reader types into the search box on a text page,
//! presses Enter, and finds the passage, the note and the name; the kind
//! filter narrows the results; the search page passes axe-core.

mod support;

use std::fs;
use std::path::Path;

use support::{build_bundled_edition, serve_dir, Chromium, Emulate};

const TEXT: &str = "ulbricht-kayser-stalingrad-dialogue";
const QUERY: &str = "Verdyachi";

/// Waits for the results list to fill (or the status to say nothing was
/// found), then reports every result: its kind, title, link and passage links.
const RESULTS: &str = r#"
(async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const done = () => document.querySelector('#search-results li.search-result')
    || /Nothing found|could not/.test(document.getElementById('search-status').textContent);
  for (let i = 0; i < 200 && !done(); i++) await sleep(50);
  await sleep(200); // let every result of the first page arrive
  return {
    path: location.pathname,
    query: new URLSearchParams(location.search).get('q'),
    status: document.getElementById('search-status').textContent,
    results: [...document.querySelectorAll('#search-results > li')].map((li) => ({
      class: li.className,
      title: li.querySelector('.search-result-title').textContent,
      href: li.querySelector('.search-result-title a').href,
      kind: li.querySelector('.search-result-kind').textContent,
      passages: [...li.querySelectorAll('.search-passage-link')].map((a) => a.href),
      marked: li.querySelectorAll('mark').length,
    })),
  };
})()
"#;

struct Result {
    class: String,
    href: String,
    kind: String,
    passages: Vec<String>,
    marked: u64,
}

fn results(value: &serde_json::Value) -> Vec<Result> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    value["results"]
        .as_array()
        .expect("a list of results")
        .iter()
        .map(|r| Result {
            class: text(&r["class"]),
            href: text(&r["href"]),
            kind: text(&r["kind"]),
            passages: r["passages"]
                .as_array()
                .map(|p| p.iter().map(text).collect())
                .unwrap_or_default(),
            marked: r["marked"].as_u64().unwrap_or(0),
        })
        .collect()
}

/// The paragraph `#p-N` of a built page, as HTML.
fn paragraph(page: &Path, fragment: &str) -> String {
    let html = fs::read_to_string(page).expect("built text page");
    let start = html
        .find(&format!("id=\"{fragment}\""))
        .unwrap_or_else(|| panic!("{} has no #{fragment}", page.display()));
    let end = html[start..].find("</p>").map_or(html.len(), |e| start + e);
    html[start..end].to_string()
}

#[test]
fn the_search_box_finds_the_passage_the_note_and_the_name() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let built = build_bundled_edition(&[]);
    let book = built.path().join("book");
    let server = serve_dir(&book);
    let page = format!("{}{TEXT}/index.html", server.base_url);
    let load = chromium.type_and_submit(&page, (1280, 900), ("#site-search-q", QUERY), RESULTS);
    assert!(
        load.failed.is_empty() && load.exceptions.is_empty(),
        "the search went wrong: {:?} {:?}",
        load.failed,
        load.exceptions
    );
    let value = &load.value;
    assert_eq!(
        value["path"], "/search/index.html",
        "Enter opens the search page"
    );
    assert_eq!(value["query"], QUERY);
    let found = results(value);
    assert!(
        value["status"]
            .as_str()
            .unwrap_or("")
            .contains("results for"),
        "status: {}",
        value["status"]
    );

    let text = found
        .iter()
        .find(|r| r.class.contains("search-result-text"))
        .expect("a result in the texts");
    assert!(
        text.href.ends_with(&format!("/{TEXT}/index.html")),
        "{}",
        text.href
    );
    assert_eq!(text.kind, "Text");
    assert!(
        !text.passages.is_empty(),
        "the text's hit names its passages"
    );
    for link in &text.passages {
        let (path, fragment) = link.split_once('#').expect("a passage link has a fragment");
        assert!(path.ends_with(&format!("/{TEXT}/index.html")), "{link}");
        assert!(
            fragment.starts_with("p-"),
            "passages are paragraphs: {link}"
        );
        let html = paragraph(&book.join(TEXT).join("index.html"), fragment);
        assert!(
            html.contains(QUERY),
            "#{fragment} does not hold the word: {html}"
        );
    }
    assert!(text.marked > 0, "the excerpt marks the word");

    let note = found
        .iter()
        .find(|r| r.class.contains("search-result-note"))
        .expect("a result in the notes");
    assert!(
        note.href
            .ends_with(&format!("/{TEXT}/index.html#note-sd-verdyachi")),
        "{}",
        note.href
    );
    assert!(
        note.kind
            .starts_with("Editors’ note (translation) on “dugout in Verdyachi”"),
        "{}",
        note.kind
    );

    let entity = found
        .iter()
        .find(|r| r.class.contains("search-result-entity"))
        .expect("a result in the names");
    assert!(
        entity.href.ends_with("/entities/verdyachi/index.html"),
        "{}",
        entity.href
    );
    assert_eq!(entity.kind, "Name: place");
    assert!(book.join("entities/verdyachi/index.html").is_file());
}

#[test]
fn the_kind_filter_keeps_one_kind_of_result() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let built = build_bundled_edition(&[]);
    let server = serve_dir(&built.path().join("book"));
    let everything = format!("{}search/index.html?q={QUERY}", server.base_url);
    let all = results(&chromium.eval(&everything, 1280, 900, &[], RESULTS));
    let notes_only = format!("{everything}&kind=note");
    let value = chromium.eval(&notes_only, 1280, 900, &[], RESULTS);
    let notes = results(&value);
    assert!(
        all.len() > notes.len(),
        "{} results, {} notes",
        all.len(),
        notes.len()
    );
    assert!(!notes.is_empty(), "status: {}", value["status"]);
    assert!(
        notes.iter().all(|r| r.class.contains("search-result-note")),
        "only notes: {:?}",
        notes.iter().map(|r| &r.class).collect::<Vec<_>>()
    );
}

#[test]
fn the_search_page_with_results_passes_axe_on_a_phone_and_a_desktop() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let built = build_bundled_edition(&[]);
    let server = serve_dir(&built.path().join("book"));
    let url = format!("{}search/index.html?q={QUERY}", server.base_url);
    let ready = r#"(async () => {
      for (let i = 0; i < 200 && !document.querySelector('#search-results li'); i++)
        await new Promise((r) => setTimeout(r, 50));
      if (!document.querySelector('#search-results li')) throw new Error('no results to check');
    })()"#;
    for size in [(390, 844), (1440, 900)] {
        let Some(violations) = chromium.axe_when_ready(&url, size, &Emulate::default(), ready)
        else {
            return;
        };
        let serious: Vec<_> = violations
            .iter()
            .filter(|v| v.impact == "serious" || v.impact == "critical")
            .map(|v| v.to_string())
            .collect();
        assert!(serious.is_empty(), "at {size:?}:\n{}", serious.join("\n"));
    }
}

#[test]
fn a_query_ignores_case_and_accents_finds_words_by_their_start_and_needs_every_word() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let built = build_bundled_edition(&[]);
    let book = built.path().join("book");
    let server = serve_dir(&book);
    let find = |query: &str| {
        let url = format!("{}search/index.html?q={query}", server.base_url);
        let value = chromium.eval(&url, 1280, 900, &[], RESULTS);
        (
            results(&value),
            value["status"].as_str().unwrap_or("").to_string(),
        )
    };
    let hrefs = |found: &[Result]| found.iter().map(|r| r.href.clone()).collect::<Vec<_>>();

    let (accented, status) = find("Coyoac%C3%A1n");
    assert!(!accented.is_empty(), "status: {status}");
    for text in accented
        .iter()
        .filter(|r| r.class.contains("search-result-text"))
    {
        assert!(text.marked > 0, "the excerpt marks the word: {}", text.href);
        for link in &text.passages {
            let (path, fragment) = link.split_once('#').unwrap();
            let page = book.join(path.split_once(&server.base_url).unwrap().1);
            let html = paragraph(&page, fragment);
            assert!(html.contains("Coyoacán"), "#{fragment} of {path}: {html}");
        }
    }
    let (plain, _) = find("COYOACAN");
    assert_eq!(
        hrefs(&plain),
        hrefs(&accented),
        "case and accents are folded"
    );
    let (start, _) = find("coyoa");
    assert_eq!(hrefs(&start), hrefs(&accented), "a word's start finds it");

    let (other, _) = find(QUERY);
    let (both, status) = find(&format!("coyoacan%20{QUERY}"));
    for result in &both {
        assert!(
            hrefs(&accented).contains(&result.href) && hrefs(&other).contains(&result.href),
            "{} holds only one of the words",
            result.href
        );
    }
    if both.is_empty() {
        assert!(status.starts_with("Nothing found"), "status: {status}");
    }
}
