//! The W3C Web Annotation export: a text's anchored notes in, one
//! `AnnotationPage` (JSON-LD, <https://www.w3.org/TR/annotation-model/>) out.
//!
//! Each note becomes an `Annotation`:
//! - `id`: the note's place on the text page, `{base_url}{slug}/#note-{id}`.
//!   Without `base_url` the edition has no absolute address, and the model
//!   (and its test suite: `format: uri`) wants an absolute IRI, so the id is
//!   `urn:scholia:{slug}:note:{id}`: stable across builds, but unique only
//!   within the edition (`scholia` is not a registered URN namespace).
//! - `motivation` from the note type; `created` from the note's `date` when it
//!   is a full calendar date (as midnight UTC: the model wants an
//!   `xsd:dateTime` with a time zone); `creator` from `editor`.
//! - `body`: one `TextualBody` holding the note as HTML, with `purpose` equal
//!   to the motivation and the note's sources as `dc:source` (Dublin Core
//!   "a related resource from which the described resource is derived",
//!   defined by the anno.jsonld context). The sources are bibliographic
//!   strings, not resources, so they are not bodies of their own.
//! - `target`: the text page, narrowed by a `FragmentSelector` to the
//!   paragraph (`p-N`) and, for a quoted passage, refined by a
//!   `TextQuoteSelector` and a `TextPositionSelector` (two refinements of the
//!   same paragraph, each enough on its own; the model allows several). The
//!   positions count Unicode code points in the paragraph's plain text as
//!   [`crate::model::Block::text`] holds it. A whole-paragraph note has the
//!   fragment alone.
//!
//! Without `base_url` the target is the relative reference `../{slug}/`,
//! which JSON-LD resolves against the file's own URL (`{slug}/annotations.jsonld`);
//! the W3C test suite, which wants absolute URIs, accepts only an edition
//! with `base_url`.

use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::model::{AnchoredNote, PartialDate, Text};
use crate::parse::notes::Anchor;

/// The JSON-LD context of the Web Annotation model.
pub const CONTEXT: &str = "http://www.w3.org/ns/anno.jsonld";

/// The name of the export in a text's folder: `{slug}/annotations.jsonld`.
pub const FILE_NAME: &str = "annotations.jsonld";

/// The media type the export is served as (the model's profile of JSON-LD).
pub const MEDIA_TYPE: &str = "application/ld+json; profile=\"http://www.w3.org/ns/anno.jsonld\"";

/// The annotation page of one text: every note of the text, in document order.
pub fn annotation_page(text: &Text, config: &Config) -> Value {
    let urls = Urls::new(text, config);
    let items: Vec<Value> = text
        .notes
        .iter()
        .map(|note| annotation(note, &urls, &config.edition.language))
        .collect();
    json!({
        "@context": CONTEXT,
        "id": urls.page(),
        "type": "AnnotationPage",
        "startIndex": 0,
        "items": items,
    })
}

/// The addresses of one text's page and notes.
struct Urls<'a> {
    base_url: Option<&'a str>,
    /// The slug, percent-encoded where it is not URI-safe.
    slug: String,
}

impl<'a> Urls<'a> {
    fn new(text: &Text, config: &'a Config) -> Self {
        Urls {
            base_url: config.edition.base_url.as_deref(),
            slug: percent_encode(&text.id.0),
        }
    }

    fn page(&self) -> String {
        match self.base_url {
            Some(base) => format!("{base}{}/{FILE_NAME}", self.slug),
            None => format!("urn:scholia:{}:annotations", self.slug),
        }
    }

    fn text(&self) -> String {
        match self.base_url {
            Some(base) => format!("{base}{}/", self.slug),
            None => format!("../{}/", self.slug),
        }
    }

    fn note(&self, id: &str) -> String {
        let id = percent_encode(id);
        match self.base_url {
            Some(base) => format!("{base}{}/#note-{id}", self.slug),
            None => format!("urn:scholia:{}:note:{id}", self.slug),
        }
    }
}

fn annotation(anchored: &AnchoredNote, urls: &Urls, language: &str) -> Value {
    let note = &anchored.note;
    let motivation = note.kind.motivation();
    let mut body = json!({
        "type": "TextualBody",
        "value": anchored.body_html,
        "format": "text/html",
        "language": language,
        "purpose": motivation,
    });
    if !note.sources.is_empty() {
        body["dc:source"] = json!(note.sources);
    }

    let mut fragment = json!({
        "type": "FragmentSelector",
        "conformsTo": "http://tools.ietf.org/rfc/rfc3986",
        "value": format!("p-{}", anchored.paragraph),
    });
    if let Anchor::Quote { .. } = note.anchor {
        let mut quote = Map::new();
        quote.insert("type".into(), json!("TextQuoteSelector"));
        quote.insert("exact".into(), json!(anchored.exact));
        if !anchored.prefix.is_empty() {
            quote.insert("prefix".into(), json!(anchored.prefix));
        }
        if !anchored.suffix.is_empty() {
            quote.insert("suffix".into(), json!(anchored.suffix));
        }
        fragment["refinedBy"] = json!([
            quote,
            {
                "type": "TextPositionSelector",
                "start": anchored.start,
                "end": anchored.end,
            },
        ]);
    }

    let mut annotation = json!({
        "@context": CONTEXT,
        "id": urls.note(&note.id),
        "type": "Annotation",
        "motivation": motivation,
        "body": body,
        "target": {
            "source": urls.text(),
            "selector": fragment,
        },
    });
    if let Some(created) = note.date.as_deref().and_then(date_time) {
        annotation["created"] = json!(created);
    }
    if let Some(editor) = note.editor.as_deref().filter(|e| !e.trim().is_empty()) {
        annotation["creator"] = json!({ "type": "Person", "name": editor.trim() });
    }
    annotation
}

