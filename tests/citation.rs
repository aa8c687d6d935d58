//! "Cite this": every text of the bundled edition gets a CSL-JSON export that
//! validates against the CSL data schema (`../shared/schemas/csl`), a BibTeX
//! export that a BibTeX parser reads back, the `citation_*` and Dublin Core
//! meta tags reference managers read, and the citation strings on its page;
//! with `base_url` every form carries the text's address and the paragraph's.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use biblatex::{Bibliography, ChunksExt};
use jsonschema::Validator;
use serde_json::{json, Value};
use support::{build_bundled_edition, build_site, edition, repo_root};

fn csl_data_schema() -> Validator {
    let path = repo_root().join("../shared/schemas/csl/csl-data.json");
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the CSL schema is missing: {}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("the CSL schema is JSON");
    jsonschema::draft7::new(&schema).expect("the CSL schema compiles")
}

/// The folders of the site's texts: those holding a `cite.json`.
fn text_folders(site: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = fs::read_dir(site)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("cite.json").is_file())
        .collect();
    folders.sort();
    folders
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn errors(validator: &Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

#[test]
fn every_text_of_the_bundled_edition_has_valid_csl_json_and_bibtex() {
    let tmp = build_bundled_edition(&[]);
    let site = tmp.path().join("book");
    let folders = text_folders(&site);
    // Every folder with a page is a text, except the site's own pages (the indexes, compare/).
    let texts = fs::read_dir(&site)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("index.html").is_file())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !scholia::resolve::RESERVED_SLUGS.contains(&name.as_ref())
        })
        .count();
    assert_eq!(folders.len(), texts, "every text has its cite.json");
    assert_eq!(folders.len(), 13);
    let schema = csl_data_schema();
    for folder in &folders {
        let slug = folder.file_name().unwrap().to_string_lossy().into_owned();
        let csl: Value = serde_json::from_str(&read(&folder.join("cite.json"))).unwrap();
        assert_eq!(
            errors(&schema, &csl),
            Vec::<String>::new(),
            "{slug}/cite.json"
        );
        let item = &csl[0];
        assert_eq!(item["id"], slug.as_str());
        assert_eq!(item["container-title"], "Arguments over Stalinism");

        let bib = read(&folder.join("cite.bib"));
        let parsed = Bibliography::parse(&bib)
            .unwrap_or_else(|e| panic!("{slug}/cite.bib does not parse: {e:?}\n{bib}"));
        let entry = parsed
            .get(&slug)
            .unwrap_or_else(|| panic!("{slug}/cite.bib has no entry keyed {slug}"));
        assert_eq!(
            entry.title().unwrap().format_verbatim(),
            item["title"].as_str().unwrap(),
            "{slug}: BibTeX and CSL-JSON name the same title"
        );
        let bib_families: Vec<String> = entry
            .author()
            .map(|people| people.into_iter().map(|p| p.name).collect())
            .unwrap_or_default();
        let csl_families: Vec<String> = item["author"]
            .as_array()
            .map(|names| {
                names
                    .iter()
                    .map(|n| n["family"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(bib_families, csl_families, "{slug}: the same authors");
    }
}

#[test]
fn the_csl_schema_rejects_a_broken_item() {
    // So the test above cannot pass on a schema that accepts anything.
    let schema = csl_data_schema();
    let good = json!([{ "id": "a", "type": "chapter", "title": "T" }]);
    assert!(schema.is_valid(&good));
    for broken in [
        json!([{ "id": "a", "type": "text-page", "title": "T" }]),
        json!([{ "id": "a", "type": "chapter", "author": "Walter Ulbricht" }]),
        json!({ "id": "a", "type": "chapter" }),
    ] {
        assert!(!schema.is_valid(&broken), "{broken}");
    }
}

#[test]
fn an_anonymous_text_has_no_author_anywhere() {
    let tmp = build_bundled_edition(&[]);
    let folder = tmp.path().join("book/responding-to-xexizy");
    let page = read(&folder.join("index.html"));
    assert!(!page.contains("name=\"citation_author\""), "{page}");
    assert!(!page.contains("name=\"DC.creator\""));
    let csl: Value = serde_json::from_str(&read(&folder.join("cite.json"))).unwrap();
    assert!(csl[0].get("author").is_none());
    assert!(!read(&folder.join("cite.bib")).contains("author ="));
    assert!(page.contains(
        "<dt>Chicago, note</dt><dd>“Responding to Xexizy on ‘Not-real-Socialism,’” in <i>Arguments over Stalinism</i>, ed. The scholia editors.</dd>"
    ));
}

const TEXT: &str = r#"---
title: "How Is the Unity for the Fall of Hitler?"
author: "Walter Ulbricht"
date: "c. 1939-08"
translator: "Jane Doe"
publication: "Deutsche Volkszeitung"
language: "en"
---

First paragraph.

Second paragraph.
"#;

#[test]
fn with_base_url_every_form_carries_the_address_and_the_page_its_meta_tags() {
    let dir = edition(
        "[edition]\ntitle = \"An Edition\"\neditors = [\"Ann Able\", \"Ben Baker\"]\nlicense = \"CC BY 4.0\"\nbase_url = \"https://example.org/ed\"\n",
        &[("content/unity.md", TEXT.as_bytes())],
    );
    let site = dir.path().join("book");
    build_site(dir.path(), &site, &[]);
    let page = read(&site.join("unity/index.html"));
    let url = "https://example.org/ed/unity/";
    for tag in [
        "<meta name=\"citation_title\" content=\"How Is the Unity for the Fall of Hitler?\">"
            .to_string(),
        "<meta name=\"citation_author\" content=\"Walter Ulbricht\">".into(),
        "<meta name=\"citation_publication_date\" content=\"1939/08\">".into(),
        format!("<meta name=\"citation_public_url\" content=\"{url}\">"),
        format!("<meta name=\"citation_abstract_html_url\" content=\"{url}\">"),
        "<meta name=\"citation_inbook_title\" content=\"An Edition\">".into(),
        "<meta name=\"citation_editor\" content=\"Ben Baker\">".into(),
        "<meta name=\"citation_language\" content=\"en\">".into(),
        "<meta name=\"DC.title\" content=\"How Is the Unity for the Fall of Hitler?\">".into(),
        "<meta name=\"DC.creator\" content=\"Walter Ulbricht\">".into(),
        "<meta name=\"DC.date\" content=\"1939-08\">".into(),
        "<meta name=\"DC.publisher\" content=\"An Edition\">".into(),
        "<meta name=\"DC.contributor\" content=\"Jane Doe\">".into(),
        format!("<meta name=\"DC.identifier\" content=\"{url}\">"),
        "<meta name=\"DC.rights\" content=\"CC BY 4.0\">".into(),
        "<link rel=\"alternate\" type=\"application/x-bibtex\" href=\"cite.bib\"".into(),
    ] {
        assert!(page.contains(&tag), "the page lacks {tag}");
    }
    assert!(page.contains(
        "<dt>Chicago, note</dt><dd>Walter Ulbricht, “How Is the Unity for the Fall of Hitler?” ca. August 1939, trans. Jane Doe, in <i>An Edition</i>, ed. Ann Able and Ben Baker, https://example.org/ed/unity/.</dd>"
    ), "{page}");
    assert!(page.contains(
        "para. <var class=\"cite-paragraph\">N</var>, https://example.org/ed/unity/#p-<var class=\"cite-paragraph\">N</var>.</dd>"
    ));
    assert!(page.contains("<dd>(Ulbricht, par. <var class=\"cite-paragraph\">N</var>)</dd>"));
    assert!(page.contains("MLA, works cited</dt><dd>Ulbricht, Walter. “How Is the Unity for the Fall of Hitler?” ca. Aug. 1939. Originally published in Deutsche Volkszeitung. Translated by Jane Doe. <i>An Edition</i>, edited by Ann Able and Ben Baker, example.org/ed/unity/.</dd>"));

    let csl: Value = serde_json::from_str(&read(&site.join("unity/cite.json"))).unwrap();
    assert_eq!(errors(&csl_data_schema(), &csl), Vec::<String>::new());
    assert_eq!(csl[0]["URL"], url);
    assert_eq!(
        csl[0]["translator"],
        json!([{ "family": "Doe", "given": "Jane" }])
    );
    assert_eq!(
        csl[0]["issued"],
        json!({ "date-parts": [[1939, 8]], "circa": true })
    );

    let bib = read(&site.join("unity/cite.bib"));
    let parsed = Bibliography::parse(&bib).expect("cite.bib parses");
    let entry = parsed.get("unity").expect("keyed by the slug");
    assert_eq!(entry.url().unwrap(), url);
    let editors: Vec<String> = entry
        .editors()
        .unwrap()
        .into_iter()
        .flat_map(|(people, _)| people)
        .map(|p| p.name)
        .collect();
    assert_eq!(editors, ["Able", "Baker"]);
    assert_eq!(
        entry.get("translator").unwrap().format_verbatim(),
        "Doe, Jane"
    );
}

/// Reads the paragraph placeholders, follows another paragraph's number, reads them again.
const FOLLOW_PARAGRAPH: &str = r##"
(async () => {
  const filled = () => [...document.querySelectorAll('var.cite-paragraph')].map((v) => v.textContent);
  const first = filled();
  document.querySelector('a.pnum[href="#p-3"]').click();
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { first, after: filled(), note: document.querySelectorAll('.cite dd')[3].textContent };
})()
"##;

#[test]
fn following_a_paragraph_number_fills_it_into_the_paragraph_citation() {
    let Some(chromium) = support::Chromium::find_or_skip() else {
        return;
    };
    let fixture = repo_root().join("tests/fixtures/notes");
    let out = tempfile::tempdir().unwrap();
    build_site(&fixture, &out.path().join("book"), &[]);
    let url = support::file_url(&out.path().join("book/united-front/index.html"));
    let load = chromium.load(&format!("{url}#p-2"), 1024, 800, &[], FOLLOW_PARAGRAPH);
    assert!(load.exceptions.is_empty(), "{:?}", load.exceptions);
    let seen = load.value;
    assert_eq!(seen["first"], json!(["2", "2", "2", "2"]), "{seen}");
    assert_eq!(seen["after"], json!(["3", "3", "3", "3"]), "{seen}");
    assert!(
        seen["note"]
            .as_str()
            .unwrap()
            .ends_with("para. 3, https://example.org/notes/united-front/#p-3."),
        "{seen}"
    );
}
