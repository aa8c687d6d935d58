//! The lists that grow with the registry, as HTML: takes the mentions found
//! by the cross-reference pass and gives an entity page's "In the texts"
//! (every mention in context, linked to its paragraph, grouped by text in
//! reading order) and a text page's "Named in this text".
//!
//! Written here in Rust rather than in the templates: an edition of 10,000
//! texts and 5,000 entities has about a million mentions and 800,000
//! (text, entity) pairs to list, and handing each one to Tera as a serialised
//! object, looked up field by field, cost three times the rest of the build
//! (`benches/entities.sh`). Themes style the lists through their classes;
//! the README's theme section shows the markup.

use std::fmt::Write;

use crate::model::{Edition, Text};

use super::push_escaped;

/// How many texts an entity page shows with their mentions in context.
pub const TEXTS_IN_CONTEXT: usize = 100;
/// How many mentions per text an entity page shows in context.
pub const MENTIONS_SHOWN: usize = 50;
/// Bytes of context on each side of a mention (about ten words of English).
const CONTEXT: usize = 64;

/// The texts that mention an entity, each with the indices of its mentions
/// (into `Text::mentions`), in reading order.
pub struct MentionsByText {
    /// Text and the range of its mentions in `mentions`.
    groups: Vec<(usize, std::ops::Range<usize>)>,
    mentions: Vec<usize>,
}

impl MentionsByText {
    /// Groups `mentions` (text, mention) by text; `position[t]` is text `t`'s
    /// place in reading order. Two allocations, whatever the number of texts:
    /// a `Vec` for each text was a tenth of an entity page's cost.
    pub fn new(mentions: &[(usize, usize)], position: &[usize]) -> Self {
        // Mentions arrive grouped by text (the cross-reference pass walks the
        // texts in turn): runs of one text, put in reading order; a text
        // whose mentions came in two runs has them joined all the same.
        let mut runs: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        for (i, &(t, _)) in mentions.iter().enumerate() {
            match runs.last_mut() {
                Some((last, run)) if *last == t => run.end = i + 1,
                _ => runs.push((t, i..i + 1)),
            }
        }
        runs.sort_by_key(|(t, _)| position.get(*t).copied().unwrap_or(usize::MAX));
        let mut grouped = MentionsByText {
            groups: Vec::with_capacity(runs.len()),
            mentions: Vec::with_capacity(mentions.len()),
        };
        for (t, run) in runs {
            let start = grouped.mentions.len();
            grouped
                .mentions
                .extend(mentions[run].iter().map(|&(_, m)| m));
            let end = grouped.mentions.len();
            match grouped.groups.last_mut() {
                Some((last, range)) if *last == t => range.end = end,
                _ => grouped.groups.push((t, start..end)),
            }
        }
        grouped
    }

    /// The texts, in reading order, each with its mentions.
    pub fn texts(&self) -> impl Iterator<Item = (usize, &[usize])> {
        (self.groups.iter()).map(|(t, range)| (*t, &self.mentions[range.clone()]))
    }

    /// How many texts mention the entity.
    pub fn text_count(&self) -> usize {
        self.groups.len()
    }

    /// Texts past the first [`TEXTS_IN_CONTEXT`], listed by title only.
    pub fn listed_only(&self) -> usize {
        self.groups.len().saturating_sub(TEXTS_IN_CONTEXT)
    }

    /// The HTML of the list, linking the texts through `links`.
    pub fn to_html(&self, edition: &Edition, links: &TextLinks) -> String {
        let shown: usize = (self.texts().take(TEXTS_IN_CONTEXT))
            .map(|(_, here)| here.len().min(MENTIONS_SHOWN))
            .sum();
        let mut html =
            String::with_capacity(shown * (2 * CONTEXT + 120) + self.listed_only() * 120 + 200);
        for (t, here) in self.texts().take(TEXTS_IN_CONTEXT) {
            in_context_section(&mut html, &edition.texts[t], here, links.get(t));
        }
        if self.listed_only() > 0 {
            html.push_str("<h3 id=\"also-in\">Also named in ");
            push_number(&mut html, self.listed_only());
            html.push_str(" more texts</h3>\n<ul class=\"entity-list\">\n");
            for (t, here) in self.texts().skip(TEXTS_IN_CONTEXT) {
                let link = links.get(t);
                html.push_str("<li><a href=\"");
                html.push_str(link.href);
                html.push_str("\">");
                html.push_str(link.title);
                html.push_str("</a> <span class=\"count\">");
                push_number(&mut html, here.len());
                html.push_str("</span></li>\n");
            }
            html.push_str("</ul>\n");
        }
        html
    }
}

