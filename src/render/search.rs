//! Search: the resolved edition in, the files of a chunked full-text index out.
//!
//! Every text, editorial note and entity becomes one record, handed to the
//! `pagefind` crate, which builds the index in this process (no separate
//! tool) and splits it into chunks, so a reader's browser downloads only the
//! parts a query needs. The records are small HTML documents written here
//! from the model rather than the theme's pages: they hold what is worth
//! finding (a text's words, not its navigation or its notes twice), they work
//! with any theme, and their markup tells pagefind the rest:
//!
//! - each numbered block is `<p id="p-N" data-pagefind-title="paragraph N">`,
//!   so a hit in a text becomes a sub-result linking to its paragraph;
//! - `kind` (`text`, `note`, `entity`) is both metadata and a filter, beside
//!   `title` (the text's title, or the entity's name) and, for a note, the
//!   passage it explains.
//!
//! URLs are relative to the site root (`slug/index.html#note-x`); the search
//! page prefixes its own way back to the root, so the site keeps working
//! under a sub-path. The files go under [`DIR`] in the output.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::model::{AnchoredNote, Edition, Text};
use crate::parse::entities::Entity;

use super::push_escaped;
use super::views::text_url;

/// The folder of the index in the site.
pub const DIR: &str = "pagefind";

/// One thing a reader can find, as pagefind takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Relative to the site root.
    pub url: String,
    pub html: String,
}

/// A file of the built index: its path under [`DIR`] and its bytes.
pub struct IndexFile {
    pub rel: String,
    pub contents: Vec<u8>,
}

/// The records of the edition: its texts, their notes, and (when the theme
/// renders entity pages, so a hit has somewhere to go) its entities.
pub fn records(edition: &Edition, entity_pages: bool) -> Vec<Record> {
    let mut records: Vec<Record> = edition
        .texts
        .par_iter()
        .flat_map_iter(|text| {
            std::iter::once(text_record(text))
                .chain(text.notes.iter().map(move |note| note_record(text, note)))
        })
        .collect();
    if entity_pages {
        records.extend(edition.registry.entities.iter().map(entity_record));
    }
    records
}

/// Builds the index from `records`, all in one language (the edition's), so
/// one query finds every text whatever language its front-matter names.
pub fn build_index(records: Vec<Record>, language: &str) -> Result<Vec<IndexFile>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| format!("cannot start the indexer: {e}"))?;
    let language = language.split('-').next().unwrap_or("en").to_lowercase();
    runtime.block_on(async move {
        let options = pagefind::options::PagefindServiceConfig::builder()
            .keep_index_url(true)
            .force_language(language)
            .build();
        let mut index =
            pagefind::api::PagefindIndex::new(Some(options)).map_err(|e| e.to_string())?;
        for record in records {
            let url = record.url.clone();
            index
                .add_html_file(None, Some(record.url), record.html)
                .await
                .map_err(|e| format!("cannot index {url}: {e}"))?;
        }
        let files = index.get_files().await.map_err(|e| e.to_string())?;
        Ok(files
            .into_iter()
            .filter(|f| !is_unused_ui(&f.filename))
            .map(|f| IndexFile {
                rel: f.filename.to_string_lossy().replace('\\', "/"),
                contents: f.contents,
            })
            .collect())
    })
}

/// pagefind also gives its own search interfaces (about 430 KB); the theme
/// has its own page, so only the index and `pagefind.js` are written.
fn is_unused_ui(file: &std::path::Path) -> bool {
    let name = file.to_string_lossy();
    name.starts_with("pagefind-") && (name.contains("-ui.") || name.contains("highlight"))
}

fn text_record(text: &Text) -> Record {
    let mut meta = BTreeMap::new();
    meta.insert("title", text.meta.title.as_str());
    let mut html = document_head("text", &meta);
    element(&mut html, "h1", &text.meta.title);
    let byline = byline(text);
    if !byline.is_empty() {
        element(&mut html, "p", &byline);
    }
    let mut headings = text.headings.iter().peekable();
    for (ordinal, block) in text.blocks.iter().enumerate() {
        while let Some(h) = headings.next_if(|h| h.blocks_before <= ordinal) {
            heading(&mut html, h.level, &h.id, &h.text);
        }
        html.push_str(&format!(
            "<p id=\"p-{n}\" data-pagefind-title=\"paragraph {n}\">",
            n = block.number
        ));
        push_escaped(&mut html, &block.text);
        html.push_str("</p>\n");
    }
    for h in headings {
        heading(&mut html, h.level, &h.id, &h.text);
    }
    // The author's footnotes, as rendered: their heading makes them a sub-result of their own.
    html.push_str(&text.footnotes_html);
    html.push_str("</body></html>\n");
    Record {
        url: text_url(text),
        html,
    }
}

