//! Views: the small, serializable types each template receives.
//!
//! Templates never see the internal model. Every view borrows from it, so
//! building one costs no copies of text bodies. `docs/theme variables` in the
//! README lists these fields for theme authors; keep the two in step.

use serde::Serialize;

use crate::config::EditionMeta;
use crate::model::{AnchoredNote, Edition, Heading, PartialDate, Section, Text};
use crate::parse::entities::{Entity, EntityType};

use super::mentions::{MentionsByText, TextLinks};

/// `site`: the edition as a whole, on every page.
#[derive(Serialize)]
pub struct SiteView<'a> {
    #[serde(flatten)]
    pub meta: &'a EditionMeta,
    pub generator: &'static str,
    /// Whether the site has a search page (and the search box that leads to it).
    pub search: bool,
}

/// `page`: where this page is, so templates can build relative URLs.
#[derive(Serialize)]
pub struct PageView {
    /// Prefix from this page to the site root: `""`, `"../"`, or the base path on the 404 page.
    pub root: String,
    /// Absolute URL of the page when `base_url` is set.
    pub canonical_url: Option<String>,
    /// `index`, `text`, `notes`, `entity`, `entities`, `compare`, `search` or `404`.
    pub kind: &'static str,
}

#[derive(Serialize)]
pub struct DateView<'a> {
    /// As the editor wrote it, e.g. `c. 1939`.
    pub written: &'a str,
    /// ISO 8601 with the precision known, for `<time datetime>`.
    pub iso: String,
    /// `YYYY/MM/DD` (as precise as known), for `citation_publication_date`.
    pub citation: String,
}

impl<'a> DateView<'a> {
    pub fn new(date: &'a PartialDate) -> Self {
        DateView {
            written: &date.written,
            iso: date.iso(),
            citation: date.citation_form(),
        }
    }
}

/// A text as listed in the table of contents or as a neighbour.
#[derive(Serialize)]
pub struct TextSummaryView<'a> {
    pub slug: &'a str,
    /// Relative to the site root: prefix it with `page.root`.
    pub url: String,
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub authors: &'a [String],
    pub date: Option<DateView<'a>>,
    pub summary: Option<&'a str>,
    pub genre: Option<&'a str>,
}

impl<'a> TextSummaryView<'a> {
    pub fn new(text: &'a Text) -> Self {
        TextSummaryView {
            slug: &text.id.0,
            url: text_url(text),
            title: &text.meta.title,
            subtitle: text.meta.subtitle.as_deref(),
            authors: &text.meta.authors,
            date: text.meta.date.as_ref().map(DateView::new),
            summary: text.meta.summary.as_deref(),
            genre: text.meta.genre.as_deref(),
        }
    }
}

/// The URL of a text relative to the site root. It names `index.html` so the
/// site also works from `file://`, where folders do not open their index.
pub fn text_url(text: &Text) -> String {
    format!("{}/index.html", text.id.0)
}

/// The English name of a common language tag; other tags are shown as written.
pub fn language_name(tag: &str) -> &str {
    let primary = tag.split('-').next().unwrap_or(tag);
    match primary {
        "de" => "German",
        "en" => "English",
        "fr" => "French",
        "es" => "Spanish",
        "it" => "Italian",
        "ru" => "Russian",
        "sq" => "Albanian",
        "zh" => "Chinese",
        "pl" => "Polish",
        "pt" => "Portuguese",
        "uk" => "Ukrainian",
        "el" => "Greek",
        "sr" | "hr" | "sh" => "Serbo-Croatian",
        "yi" => "Yiddish",
        "la" => "Latin",
        _ => tag,
    }
}

/// A section of the table of contents.
#[derive(Serialize)]
pub struct SectionView<'a> {
    pub title: &'a str,
    /// `""` for texts at the top of the content folder.
    pub path: &'a str,
    pub summary: Option<&'a str>,
    pub intro_html: &'a str,
    pub texts: Vec<TextSummaryView<'a>>,
}

impl<'a> SectionView<'a> {
    pub fn new(section: &'a Section, edition: &'a Edition) -> Self {
        SectionView {
            title: &section.title,
            path: &section.path,
            summary: section.summary.as_deref(),
            intro_html: &section.intro_html,
            texts: section
                .texts
                .iter()
                .map(|&i| TextSummaryView::new(&edition.texts[i]))
                .collect(),
        }
    }
}

#[derive(Serialize)]
pub struct ProvenanceView<'a> {
    /// The raw source, relative to the site root.
    pub url: &'a str,
    pub file_name: &'a str,
    pub lines: &'a str,
    pub sha256: &'a str,
    /// The first 12 hex digits, enough to tell versions apart at a glance.
    pub sha256_short: &'a str,
}

