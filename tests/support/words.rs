//! Words as readers see them, for the faithful-import checks
//! (`tests/import_faithful.rs`, `tests/properties.rs`): a line of plain text
//! or a Markdown body in, its words out, under one normalisation applied to
//! both sides: superscript digit runs become separate `^N` tokens (a footnote
//! marker `¹` in the source is a `[^1]` reference in Markdown), a bullet
//! glyph `•` is list syntax, an ordered list item's number counts as the word
//! `N.`, and the `[Image: …]` marks around a caption of an absent image are
//! the importer's convention, not words.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The build's own Markdown options: what readers see is what we compare.
fn options() -> Options {
    scholia::parse::markdown::options()
}

/// Splits superscript digit runs off as `^N` tokens.
pub fn normalise(s: &str, out: &mut Vec<String>) {
    let mut spaced = String::with_capacity(s.len() + 8);
    let mut in_run = false;
    for c in s.chars() {
        let d = "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().position(|x| x == c);
        match d {
            Some(d) => {
                if !in_run {
                    spaced.push_str(" ^");
                    in_run = true;
                }
                spaced.push(char::from(b'0' + d as u8));
            }
            None => {
                if in_run {
                    spaced.push(' ');
                    in_run = false;
                }
                spaced.push(c);
            }
        }
    }
    out.extend(
        spaced
            .split_whitespace()
            .filter(|w| *w != "•")
            .map(str::to_string),
    );
}

/// The words a reader sees in rendered `markdown`.
pub fn rendered_words(markdown: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut para: Option<(bool, String)> = None; // (starts with emphasis, text)
    let mut pending_emphasis = false;
    let mut text = String::new();
    let flush = |text: &mut String, words: &mut Vec<String>| {
        normalise(text, words);
        text.clear();
    };
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Paragraph) => {
                flush(&mut text, &mut words);
                para = Some((false, String::new()));
                pending_emphasis = true;
                continue;
            }
            Event::Start(Tag::Emphasis) if pending_emphasis => {
                if let Some(p) = para.as_mut() {
                    p.0 = true;
                }
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some((emph, mut t)) = para.take() {
                    if emph && t.starts_with("[Image: ") && t.ends_with(']') {
                        t = t["[Image: ".len()..t.len() - 1].to_string();
                    }
                    normalise(&t, &mut words);
                }
            }
            Event::Start(Tag::List(start)) => {
                flush(&mut text, &mut words);
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                flush(&mut text, &mut words);
                if let Some(Some(n)) = lists.last_mut() {
                    words.push(format!("{n}."));
                    *n += 1;
                }
            }
            Event::Text(t) | Event::Code(t) => match para.as_mut() {
                Some(p) => p.1.push_str(&t),
                None => text.push_str(&t),
            },
            Event::SoftBreak | Event::HardBreak => match para.as_mut() {
                Some(p) => p.1.push(' '),
                None => text.push(' '),
            },
            Event::FootnoteReference(label) => {
                let s = format!(" ^{label} ");
                match para.as_mut() {
                    Some(p) => p.1.push_str(&s),
                    None => text.push_str(&s),
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                flush(&mut text, &mut words);
                words.push(format!("^{label}"));
            }
            Event::Start(Tag::TableCell)
            | Event::End(TagEnd::TableCell)
            | Event::Start(Tag::Heading { .. })
            | Event::End(TagEnd::Heading(_)) => {
                text.push(' ');
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                panic!("the importer must not emit HTML, found {h:?}")
            }
            _ => {}
        }
        pending_emphasis = false;
    }
    flush(&mut text, &mut words);
    words
}