fn note_record(text: &Text, note: &AnchoredNote) -> Record {
    let mut meta = BTreeMap::new();
    meta.insert("title", text.meta.title.as_str());
    meta.insert("passage", note.exact.as_str());
    meta.insert("note_type", note.note.kind.label());
    let mut html = document_head("note", &meta);
    html.push_str(&note.body_html);
    for source in &note.note.sources {
        element(&mut html, "p", source);
    }
    html.push_str("</body></html>\n");
    Record {
        url: format!("{}#note-{}", text_url(text), note.note.id),
        html,
    }
}

fn entity_record(entity: &Entity) -> Record {
    let mut meta = BTreeMap::new();
    meta.insert("title", entity.name.as_str());
    meta.insert("entity_type", entity.kind.name());
    let mut html = document_head("entity", &meta);
    element(&mut html, "h1", &entity.name);
    let other_names: Vec<&str> = entity
        .aliases
        .iter()
        .map(String::as_str)
        .filter(|a| *a != entity.name)
        .collect();
    if !other_names.is_empty() {
        element(&mut html, "p", &other_names.join(", "));
    }
    if let Some(dates) = &entity.dates {
        element(&mut html, "p", dates);
    }
    element(&mut html, "p", &entity.description);
    html.push_str("</body></html>\n");
    Record {
        url: format!("entities/{}/index.html", entity.id),
        html,
    }
}

/// `<html>` to `<body>`, with the record's kind and metadata as pagefind reads
/// them. Values sit in `content` attributes, where commas and colons are safe.
fn document_head(kind: &str, meta: &BTreeMap<&str, &str>) -> String {
    let mut html = String::from("<html><head>");
    html.push_str(&format!(
        "<meta data-pagefind-meta=\"kind[content]\" data-pagefind-filter=\"kind[content]\" content=\"{kind}\">"
    ));
    for (key, value) in meta {
        html.push_str(&format!(
            "<meta data-pagefind-meta=\"{key}[content]\" content=\""
        ));
        push_escaped(&mut html, value);
        html.push_str("\">");
    }
    html.push_str("</head><body>\n");
    html
}

fn element(html: &mut String, tag: &str, text: &str) {
    html.push_str(&format!("<{tag}>"));
    push_escaped(html, text);
    html.push_str(&format!("</{tag}>\n"));
}

fn heading(html: &mut String, level: u8, id: &str, text: &str) {
    html.push_str(&format!("<h{level} id=\""));
    push_escaped(html, id);
    html.push_str("\">");
    push_escaped(html, text);
    html.push_str(&format!("</h{level}>\n"));
}