/// `text`: everything the text page shows.
#[derive(Serialize)]
pub struct TextView<'a> {
    #[serde(flatten)]
    pub summary: TextSummaryView<'a>,
    pub publication: Option<&'a str>,
    pub source: Option<&'a str>,
    pub translator: Option<&'a str>,
    pub original_language: Option<&'a str>,
    /// `German` for `de`, where scholia knows the name; else the tag itself.
    pub original_language_name: Option<&'a str>,
    pub language: Option<&'a str>,
    pub tradition: Option<&'a str>,
    pub tags: &'a [String],
    pub section_title: Option<&'a str>,
    pub headings: &'a [Heading],
    pub body_html: &'a str,
    pub footnotes_html: &'a str,
    pub word_count: usize,
    pub provenance: Option<ProvenanceView<'a>>,
    pub residue: &'a [String],
    pub notes: Vec<NoteView<'a>>,
}

/// An editorial note, for lists of notes (the print endnotes, the notes index).
#[derive(Serialize)]
pub struct NoteView<'a> {
    pub id: &'a str,
    pub label: &'a str,
    /// `context`, `dispute`, `correction`, `source-check` or `translation`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub type_label: &'static str,
    pub paragraph: u32,
    /// The passage as it reads in the text.
    pub exact: &'a str,
    pub body_html: &'a str,
    pub sources: &'a [String],
    /// The sources, their Markdown (italic titles) rendered.
    pub sources_html: Vec<String>,
    pub editor: Option<&'a str>,
    pub date: Option<&'a str>,
    /// The note in its text, relative to the site root.
    pub url: String,
}

impl<'a> NoteView<'a> {
    pub fn new(text: &'a Text, note: &'a AnchoredNote) -> Self {
        NoteView {
            id: &note.note.id,
            label: &note.label,
            kind: note.note.kind.name(),
            type_label: note.note.kind.label(),
            paragraph: note.paragraph,
            exact: &note.exact,
            body_html: &note.body_html,
            sources: &note.note.sources,
            sources_html: note
                .note
                .sources
                .iter()
                .map(|s| crate::render::notes::inline_markdown(s))
                .collect(),
            editor: note.note.editor.as_deref(),
            date: note.note.date.as_deref(),
            url: format!("{}#note-{}", text_url(text), note.note.id),
        }
    }
}

impl<'a> TextView<'a> {
    pub fn new(text: &'a Text, section: Option<&'a Section>) -> Self {
        let m = &text.meta;
        TextView {
            summary: TextSummaryView::new(text),
            publication: m.publication.as_deref(),
            source: m.source.as_deref(),
            translator: m.translator.as_deref(),
            original_language: m.original_language.as_deref(),
            original_language_name: m.original_language.as_deref().map(language_name),
            language: m.language.as_deref(),
            tradition: m.tradition.as_deref(),
            tags: &m.tags,
            section_title: section
                .filter(|s| !s.path.is_empty())
                .map(|s| s.title.as_str()),
            headings: &text.headings,
            body_html: &text.body_html,
            footnotes_html: &text.footnotes_html,
            word_count: text.word_count,
            provenance: m.provenance.as_ref().map(|p| ProvenanceView {
                url: &p.file,
                file_name: p.file.rsplit('/').next().unwrap_or(&p.file),
                lines: &p.lines,
                sha256: &p.sha256,
                sha256_short: p.sha256.get(..12).unwrap_or(&p.sha256),
            }),
            residue: &m.residue,
            notes: text.notes.iter().map(|n| NoteView::new(text, n)).collect(),
        }
    }
}

/// `texts` on the notes index: each text that has notes, with them.
#[derive(Serialize)]
pub struct TextNotesView<'a> {
    pub text: TextSummaryView<'a>,
    pub notes: Vec<NoteView<'a>>,
}

/// `types` on the notes index: the notes of one type, across the edition.
#[derive(Serialize)]
pub struct TypeNotesView<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub label: &'static str,
    pub notes: Vec<NoteInTextView<'a>>,
}

#[derive(Serialize)]
pub struct NoteInTextView<'a> {
    pub note: NoteView<'a>,
    pub text_title: &'a str,
}

/// The notes index, grouped by text (in reading order) and by type.
pub fn notes_index<'a>(
    edition: &'a Edition,
    order: &[usize],
) -> (Vec<TextNotesView<'a>>, Vec<TypeNotesView<'a>>) {
    let texts: Vec<&Text> = order
        .iter()
        .map(|&i| &edition.texts[i])
        .filter(|t| !t.notes.is_empty())
        .collect();
    let by_text = texts
        .iter()
        .map(|t| TextNotesView {
            text: TextSummaryView::new(t),
            notes: t.notes.iter().map(|n| NoteView::new(t, n)).collect(),
        })
        .collect();
    let by_type = crate::parse::notes::NoteType::ALL
        .into_iter()
        .map(|kind| TypeNotesView {
            kind: kind.name(),
            label: kind.label(),
            notes: texts
                .iter()
                .flat_map(|t| {
                    t.notes
                        .iter()
                        .filter(move |n| n.note.kind == kind)
                        .map(move |n| (t, n))
                })
                .map(|(t, n)| NoteInTextView {
                    note: NoteView::new(t, n),
                    text_title: &t.meta.title,
                })
                .collect(),
        })
        .filter(|group| !group.notes.is_empty())
        .collect();
    (by_text, by_type)
}