/// Each text's address and title as an entity page links them, escaped
/// once for all the pages, in one string: the lists link the same 10,000
/// texts 800,000 times, and reading each title from its text, scattered
/// over the heap, missed the cache.
pub struct TextLinks {
    html: String,
    /// For each text, where its address ends and its title ends in `html`.
    ends: Vec<(usize, usize)>,
}

/// A text's address (from the page, with `index.html`) and title, escaped.
#[derive(Clone, Copy)]
pub struct TextLink<'a> {
    pub href: &'a str,
    pub title: &'a str,
}

impl TextLinks {
    /// The links to `texts` from a page `root` away from the site root.
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a Text>, root: &str) -> Self {
        let mut links = TextLinks {
            html: String::new(),
            ends: Vec::new(),
        };
        for text in texts {
            push_text_href(&mut links.html, root, text);
            let href = links.html.len();
            push_escaped(&mut links.html, &text.meta.title);
            links.ends.push((href, links.html.len()));
        }
        links
    }

    pub fn get(&self, text: usize) -> TextLink<'_> {
        let start = text.checked_sub(1).map_or(0, |before| self.ends[before].1);
        let (href, title) = self.ends[text];
        TextLink {
            href: &self.html[start..href],
            title: &self.html[href..title],
        }
    }
}

/// What `text` adds to the "In the texts" of `entity` (if shown in context):
/// an incremental build compares it before and after an edit.
pub fn text_section_html(text: &Text, entity: usize, root: &str) -> String {
    let mentions: Vec<usize> = (text.mentions.iter().enumerate())
        .filter(|(_, m)| m.entity == entity)
        .map(|(i, _)| i)
        .collect();
    let mut html = String::new();
    if !mentions.is_empty() {
        let link = TextLinks::new([text], root);
        in_context_section(&mut html, text, &mentions, link.get(0));
    }
    html
}

/// The `<li>` items of "Named in this text": each entity the text mentions,
/// linked to its page (through `links`), with the number of mentions.
pub fn named_in_text_html(edition: &Edition, text: usize, links: &EntityLinks) -> String {
    let named = &edition.cross.entities_in[text];
    let mut html = String::with_capacity(named.len() * 100);
    for &(e, count) in named {
        html.push_str("<li>");
        html.push_str(links.get(e));
        html.push_str(" <span class=\"count\">");
        push_number(&mut html, count);
        html.push_str("</span></li>\n");
    }
    html
}

/// Each entity's link (`<a href="…">name</a>`) from a text page, escaped
/// once for all the pages, in one string, as [`TextLinks`] for the texts.
pub struct EntityLinks {
    html: String,
    ends: Vec<usize>,
}

impl EntityLinks {
    pub fn new(edition: &Edition, root: &str) -> Self {
        let mut links = EntityLinks {
            html: String::new(),
            ends: Vec::new(),
        };
        for entity in &edition.registry.entities {
            links.html.push_str("<a href=\"");
            push_escaped(&mut links.html, root);
            links.html.push_str("entities/");
            push_escaped(&mut links.html, &entity.id);
            links.html.push_str("/index.html\">");
            push_escaped(&mut links.html, &entity.name);
            links.html.push_str("</a>");
            links.ends.push(links.html.len());
        }
        links
    }

    pub fn get(&self, entity: usize) -> &str {
        let start = entity.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.html[start..self.ends[entity]]
    }
}

fn in_context_section(html: &mut String, text: &Text, mentions: &[usize], link: TextLink<'_>) {
    let slug = &text.id.0;
    html.push_str("<section class=\"mentions\" aria-labelledby=\"in-");
    push_escaped(html, slug);
    html.push_str("\">\n<h3 id=\"in-");
    push_escaped(html, slug);
    html.push_str("\"><a href=\"");
    html.push_str(link.href);
    html.push_str("\">");
    html.push_str(link.title);
    html.push_str("</a> <span class=\"count\">(");
    push_number(html, mentions.len());
    html.push_str(")</span></h3>\n<ul class=\"kwic\">\n");
    for &m in mentions.iter().take(MENTIONS_SHOWN) {
        in_context(html, text, m, link.href);
    }
    html.push_str("</ul>\n");
    let hidden = mentions.len().saturating_sub(MENTIONS_SHOWN);
    if hidden > 0 {
        let _ = writeln!(
            html,
            "<p class=\"kwic-more\">and {hidden} more in this text.</p>"
        );
    }
    html.push_str("</section>\n");
}

