//! Editorial notes as readers see them: anchored notes in, the HTML of their
//! marker and of the note itself out (placed in the text by the Markdown pass).
//!
//! The note sits in an `<aside>` just before the paragraph it explains: the
//! stylesheet floats it into the margin on wide screens (notes stack, never
//! overlap) and shows it on demand on narrow ones; without CSS it reads in
//! place. Its marker is a letter, so it is never mistaken for one of the
//! author's numbered footnotes.

use crate::model::{AnchoredNote, Block};
use crate::parse::markdown::{self, Highlight};
use crate::parse::notes::Note;
use crate::resolve::anchor::Place;

/// How much context the export records on each side of a quote.
const CONTEXT_CHARS: usize = 32;

/// Builds the anchored note for `place`; its label is given later, in document order.
pub fn anchored(note: Note, place: &Place, blocks: &[Block]) -> AnchoredNote {
    let block = &blocks[place.ordinal];
    let chars: Vec<char> = block.text.chars().collect();
    let (body_html, links) = markdown::render_prose_with_links(&note.body);
    let slice = |from: usize, to: usize| {
        chars[from.min(chars.len())..to.min(chars.len())]
            .iter()
            .collect::<String>()
    };
    AnchoredNote {
        label: String::new(),
        paragraph: block.number,
        block: place.ordinal,
        exact: slice(place.start, place.end),
        prefix: slice(place.start.saturating_sub(CONTEXT_CHARS), place.start),
        suffix: slice(place.end, place.end + CONTEXT_CHARS),
        start: place.start,
        end: place.end,
        body_html,
        links,
        note,
    }
}

/// Where and how the Markdown pass marks the note.
pub fn highlight(note: &AnchoredNote) -> Highlight {
    Highlight {
        ordinal: note.block,
        start: note.start,
        end: note.end,
        marker: marker_html(note),
        aside: aside_html(note),
    }
}

fn marker_html(note: &AnchoredNote) -> String {
    let id = &note.note.id;
    format!(
        "<sup class=\"note-ref\"><a id=\"noteref-{id}\" href=\"#note-{id}\"><span class=\"visually-hidden\">Editors’ note </span>{}</a></sup>",
        note.label
    )
}

fn aside_html(note: &AnchoredNote) -> String {
    let id = &note.note.id;
    let kind = note.note.kind;
    let sources = if note.note.sources.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = note
            .note
            .sources
            .iter()
            .map(|s| inline_markdown(s))
            .collect();
        format!("<p class=\"note-sources\">Sources: {}</p>", list.join("; "))
    };
    format!(
        "<aside class=\"note note-{}\" id=\"note-{id}\" aria-label=\"Editors’ note {label}\">\
         <p class=\"note-head\"><a class=\"note-label\" href=\"#noteref-{id}\"><span class=\"visually-hidden\">Back to the text at note </span>{label}</a> <span class=\"note-type\">{}</span></p>\
         {}{sources}</aside>\n",
        kind.name(),
        kind.label(),
        note.body_html,
        label = note.label,
    )
}

/// A one-line Markdown string (a source's title in `*italics*`) as inline HTML.
pub fn inline_markdown(s: &str) -> String {
    let html = markdown::render_prose(s);
    let trimmed = html.trim_end();
    trimmed
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"))
        .unwrap_or(trimmed)
        .to_string()
}