/// An entity as listed (on a text page, on the index of entities).
#[derive(Serialize)]
pub struct EntitySummaryView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub dates: Option<&'a str>,
    /// Relative to the site root.
    pub url: String,
    /// Mentions: in this text on a text page, in the edition on the index.
    pub count: usize,
}

impl<'a> EntitySummaryView<'a> {
    pub fn new(entity: &'a Entity, count: usize) -> Self {
        EntitySummaryView {
            id: &entity.id,
            name: &entity.name,
            kind: entity.kind.name(),
            dates: entity.dates.as_deref(),
            url: entity_url(entity),
            count,
        }
    }
}

pub fn entity_url(entity: &Entity) -> String {
    format!("entities/{}/index.html", entity.id)
}

/// `related` on a text page.
#[derive(Serialize)]
pub struct RelatedView<'a> {
    pub text: TextSummaryView<'a>,
    pub reasons: &'a [String],
}

/// `backlinks` on a text page: where another text or a note refers to this one.
#[derive(Serialize)]
pub struct BacklinkView<'a> {
    pub text: TextSummaryView<'a>,
    pub paragraph: Option<u32>,
    pub note: Option<&'a str>,
    /// The place of the link, relative to the site root.
    pub url: String,
}

/// Cross-references of text `index`, for its page.
pub fn text_cross_references(
    edition: &Edition,
    index: usize,
) -> (Vec<RelatedView<'_>>, Vec<BacklinkView<'_>>) {
    let cross = &edition.cross;
    let related = cross.related[index]
        .iter()
        .map(|r| RelatedView {
            text: TextSummaryView::new(&edition.texts[r.text]),
            reasons: &r.reasons,
        })
        .collect();
    let backlinks = cross.backlinks[index]
        .iter()
        .map(|b| {
            let from = &edition.texts[b.from];
            let anchor = match (&b.note, b.paragraph) {
                (Some(note), _) => format!("#note-{note}"),
                (None, Some(p)) => format!("#p-{p}"),
                (None, None) => String::new(),
            };
            BacklinkView {
                text: TextSummaryView::new(from),
                paragraph: b.paragraph,
                note: b.note.as_deref(),
                url: format!("{}{anchor}", text_url(from)),
            }
        })
        .collect();
    (related, backlinks)
}

/// `entity` on an entity page.
#[derive(Serialize)]
pub struct EntityView<'a> {
    #[serde(flatten)]
    pub summary: EntitySummaryView<'a>,
    pub type_label: &'static str,
    pub description: &'a str,
    pub aliases: &'a [String],
    pub wikidata_url: Option<String>,
    /// Texts that mention it.
    pub text_count: usize,
    /// Texts listed by title only, after those shown with mentions in context.
    pub texts_listed_only: usize,
}

/// `position[t]` is text `t`'s place in reading order; `links` lead from
/// the entity page to the texts. Gives the entity, the HTML of its
/// mentions in context (see `render/mentions.rs` for why that is HTML), and
/// the notes about it.
pub fn entity_page<'a>(
    edition: &'a Edition,
    entity: usize,
    position: &[usize],
    links: &TextLinks,
) -> (EntityView<'a>, String, Vec<NoteInTextView<'a>>) {
    let e = &edition.registry.entities[entity];
    let mentions = &edition.cross.mentions_of[entity];
    let by_text = MentionsByText::new(mentions, position);
    let view = EntityView {
        summary: EntitySummaryView::new(e, mentions.len()),
        type_label: e.kind.plural(),
        description: &e.description,
        aliases: &e.aliases,
        text_count: by_text.text_count(),
        texts_listed_only: by_text.listed_only(),
        wikidata_url: e
            .wikidata
            .as_ref()
            .map(|q| format!("https://www.wikidata.org/wiki/{q}")),
    };
    let notes = edition.cross.notes_on[entity]
        .iter()
        .map(|&(t, n)| {
            let text = &edition.texts[t];
            NoteInTextView {
                note: NoteView::new(text, &text.notes[n]),
                text_title: &text.meta.title,
            }
        })
        .collect();
    (view, by_text.to_html(edition, links), notes)
}

/// `groups` on the index of entities: each type, entities alphabetical.
#[derive(Serialize)]
pub struct EntityGroupView<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub label: &'static str,
    pub entities: Vec<EntitySummaryView<'a>>,
}

pub fn entity_groups(edition: &Edition) -> Vec<EntityGroupView<'_>> {
    EntityType::ALL
        .into_iter()
        .map(|kind| {
            let mut entities: Vec<EntitySummaryView> = edition
                .registry
                .entities
                .iter()
                .enumerate()
                .filter(|(_, e)| e.kind == kind)
                .map(|(i, e)| EntitySummaryView::new(e, edition.cross.mentions_of[i].len()))
                .collect();
            entities.sort_by_key(|e| e.name.to_lowercase());
            EntityGroupView {
                kind: kind.name(),
                label: kind.plural(),
                entities,
            }
        })
        .filter(|g| !g.entities.is_empty())
        .collect()
}