/// `2026-11-22` -> `2026-11-22T00:00:00Z`; `None` for anything less than a
/// real calendar day (`2026-11`, `c. 2026-11-22`, `2026-02-30`, free text).
fn date_time(written: &str) -> Option<String> {
    let date = PartialDate::parse(written)?;
    let (month, day) = (date.month?, date.day?);
    if date.approximate || day > days_in_month(date.year, month) {
        return None;
    }
    Some(format!("{:04}-{month:02}-{day:02}T00:00:00Z", date.year))
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Slugs may hold any Unicode letter; a URI holds ASCII only (RFC 3987's
/// mapping of an IRI to a URI: UTF-8 bytes, percent-encoded).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::config::EditionMeta;
    use crate::load::{FileKind, SourceFile};
    use crate::parse::{parse_file, Parsed};

    const SOURCE: &str = r#"---
title: "A Letter"
slug: "brief-über"
notes:
  - id: front
    anchor: { exact: "united front" }
    type: dispute
    body: "Contested *term*."
    sources: ["Smith 1990, p. 4", "Jones 2001"]
    editor: "A. Editor"
    date: "2026-11-22"
  - id: whole
    anchor: { paragraph: 2 }
    type: context
    body: "The second paragraph."
    date: "2026-11"
---

Dear comrades, the united front is here.

A second paragraph.
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

    fn config(base_url: Option<&str>) -> Config {
        Config {
            root: PathBuf::from("."),
            edition: EditionMeta {
                title: "Edition".into(),
                subtitle: None,
                editors: vec![],
                language: "en".into(),
                description: None,
                license: None,
                base_url: base_url.map(String::from),
            },
            content_dir: PathBuf::from("content"),
            output_dir: PathBuf::from("book"),
            theme: "default".into(),
            theme_dir: PathBuf::from("themes/default"),
            entities: Default::default(),
            base_path: None,
            search: true,
        }
    }

    #[test]
    fn a_page_holds_every_note_as_an_annotation() {
        let page = annotation_page(&text(), &config(Some("https://example.org/ed/")));
        let expected = json!({
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": "https://example.org/ed/brief-%C3%BCber/annotations.jsonld",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": [
                {
                    "@context": "http://www.w3.org/ns/anno.jsonld",
                    "id": "https://example.org/ed/brief-%C3%BCber/#note-front",
                    "type": "Annotation",
                    "motivation": "questioning",
                    "created": "2026-11-22T00:00:00Z",
                    "creator": { "type": "Person", "name": "A. Editor" },
                    "body": {
                        "type": "TextualBody",
                        "value": "<p>Contested <em>term</em>.</p>\n",
                        "format": "text/html",
                        "language": "en",
                        "purpose": "questioning",
                        "dc:source": ["Smith 1990, p. 4", "Jones 2001"],
                    },
                    "target": {
                        "source": "https://example.org/ed/brief-%C3%BCber/",
                        "selector": {
                            "type": "FragmentSelector",
                            "conformsTo": "http://tools.ietf.org/rfc/rfc3986",
                            "value": "p-1",
                            "refinedBy": [
                                {
                                    "type": "TextQuoteSelector",
                                    "exact": "united front",
                                    "prefix": "Dear comrades, the ",
                                    "suffix": " is here.",
                                },
                                { "type": "TextPositionSelector", "start": 19, "end": 31 },
                            ],
                        },
                    },
                },
                {
                    "@context": "http://www.w3.org/ns/anno.jsonld",
                    "id": "https://example.org/ed/brief-%C3%BCber/#note-whole",
                    "type": "Annotation",
                    "motivation": "describing",
                    "body": {
                        "type": "TextualBody",
                        "value": "<p>The second paragraph.</p>\n",
                        "format": "text/html",
                        "language": "en",
                        "purpose": "describing",
                    },
                    "target": {
                        "source": "https://example.org/ed/brief-%C3%BCber/",
                        "selector": {
                            "type": "FragmentSelector",
                            "conformsTo": "http://tools.ietf.org/rfc/rfc3986",
                            "value": "p-2",
                        },
                    },
                },
            ],
        });
        assert_eq!(
            page,
            expected,
            "{}",
            serde_json::to_string_pretty(&page).unwrap()
        );
    }

    #[test]
    fn without_base_url_ids_are_urns_and_the_target_is_relative() {
        let page = annotation_page(&text(), &config(None));
        assert_eq!(page["id"], "urn:scholia:brief-%C3%BCber:annotations");
        let first = &page["items"][0];
        assert_eq!(first["id"], "urn:scholia:brief-%C3%BCber:note:front");
        assert_eq!(first["target"]["source"], "../brief-%C3%BCber/");
    }

    #[test]
    fn created_only_for_a_real_calendar_day() {
        assert_eq!(
            date_time("2024-02-29").as_deref(),
            Some("2024-02-29T00:00:00Z")
        );
        for not_a_day in [
            "2023-02-29",
            "2026-04-31",
            "2026-11",
            "2026",
            "c. 2026-11-22",
            "22 Nov 2026",
        ] {
            assert_eq!(date_time(not_a_day), None, "{not_a_day}");
        }
    }

    #[test]
    fn a_text_without_notes_has_an_empty_page() {
        let mut text = text();
        text.notes.clear();
        let page = annotation_page(&text, &config(None));
        assert_eq!(page["items"], json!([]));
        assert_eq!(page["type"], "AnnotationPage");
    }
}