/// `Walter Ulbricht, 1939-08-26`: who wrote the text and when, so a query for
/// an author finds their texts.
fn byline(text: &Text) -> String {
    let mut parts: Vec<&str> = text
        .meta
        .authors
        .iter()
        .map(String::as_str)
        .filter(|a| !a.eq_ignore_ascii_case("unknown"))
        .collect();
    if let Some(date) = &text.meta.date {
        parts.push(&date.written);
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;
    use std::path::PathBuf;

    use super::*;
    use crate::load::{FileKind, SourceFile};
    use crate::parse::{parse_file, Parsed};

    const SOURCE: &str = r#"---
title: "Letters & <Notes>"
author: "Clara Zetkin"
date: "1920-03"
notes:
  - id: front
    anchor: { exact: "united front" }
    type: dispute
    body: "A *contested* term, then and now."
    sources: ["Smith 1990, p. 4"]
---

Dear comrades, the united front is here.

## A heading

A second paragraph, with 1 < 2.
"#;

    fn text() -> Text {
        let file = SourceFile {
            kind: FileKind::Text,
            rel: PathBuf::from("letter.md"),
            display: PathBuf::from("content/letter.md"),
            text: SOURCE.to_string(),
        };
        match parse_file(&file, &Default::default()) {
            Ok(Parsed::Text(text)) => *text,
            other => panic!("the test text does not parse: {other:?}"),
        }
    }

    #[test]
    fn a_text_record_numbers_its_paragraphs_for_sub_results() {
        let record = text_record(&text());
        assert_eq!(record.url, "letter/index.html");
        let html = &record.html;
        let expected_in_order = [
            "<meta data-pagefind-meta=\"kind[content]\" data-pagefind-filter=\"kind[content]\" content=\"text\">",
            "<meta data-pagefind-meta=\"title[content]\" content=\"Letters &amp; &lt;Notes&gt;\">",
            "<h1>Letters &amp; &lt;Notes&gt;</h1>",
            "<p>Clara Zetkin, 1920-03</p>",
            "<p id=\"p-1\" data-pagefind-title=\"paragraph 1\">Dear comrades, the united front is here.</p>",
            "<h2 id=\"a-heading\">A heading</h2>",
            "<p id=\"p-2\" data-pagefind-title=\"paragraph 2\">A second paragraph, with 1 &lt; 2.</p>",
        ];
        let mut from = 0;
        for part in expected_in_order {
            let at = html[from..]
                .find(part)
                .unwrap_or_else(|| panic!("{part} not found, in order, in:\n{html}"));
            from += at + part.len();
        }
        assert!(!html.contains("contested"), "the note is its own record");
    }

    #[test]
    fn a_note_record_links_to_the_note_and_names_its_passage() {
        let text = text();
        let record = note_record(&text, &text.notes[0]);
        assert_eq!(record.url, "letter/index.html#note-front");
        for part in [
            "content=\"note\"",
            "<meta data-pagefind-meta=\"passage[content]\" content=\"united front\">",
            "<meta data-pagefind-meta=\"note_type[content]\" content=\"Disputed\">",
            "<em>contested</em>",
            "<p>Smith 1990, p. 4</p>",
        ] {
            assert!(record.html.contains(part), "{part} in:\n{}", record.html);
        }
    }

    /// A fragment of the built index: pagefind stores each record gzipped, after a signature.
    fn fragment_json(contents: &[u8]) -> serde_json::Value {
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(contents)
            .read_to_end(&mut bytes)
            .expect("a gzipped fragment");
        let json = bytes
            .strip_prefix(b"pagefind_dcd".as_slice())
            .expect("pagefind's signature");
        serde_json::from_slice(json).expect("a JSON fragment")
    }

    #[test]
    fn the_index_holds_every_record_with_its_kind_and_paragraph_anchors() {
        let text = text();
        let records = vec![text_record(&text), note_record(&text, &text.notes[0])];
        let files = build_index(records, "en-GB").unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        for needed in ["pagefind.js", "pagefind-entry.json", "wasm.en.pagefind"] {
            assert!(names.contains(&needed), "{needed} in {names:?}");
        }
        for unused in [
            "pagefind-ui.js",
            "pagefind-component-ui.js",
            "pagefind-highlight.js",
        ] {
            assert!(
                !names.contains(&unused),
                "{unused} is not written: {names:?}"
            );
        }
        let fragments: Vec<serde_json::Value> = files
            .iter()
            .filter(|f| f.rel.starts_with("fragment/"))
            .map(|f| fragment_json(&f.contents))
            .collect();
        assert_eq!(fragments.len(), 2, "one fragment per record");
        let page = fragments
            .iter()
            .find(|f| f["meta"]["kind"] == "text")
            .expect("the text's fragment");
        assert_eq!(page["url"], "letter/index.html");
        assert_eq!(page["meta"]["title"], "Letters & <Notes>");
        let anchors: Vec<(&str, &str)> = page["anchors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["id"].as_str().unwrap(), a["title"].as_str().unwrap_or("")))
            .collect();
        assert!(anchors.contains(&("p-2", "paragraph 2")), "{anchors:?}");
        let note = fragments
            .iter()
            .find(|f| f["meta"]["kind"] == "note")
            .expect("the note's fragment");
        assert_eq!(note["url"], "letter/index.html#note-front");
        assert_eq!(note["filters"]["kind"][0], "note");
    }
}