/// One mention in context: a link to its paragraph, the words before, the
/// mention, the words after.
fn in_context(html: &mut String, text: &Text, m: usize, href: &str) {
    let mention = &text.mentions[m];
    let block = &text.blocks[mention.block];
    let at = floor_char_boundary(&block.text, mention.offset);
    let len = if block.text[at..].starts_with(mention.alias.as_str()) {
        mention.alias.len()
    } else {
        0
    };
    let (cut_before, before) = context_before(&block.text[..at]);
    let (after, cut_after) = context_after(&block.text[at + len..]);

    html.push_str("<li><a class=\"kwic-place\" href=\"");
    html.push_str(href);
    html.push_str("#p-");
    push_number(html, block.number as usize);
    html.push_str("\">¶ ");
    push_number(html, block.number as usize);
    html.push_str("</a> ");
    if cut_before {
        html.push('…');
    }
    push_escaped(html, before);
    html.push_str("<strong>");
    push_escaped(html, &mention.alias);
    html.push_str("</strong>");
    push_escaped(html, after);
    if cut_after {
        html.push('…');
    }
    html.push_str("</li>\n");
}

/// Appends `n` in decimal: `write!` costs more than the digits, and these
/// lists hold a number for each of their hundreds of thousands of items.
fn push_number(html: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    html.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// `root` + the text's URL (as [`super::views::text_url`] gives it), written
/// in place: these lists hold hundreds of thousands of links, and a `format!`
/// for each was a tenth of an entity page's cost.
fn push_text_href(html: &mut String, root: &str, text: &Text) {
    push_escaped(html, root);
    push_escaped(html, &text.id.0);
    html.push_str("/index.html");
}

/// The last [`CONTEXT`] bytes or so of `before`, starting at a word; and
/// whether anything was cut. Bytes, not characters, so a snippet costs the
/// same whatever the script; a word boundary, so no word is cut in half.
fn context_before(before: &str) -> (bool, &str) {
    if before.len() <= CONTEXT {
        return (false, before);
    }
    let from = ceil_char_boundary(before, before.len() - CONTEXT);
    let window = &before[from..];
    let start = window.find(' ').map_or(0, |i| i + 1);
    (true, window[start..].trim_start())
}

/// The first [`CONTEXT`] bytes or so of `after`, ending at a word; and
/// whether anything was cut.
fn context_after(after: &str) -> (&str, bool) {
    if after.len() <= CONTEXT {
        return (after, false);
    }
    let window = &after[..floor_char_boundary(after, CONTEXT)];
    let end = window.rfind(' ').unwrap_or(window.len());
    (window[..end].trim_end(), true)
}

fn ceil_char_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at += 1;
    }
    at
}

fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_is_cut_at_words_and_marked() {
        let long = "word ".repeat(40);
        let (cut, before) = context_before(&long);
        assert!(cut && before.starts_with("word") && before.len() <= CONTEXT);
        let (after, cut) = context_after(&long);
        assert!(cut && after.ends_with("word") && after.len() <= CONTEXT);
        assert_eq!(context_before("short one "), (false, "short one "));
        assert_eq!(context_after(" and after"), (" and after", false));
        // Never inside a character, whatever the script.
        let greek = "λόγος ".repeat(30);
        assert!(context_before(&greek).1.starts_with('λ'));
        assert!(context_after(&greek).0.ends_with('ς'));
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 99, 100, 12345, usize::MAX] {
            let mut html = String::new();
            push_number(&mut html, n);
            assert_eq!(html, n.to_string());
        }
    }

    #[test]
    fn groups_by_text_in_reading_order() {
        // Texts 0, 1, 2 read in the order 2, 0, 1.
        let position = [1, 2, 0];
        let grouped = MentionsByText::new(&[(0, 0), (0, 3), (1, 1), (2, 5), (0, 7)], &position);
        let texts: Vec<(usize, &[usize])> = grouped.texts().collect();
        assert_eq!(texts, [(2, &[5][..]), (0, &[0, 3, 7]), (1, &[1])]);
        assert_eq!(grouped.text_count(), 3);
    }
}
