//! Markdown: a text's body in, its HTML and the structure readers cite out.
//!
//! pulldown-cmark parses the body (footnotes, tables, strikethrough, smart
//! punctuation). We rewrite its event stream on the way to HTML:
//! - every numbered block — a paragraph, a list item, a table or a code block
//!   not inside another numbered block — gets `id="p-N"` and a visible,
//!   linkable number, so any paragraph can be cited;
//! - headings get ids from their text (Unicode kept, duplicates made unique);
//! - the author's footnotes are numbered in order of first reference and
//!   gathered into one list at the end, with links both ways;
//! - given [`Highlight`]s (from anchoring editorial notes on a first
//!   rendering), passages are wrapped in `<mark>` — split where inline markup
//!   intervenes, so the HTML stays well-formed — and followed by a marker.

use std::collections::HashMap;
use std::fmt::Write as _;

use pulldown_cmark::{
    html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, TextMergeWithOffset,
};

use crate::config::{EntityOptions, LinkMentions};
use crate::diagnostic::LineIndex;
use crate::model::{Block, Heading, LinkRef, LinkTarget, Mention};
use crate::parse::entities::Registry;

pub fn options() -> Options {
    Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
}

/// A rendered body.
#[derive(Debug, Default)]
pub struct Rendered {
    pub body_html: String,
    /// The author's footnotes as one `<section>`, empty when there are none.
    pub footnotes_html: String,
    pub headings: Vec<Heading>,
    pub blocks: Vec<Block>,
    pub word_count: usize,
    /// `@` links, to be checked once every text is known.
    pub links: Vec<LinkRef>,
    /// Mentions of registered entities, in document order.
    pub mentions: Vec<Mention>,
}

/// Where the body sits in its file, so blocks know their line.
#[derive(Debug, Clone, Copy, Default)]
pub struct BodyPlace<'a> {
    /// Line of the file on which the body starts (1-based).
    pub first_line: usize,
    /// Anchor numbers to use instead of 1..N (see [`crate::parse::front_matter`] `paragraphs`).
    pub numbers: Option<&'a [u32]>,
    /// Passages to mark, sorted by block, found by anchoring a first rendering.
    pub highlights: &'a [Highlight],
    /// The entity registry whose mentions are found and linked, and how.
    pub entities: Option<&'a Registry>,
    pub entity_options: EntityOptions,
}

/// A passage to mark: characters `start..end` of the plain text of block
/// `ordinal`, followed by `marker`; `aside` goes at the start of the block.
#[derive(Debug, Clone, Default)]
pub struct Highlight {
    pub ordinal: usize,
    pub start: usize,
    pub end: usize,
    pub marker: String,
    pub aside: String,
}

/// The plain text of each numbered block of `markdown`, in order: what the
/// build numbers `p-1`, `p-2`, ... (the importer uses it to keep anchors stable).
pub fn block_texts(markdown: &str) -> Vec<String> {
    render(markdown, BodyPlace::default())
        .blocks
        .into_iter()
        .map(|b| b.text)
        .collect()
}

/// Renders editorial prose (an introduction) as plain HTML: no block numbers,
/// since readers cite the texts, not the edition's front matter.
pub fn render_prose(markdown: &str) -> String {
    render_prose_with_links(markdown).0
}

/// Like [`render_prose`], also resolving `@` links to URLs relative to a page
/// one folder deep (a text page or the notes index) and returning them to be checked.
pub fn render_prose_with_links(markdown: &str) -> (String, Vec<LinkRef>) {
    let mut links = Vec::new();
    let mut plain_depth = Vec::new();
    let events = Parser::new_ext(markdown, options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match at_link(&dest_url) {
                AtLink::NotOurs => {
                    plain_depth.push(false);
                    Some(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }))
                }
                AtLink::Plain => {
                    plain_depth.push(true);
                    None
                }
                AtLink::Target(target, url) => {
                    plain_depth.push(false);
                    links.push(LinkRef {
                        target,
                        offset: range.start,
                        paragraph: None,
                    });
                    Some(Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(url),
                        title,
                        id,
                    }))
                }
            },
            Event::End(TagEnd::Link) => match plain_depth.pop() {
                Some(true) => None,
                _ => Some(Event::End(TagEnd::Link)),
            },
            other => Some(other),
        });
    let mut out = String::new();
    html::push_html(&mut out, events);
    (out, links)
}

/// What an `@` link means.
enum AtLink {
    /// An ordinary URL.
    NotOurs,
    /// `@plain`: no link here, and no automatic entity link either.
    Plain,
    /// A checked target, and its URL from a page one folder deep.
    Target(LinkTarget, String),
}

fn at_link(dest: &str) -> AtLink {
    let Some(rest) = dest.strip_prefix('@') else {
        return AtLink::NotOurs;
    };
    if rest == "plain" {
        return AtLink::Plain;
    }
    if let Some(id) = rest.strip_prefix("entity/") {
        return AtLink::Target(
            LinkTarget::Entity(id.to_string()),
            format!("../entities/{id}/index.html"),
        );
    }
    if let Some(path) = rest.strip_prefix('/') {
        let (slug, fragment) = match path.split_once('#') {
            Some((slug, fragment)) => (slug, Some(fragment.to_string())),
            None => (path, None),
        };
        let slug = slug.trim_end_matches('/');
        let url = match &fragment {
            Some(f) => format!("../{slug}/index.html#{f}"),
            None => format!("../{slug}/index.html"),
        };
        return AtLink::Target(
            LinkTarget::Text {
                slug: slug.to_string(),
                fragment,
            },
            url,
        );
    }
    AtLink::Target(LinkTarget::Unknown(dest.to_string()), dest.to_string())
}

/// Renders a body to HTML.
pub fn render<'a>(markdown: &'a str, place: BodyPlace<'a>) -> Rendered {
    let lines = LineIndex::new(markdown);
    let mut state = State::new(place, lines);
    let events = Parser::new_ext(markdown, options()).into_offset_iter();
    if place.entities.is_some_and(|r| !r.is_empty()) {
        // Escapes (`People\'s`) split text into several events; merged, a name
        // reads as one. Merging allocates, so only when there are names to find.
        let events: Vec<_> = TextMergeWithOffset::new(events).collect();
        let glue = glue_around(&events);
        for ((event, range), glue) in events.into_iter().zip(glue) {
            state.glue = glue;
            state.event(event, range.start);
        }
    } else {
        for (event, range) in events {
            state.event(event, range.start);
        }
    }
    state.finish()
}

/// The letters a text event touches in the plain text: the last one of the
/// text before it and the first one of the text after it, where only inline
/// markup lies between (`[a](@/t)word` reads `aword`). A name glued to
/// them is part of a longer word, not a mention.
#[derive(Clone, Copy, Default)]
struct Glue {
    before: Option<char>,
    after: Option<char>,
}

fn glue_around(events: &[(Event<'_>, std::ops::Range<usize>)]) -> Vec<Glue> {
    // Mirrors what the plain text gets: a break or a new block adds a space
    // there; inline markup, inline HTML and footnote marks add no letters.
    let edge = |event: &Event<'_>, last: bool| match event {
        Event::Text(t) | Event::Code(t) if last => Some(t.chars().next_back()),
        Event::Text(t) | Event::Code(t) => Some(t.chars().next()),
        Event::Start(
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. },
        )
        | Event::End(
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image,
        )
        | Event::InlineHtml(_)
        | Event::FootnoteReference(_) => None,
        _ => Some(None),
    };
    let mut glue = vec![Glue::default(); events.len()];
    let mut before = None;
    for (i, (event, _)) in events.iter().enumerate() {
        glue[i].before = before;
        if let Some(c) = edge(event, true) {
            before = c;
        }
    }
    let mut after = None;
    for (i, (event, _)) in events.iter().enumerate().rev() {
        glue[i].after = after;
        if let Some(c) = edge(event, false) {
            after = c;
        }
    }
    glue
}

enum Container {
    /// A numbered block: its ordinal in `blocks`, and the closing tag we emit.
    Numbered { closing: &'static str },
    /// A paragraph, list item, table or code block inside a numbered block (or a footnote).
    Plain,
}

struct State<'a> {
    place: BodyPlace<'a>,
    lines: LineIndex,
    out: Vec<Event<'a>>,
    blocks: Vec<Block>,
    containers: Vec<Container>,
    /// Nesting of numbered blocks; text inside one is part of its plain text.
    numbered_depth: usize,
    heading: Option<HeadingCapture<'a>>,
    heading_ids: HashMap<String, usize>,
    headings: Vec<Heading>,
    footnote_numbers: HashMap<String, usize>,
    footnote_refs: HashMap<usize, usize>,
    footnotes: Vec<(usize, Vec<Event<'a>>)>,
    in_footnote: Option<(usize, Vec<Event<'a>>)>,
    word_count: usize,
    /// Characters of the current block's folded plain text so far, and
    /// whether a space is due before the next character.
    block_len: usize,
    pending_space: bool,
    /// Highlights of the current block, and how many are open.
    block_highlights: &'a [Highlight],
    open_highlights: usize,
    /// Whether the last text ended inside a word (for counting words).
    in_word: bool,
    /// What the current text event touches (see [`Glue`]).
    glue: Glue,
    /// Open links: `true` for `@plain`, whose tags are dropped.
    link_stack: Vec<bool>,
    in_code_block: bool,
    /// Entities already linked in this text (for `link = "first"`).
    linked: std::collections::HashSet<usize>,
    links: Vec<LinkRef>,
    mentions: Vec<Mention>,
}

struct HeadingCapture<'a> {
    level: HeadingLevel,
    text: String,
    events: Vec<Event<'a>>,
}

impl<'a> State<'a> {
    fn new(place: BodyPlace<'a>, lines: LineIndex) -> Self {
        State {
            place,
            lines,
            out: Vec::new(),
            blocks: Vec::new(),
            containers: Vec::new(),
            numbered_depth: 0,
            heading: None,
            heading_ids: HashMap::new(),
            headings: Vec::new(),
            footnote_numbers: HashMap::new(),
            footnote_refs: HashMap::new(),
            footnotes: Vec::new(),
            in_footnote: None,
            word_count: 0,
            block_len: 0,
            pending_space: false,
            block_highlights: &[],
            open_highlights: 0,
            in_word: false,
            glue: Glue::default(),
            link_stack: Vec::new(),
            in_code_block: false,
            linked: std::collections::HashSet::new(),
            links: Vec::new(),
            mentions: Vec::new(),
        }
    }

    fn emit(&mut self, event: Event<'a>) {
        if let Some(h) = &mut self.heading {
            h.events.push(event);
        } else if let Some((_, events)) = &mut self.in_footnote {
            events.push(event);
        } else {
            self.out.push(event);
        }
    }

    fn event(&mut self, event: Event<'a>, offset: usize) {
        if !matches!(event, Event::Text(_) | Event::Code(_)) {
            self.in_word = false;
        }
        if let Event::Start(tag) = &event {
            if is_block_tag(tag) {
                // Blocks inside a numbered block are separate words in its plain text.
                self.add_plain_text(" ");
            }
        }
        match event {
            Event::Start(Tag::Paragraph) => self.open_block("p", "</p>\n", offset, None),
            Event::Start(Tag::Item) => self.open_block("li", "</li>\n", offset, None),
            // A wide table scrolls inside its own box, so the number stays visible beside it.
            Event::Start(tag @ Tag::Table(_)) => self.open_block(
                "div class=\"block\"",
                "</div></div>\n",
                offset,
                Some(Event::Start(tag)),
            ),
            Event::Start(tag @ Tag::CodeBlock(_)) => {
                self.in_code_block = true;
                self.open_block(
                    "div class=\"block\"",
                    "</div>\n",
                    offset,
                    Some(Event::Start(tag)),
                )
            }
            Event::End(
                end @ (TagEnd::Paragraph | TagEnd::Item | TagEnd::Table | TagEnd::CodeBlock),
            ) => self.close_block(end),
            Event::Start(Tag::Heading { level, .. }) if self.in_footnote.is_none() => {
                self.heading = Some(HeadingCapture {
                    level,
                    text: String::new(),
                    events: Vec::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) if self.heading.is_some() => self.close_heading(),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let number = self.footnote_number(&label);
                self.in_footnote = Some((number, Vec::new()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some(footnote) = self.in_footnote.take() {
                    self.footnotes.push(footnote);
                }
            }
            Event::FootnoteReference(label) => self.footnote_reference(&label),
            Event::Text(text) => {
                self.word_count += count_words(&text, &mut self.in_word);
                if self.block_highlights.is_empty() || !self.in_numbered_text() {
                    self.add_plain_text(&text);
                    self.emit_text(text);
                } else {
                    self.marked_text(text);
                }
            }
            Event::Code(ref text) => {
                self.word_count += count_words(text, &mut self.in_word);
                self.add_plain_text(text);
                self.emit(event);
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match at_link(&dest_url) {
                AtLink::NotOurs => {
                    self.link_stack.push(false);
                    self.inline_tag(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
                AtLink::Plain => self.link_stack.push(true),
                AtLink::Target(target, url) => {
                    if let (LinkTarget::Entity(entity), Some(registry)) =
                        (&target, self.place.entities)
                    {
                        if let Some(index) = registry.get(entity) {
                            self.linked.insert(index);
                        }
                    }
                    let paragraph = self
                        .in_numbered_text()
                        .then(|| self.blocks.last().map(|b| b.number))
                        .flatten();
                    self.links.push(LinkRef {
                        target,
                        offset,
                        paragraph,
                    });
                    self.link_stack.push(false);
                    let dest_url = CowStr::from(url);
                    self.inline_tag(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            },
            Event::End(TagEnd::Link) => {
                if self.link_stack.pop() != Some(true) {
                    self.inline_tag(Event::End(TagEnd::Link));
                }
            }
            Event::Start(_) | Event::End(_) if self.open_highlights > 0 => self.inline_tag(event),
            Event::SoftBreak | Event::HardBreak => {
                self.add_plain_text(" ");
                self.emit(event);
            }
            other => self.emit(other),
        }
    }

    fn in_numbered_text(&self) -> bool {
        self.numbered_depth > 0 && self.in_footnote.is_none() && self.heading.is_none()
    }

    /// Adds text to the current heading, or to the current block's plain text,
    /// folding whitespace as it goes so character positions are final. Word by
    /// word rather than char by char: this runs over every word of the edition.
    fn add_plain_text(&mut self, text: &str) {
        if let Some(h) = &mut self.heading {
            h.text.push_str(text);
            return;
        }
        if !self.in_numbered_text() {
            return;
        }
        let Some(block) = self.blocks.last_mut() else {
            return;
        };
        // Most text events are one line of words between single spaces:
        // those are copied whole, with nothing to fold.
        if let Some(len) = single_spaced_len(text) {
            if self.pending_space {
                block.text.push(' ');
                self.block_len += 1;
                self.pending_space = false;
            }
            block.text.push_str(text);
            self.block_len += len;
            return;
        }
        // Otherwise split on whitespace; ASCII counts bytes as characters.
        let ascii = text.is_ascii();
        let words: &mut dyn Iterator<Item = &str> = if ascii {
            &mut text.split(|c: char| c.is_ascii_whitespace())
        } else {
            &mut text.split(char::is_whitespace)
        };
        for (i, word) in words.enumerate() {
            if i > 0 {
                // Whitespace came before this word.
                self.pending_space = self.block_len > 0;
            }
            if word.is_empty() {
                continue;
            }
            if self.pending_space {
                block.text.push(' ');
                self.block_len += 1;
                self.pending_space = false;
            }
            block.text.push_str(word);
            self.block_len += if ascii {
                word.len()
            } else {
                word.chars().count()
            };
        }
    }

    fn add_plain_char(&mut self, c: char) {
        if c.is_whitespace() {
            self.pending_space = self.block_len > 0;
            return;
        }
        let Some(block) = self.blocks.last_mut() else {
            return;
        };
        if self.pending_space {
            block.text.push(' ');
            self.block_len += 1;
            self.pending_space = false;
        }
        block.text.push(c);
        self.block_len += 1;
    }

    /// Emits `text` with marks opened and closed at the highlights' positions.
    fn marked_text(&mut self, text: CowStr<'a>) {
        let mut segment_start = 0;
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                self.add_plain_char(c);
                continue;
            }
            let position = self.block_len + usize::from(self.pending_space);
            let opening = self
                .block_highlights
                .iter()
                .filter(|h| h.start == position)
                .count();
            if opening > 0 {
                self.emit_segment(&text, &mut segment_start, i);
                if self.open_highlights == 0 {
                    self.emit(Event::Html(CowStr::from("<mark class=\"noted\">")));
                }
                self.open_highlights += opening;
            }
            self.add_plain_char(c);
            let closing: Vec<&'a Highlight> = self
                .block_highlights
                .iter()
                .filter(|h| h.end == position + 1)
                .collect();
            if !closing.is_empty() {
                self.emit_segment(&text, &mut segment_start, i + c.len_utf8());
                self.close_highlights(closing);
            }
        }
        self.emit_segment(&text, &mut segment_start, text.len());
    }

    fn emit_segment(&mut self, text: &str, start: &mut usize, end: usize) {
        if end > *start {
            let glue = Glue {
                before: text[..*start].chars().next_back().or(self.glue.before),
                after: text[end..].chars().next().or(self.glue.after),
            };
            self.emit_text_between(CowStr::from(text[*start..end].to_string()), glue);
        }
        *start = end;
    }

    /// Emits an inline tag; an open mark is closed around it so elements nest properly.
    fn inline_tag(&mut self, event: Event<'a>) {
        if self.open_highlights > 0 {
            self.emit(Event::Html(CowStr::from("</mark>")));
            self.emit(event);
            self.emit(Event::Html(CowStr::from("<mark class=\"noted\">")));
        } else {
            self.emit(event);
        }
    }

    /// Where mentions are linked: running text and the author's footnotes, not
    /// links, code or (by default) headings. Mentions are recorded (for entity
    /// pages) only in numbered blocks, which readers can be sent to.
    fn mentions_allowed(&self) -> bool {
        self.link_stack.is_empty()
            && !self.in_code_block
            && (self.heading.is_none() || self.place.entity_options.in_headings)
    }

    /// Byte offsets in the current block's plain text of the mentions at
    /// bytes `starts` (ascending) of `text`. All of `text` was just added
    /// there, whitespace folded, so a mention starts as many non-space
    /// characters before the block's end as it does before `text`'s end: one
    /// walk back over both finds them all. (Searching the block for the alias
    /// found the wrong place when the text was glued to its neighbour, as
    /// `word` in `[a](@/t)word`.)
    fn locate_in_block(&self, text: &str, starts: &[usize]) -> Vec<usize> {
        let mut offsets = vec![0; starts.len()];
        let Some(block) = self.blocks.last() else {
            return offsets;
        };
        // Mostly `text` had nothing to fold and the block ends with it as it
        // is: the offsets are then a subtraction away (the walk below, char
        // by char, was 5% of the CPU of a build with the benchmark's registry).
        if block.text.ends_with(text) {
            let base = block.text.len() - text.len();
            return starts.iter().map(|start| base + start).collect();
        }
        let not_space = |(_, c): &(usize, char)| !c.is_whitespace();
        let in_text = text.char_indices().rev().filter(not_space);
        let in_block = block.text.char_indices().rev().filter(not_space);
        let mut left = starts.len();
        for ((t, _), (b, _)) in in_text.zip(in_block) {
            while left > 0 && starts[left - 1] >= t {
                offsets[left - 1] = b;
                left -= 1;
            }
            if left == 0 {
                break;
            }
        }
        offsets
    }

    /// Emits a whole text event, finding mentions of registered entities and linking them as configured.
    fn emit_text(&mut self, text: CowStr<'a>) {
        let glue = self.glue;
        self.emit_text_between(text, glue);
    }

    /// Emits text that touches the letters of `glue` on either side.
    fn emit_text_between(&mut self, text: CowStr<'a>, glue: Glue) {
        let registry = match self.place.entities {
            Some(r) if self.mentions_allowed() => r,
            _ => return self.emit(Event::Text(text)),
        };
        let found = registry.find_between(&text, glue.before, glue.after);
        if found.is_empty() {
            return self.emit(Event::Text(text));
        }
        let offsets = match self.in_numbered_text() {
            true => {
                let starts: Vec<usize> = found.iter().map(|f| f.start).collect();
                Some(self.locate_in_block(&text, &starts))
            }
            false => None,
        };
        let mut last = 0;
        for (i, f) in found.into_iter().enumerate() {
            if let Some(offsets) = &offsets {
                let alias = &text[f.start..f.end];
                let offset = offsets[i];
                self.mentions.push(Mention {
                    entity: f.entity,
                    block: self.blocks.len() - 1,
                    alias: alias.to_string(),
                    offset,
                });
            }
            let link = match self.place.entity_options.link {
                LinkMentions::First => self.linked.insert(f.entity),
                LinkMentions::Every => true,
                LinkMentions::None => false,
            };
            if !link {
                continue;
            }
            if f.start > last {
                self.emit(Event::Text(slice(&text, last..f.start)));
            }
            self.emit(Event::InlineHtml(CowStr::Borrowed(
                registry.link_open(f.entity),
            )));
            self.emit(Event::Text(slice(&text, f.start..f.end)));
            self.emit(Event::InlineHtml(CowStr::Borrowed("</a>")));
            last = f.end;
        }
        match last {
            // Nothing linked: the text goes on as it came, without a copy.
            0 => self.emit(Event::Text(text)),
            _ if last < text.len() => self.emit(Event::Text(slice(&text, last..text.len()))),
            _ => {}
        }
    }

    fn close_highlights(&mut self, closing: Vec<&'a Highlight>) {
        self.open_highlights = self.open_highlights.saturating_sub(closing.len());
        if self.open_highlights == 0 {
            self.emit(Event::Html(CowStr::from("</mark>")));
        }
        for h in closing {
            self.emit(Event::InlineHtml(CowStr::from(h.marker.as_str())));
        }
    }

    fn open_block(
        &mut self,
        tag: &str,
        closing: &'static str,
        offset: usize,
        inner: Option<Event<'a>>,
    ) {
        let numbered =
            self.numbered_depth == 0 && self.in_footnote.is_none() && self.heading.is_none();
        if !numbered {
            self.containers.push(Container::Plain);
            let plain_open = match tag {
                "p" => Some(Event::Start(Tag::Paragraph)),
                "li" => Some(Event::Start(Tag::Item)),
                _ => None,
            };
            if let Some(e) = plain_open.or(inner) {
                self.emit(e);
            }
            return;
        }
        let ordinal = self.blocks.len();
        let number = self
            .place
            .numbers
            .and_then(|n| n.get(ordinal).copied())
            .unwrap_or(ordinal as u32 + 1);
        self.blocks.push(Block {
            number,
            text: String::new(),
            line: self.place.first_line.max(1) + self.lines.line_of(offset) - 1,
        });
        self.numbered_depth += 1;
        self.containers.push(Container::Numbered { closing });
        self.block_len = 0;
        self.pending_space = false;
        let highlights = self.place.highlights;
        let first = highlights.partition_point(|h| h.ordinal < ordinal);
        let count = highlights[first..]
            .iter()
            .take_while(|h| h.ordinal == ordinal)
            .count();
        self.block_highlights = &highlights[first..first + count];
        let asides: String = self
            .block_highlights
            .iter()
            .map(|h| h.aside.as_str())
            .collect();
        // A paragraph cannot hold an aside: put it just before; lists and boxes hold it inside.
        let (before, inside) = if tag == "p" {
            (asides, String::new())
        } else {
            (String::new(), asides)
        };
        self.emit(Event::Html(CowStr::from(format!(
            "{before}<{tag} id=\"p-{number}\">{}{inside}",
            paragraph_number(number)
        ))));
        if let Some(e) = inner {
            if matches!(e, Event::Start(Tag::Table(_))) {
                // Focusable, so keyboard users can scroll a table wider than the screen.
                self.emit(Event::Html(CowStr::from(format!(
                    "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Table, paragraph {number}\">"
                ))));
            }
            self.emit(e);
        }
    }

    fn close_block(&mut self, end: TagEnd) {
        match self.containers.pop() {
            Some(Container::Numbered { closing }) => {
                if end == TagEnd::CodeBlock {
                    self.in_code_block = false;
                }
                if matches!(end, TagEnd::Table | TagEnd::CodeBlock) {
                    self.emit(Event::End(end));
                }
                // A highlight that runs to the end of the block closes here at the latest.
                let unclosed: Vec<&'a Highlight> = self
                    .block_highlights
                    .iter()
                    .filter(|h| h.end > self.block_len)
                    .collect();
                if self.open_highlights > 0 || !unclosed.is_empty() {
                    self.open_highlights = unclosed.len().max(1);
                    self.close_highlights(unclosed);
                }
                self.block_highlights = &[];
                self.emit(Event::Html(CowStr::from(closing)));
                self.numbered_depth -= 1;
                // Every block's text is kept for anchoring and mentions: no slack capacity.
                if let Some(block) = self.blocks.last_mut() {
                    block.text.shrink_to_fit();
                }
            }
            Some(Container::Plain) | None => {
                if end == TagEnd::CodeBlock {
                    self.in_code_block = false;
                }
                self.emit(Event::End(end))
            }
        }
    }

    fn close_heading(&mut self) {
        let Some(h) = self.heading.take() else { return };
        let text = fold_whitespace(&h.text);
        let id = self.unique_heading_id(&text);
        let level = h.level as usize;
        self.emit(Event::Html(CowStr::from(format!("<h{level} id=\"{id}\">"))));
        for e in h.events {
            self.emit(e);
        }
        self.emit(Event::Html(CowStr::from(format!("</h{level}>\n"))));
        self.headings.push(Heading {
            level: level as u8,
            id,
            text,
            blocks_before: self.blocks.len(),
        });
    }

    fn unique_heading_id(&mut self, text: &str) -> String {
        let mut base = slugify(text);
        if base.is_empty() {
            base = "section".into();
        }
        // Paragraph and footnote anchors own these shapes; keep headings out of their way.
        if is_reserved_id(&base) {
            base = format!("h-{base}");
        }
        let seen = self.heading_ids.entry(base.clone()).or_insert(0);
        *seen += 1;
        if *seen == 1 {
            base
        } else {
            let id = format!("{base}-{}", *seen - 1);
            self.heading_ids.insert(id.clone(), 1);
            id
        }
    }

    fn footnote_number(&mut self, label: &str) -> usize {
        let next = self.footnote_numbers.len() + 1;
        *self
            .footnote_numbers
            .entry(label.to_string())
            .or_insert(next)
    }

    fn footnote_reference(&mut self, label: &str) {
        let n = self.footnote_number(label);
        let count = self.footnote_refs.entry(n).or_insert(0);
        *count += 1;
        let id = if *count == 1 {
            format!("fnref-{n}")
        } else {
            format!("fnref-{n}-{count}")
        };
        self.emit(Event::InlineHtml(CowStr::from(format!(
            "<sup class=\"fnref\"><a id=\"{id}\" href=\"#fn-{n}\"><span class=\"visually-hidden\">Footnote </span>{n}</a></sup>"
        ))));
    }

    fn finish(mut self) -> Rendered {
        let mut body_html = String::with_capacity(self.out.len() * 32);
        html::push_html(&mut body_html, self.out.drain(..));
        body_html.shrink_to_fit();
        Rendered {
            footnotes_html: self.render_footnotes(),
            body_html,
            headings: self.headings,
            blocks: self.blocks,
            word_count: self.word_count,
            links: self.links,
            mentions: self.mentions,
        }
    }

    fn render_footnotes(&mut self) -> String {
        if self.footnotes.is_empty() {
            return String::new();
        }
        self.footnotes.sort_by_key(|(n, _)| *n);
        let mut out = String::from(
            "<section class=\"footnotes\" aria-labelledby=\"footnotes-title\">\n<h2 id=\"footnotes-title\">Author’s notes</h2>\n<ol>\n",
        );
        for (n, mut events) in self.footnotes.drain(..) {
            let back = if self.footnote_refs.contains_key(&n) {
                format!(" <a class=\"fnback\" href=\"#fnref-{n}\" aria-label=\"Back to the text at footnote {n}\">↩</a>")
            } else {
                String::new()
            };
            // Put the back-link inside the last paragraph so it reads on the same line.
            match events
                .iter()
                .rposition(|e| matches!(e, Event::End(TagEnd::Paragraph)))
            {
                Some(i) => events.insert(i, Event::InlineHtml(CowStr::from(back))),
                None => events.push(Event::Html(CowStr::from(back))),
            }
            let _ = write!(out, "<li id=\"fn-{n}\" value=\"{n}\">");
            html::push_html(&mut out, events.into_iter());
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n</section>\n");
        out
    }
}

fn is_block_tag(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Item
            | Tag::TableCell
            | Tag::TableRow
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::List(_)
    )
}

/// The visible, linkable paragraph number shown in the margin.
fn paragraph_number(n: u32) -> String {
    format!("<a class=\"pnum\" href=\"#p-{n}\"><span class=\"visually-hidden\">Paragraph </span>{n}</a>")
}

fn is_reserved_id(id: &str) -> bool {
    ["p-", "fn-", "fnref-"].iter().any(|prefix| {
        id.strip_prefix(prefix).is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .split('-')
                    .all(|p| p.chars().all(|c| c.is_ascii_digit()))
        })
    }) || id == "footnotes-title"
}

/// A heading id: lowercase letters and digits of any script, words joined by `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '_' {
            pending_dash = true;
        }
    }
    slug
}

/// `text` with runs of whitespace made one space, trimmed. One pass, one allocation:
/// this runs over every block of every text.
pub fn fold_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Words in `text`: runs of non-whitespace. A byte loop, since `split_whitespace`
/// showed up as the build's hottest function.
/// `in_word` carries over from the text just before, so a word split across
/// two text events (at an escape or a smart quote) counts once.
fn count_words(text: &str, in_word: &mut bool) -> usize {
    let mut words = 0;
    let mut inside = *in_word;
    for &b in text.as_bytes() {
        let space = b.is_ascii_whitespace();
        if !space && !inside {
            words += 1;
        }
        inside = !space;
    }
    *in_word = inside;
    words
}

/// The length in characters of non-empty text whose only whitespace is
/// single spaces between words (folding its whitespace would change
/// nothing); `None` for any other text, which takes the word-by-word fold.
fn single_spaced_len(text: &str) -> Option<usize> {
    if text.is_empty() || text.starts_with(' ') || text.ends_with(' ') {
        return None;
    }
    let mut previous_space = false;
    let mut check = |c: char| {
        let space = c == ' ';
        let fine = !(space && previous_space) && (space || !c.is_whitespace());
        previous_space = space;
        fine
    };
    if text.is_ascii() {
        // Bytes are characters; `\x0B` is not whitespace to the ASCII split below.
        let all = text.bytes().all(|b| b == 0x0B || check(char::from(b)));
        return all.then_some(text.len());
    }
    let mut count = 0;
    for c in text.chars() {
        if !check(c) {
            return None;
        }
        count += 1;
    }
    Some(count)
}

/// A part of `text`, borrowed from the source when `text` is (as most text
/// is): linking a mention then copies nothing.
fn slice<'a>(text: &CowStr<'a>, range: std::ops::Range<usize>) -> CowStr<'a> {
    match text {
        CowStr::Borrowed(s) => CowStr::Borrowed(&s[range]),
        other => CowStr::from(other[range].to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        render(md, BodyPlace::default()).body_html
    }

    #[test]
    fn numbers_paragraphs_in_document_order() {
        let r = render(
            "One.\n\nTwo *words*.\n",
            BodyPlace {
                first_line: 5,
                ..BodyPlace::default()
            },
        );
        assert!(
            r.body_html
                .starts_with("<p id=\"p-1\"><a class=\"pnum\" href=\"#p-1\">"),
            "{}",
            r.body_html
        );
        assert!(r.body_html.contains("<p id=\"p-2\">"));
        let texts: Vec<_> = r
            .blocks
            .iter()
            .map(|b| (b.number, b.text.as_str(), b.line))
            .collect();
        assert_eq!(texts, [(1, "One.", 5), (2, "Two words.", 7)]);
    }

    #[test]
    fn list_items_tables_and_code_are_blocks_but_their_insides_are_not() {
        let md = "- a\n- b\n\n  nested para\n\n> quoted\n\n| x |\n|---|\n| 1 |\n\n```\ncode\n```\n";
        let r = render(md, BodyPlace::default());
        let texts: Vec<_> = r.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["a", "b nested para", "quoted", "x 1", "code"]);
        assert!(r.body_html.contains("<div class=\"block\" id=\"p-4\">"));
        assert_eq!(r.body_html.matches("id=\"p-").count(), 5);
    }

    #[test]
    fn explicit_numbers_replace_the_count() {
        let r = render(
            "a\n\nb\n\nc\n",
            BodyPlace {
                first_line: 1,
                numbers: Some(&[1, 2, 7]),
                ..BodyPlace::default()
            },
        );
        let numbers: Vec<_> = r.blocks.iter().map(|b| b.number).collect();
        assert_eq!(numbers, [1, 2, 7]);
        assert!(r.body_html.contains("id=\"p-7\""));
    }

    #[test]
    fn heading_ids_keep_unicode_and_are_unique() {
        let r = render(
            "# Über die Einheit\n\n## Einheit!\n\n## Einheit?\n\n## P 1\n\n## ***\n",
            BodyPlace::default(),
        );
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "über-die-einheit",
                "einheit",
                "einheit-1",
                "h-p-1",
                "section"
            ]
        );
        assert!(html("## Einheit\n").contains("<h2 id=\"einheit\">Einheit</h2>"));
    }

    #[test]
    fn footnotes_are_numbered_by_first_reference_and_linked_both_ways() {
        let md = "Text[^b] and[^a].\n\n[^a]: First defined.\n[^b]: Second defined.\n";
        let r = render(md, BodyPlace::default());
        assert!(r.body_html.contains("<a id=\"fnref-1\" href=\"#fn-1\">"));
        let first = r.footnotes_html.find("Second defined").unwrap();
        let second = r.footnotes_html.find("First defined").unwrap();
        assert!(first < second, "footnote referenced first comes first");
        assert!(r.footnotes_html.contains(
            "<li id=\"fn-1\" value=\"1\"><p>Second defined. <a class=\"fnback\" href=\"#fnref-1\""
        ));
        // Footnote text is not part of the paragraph the reader cites.
        assert_eq!(r.blocks[0].text, "Text and.");
    }

    fn highlight(ordinal: usize, start: usize, end: usize, label: &str) -> Highlight {
        Highlight {
            ordinal,
            start,
            end,
            marker: format!("<sup>{label}</sup>"),
            aside: format!("<aside>{label}</aside>"),
        }
    }

    fn marked(md: &str, highlights: &[Highlight]) -> String {
        render(
            md,
            BodyPlace {
                highlights,
                ..BodyPlace::default()
            },
        )
        .body_html
    }

    #[test]
    fn highlights_mark_passages_by_character_position() {
        let html = marked(
            "One.\n\nThe  West\nWall was built.\n",
            &[highlight(1, 4, 13, "a")],
        );
        assert!(html.contains("<aside>a</aside><p id=\"p-2\">"), "{html}");
        assert!(
            html.contains("The  <mark class=\"noted\">West\nWall</mark><sup>a</sup> was built."),
            "{html}"
        );
    }

    #[test]
    fn highlights_split_around_inline_markup_and_may_overlap() {
        // "A b c d e": a covers "b c", b covers "c d".
        let html = marked(
            "A *b c* d e\n",
            &[highlight(0, 2, 5, "a"), highlight(0, 4, 7, "b")],
        );
        assert!(
            html.contains("A <em><mark class=\"noted\">b c<sup>a</sup></mark></em><mark class=\"noted\"> d</mark><sup>b</sup> e</p>"),
            "{html}"
        );
    }

    #[test]
    fn highlights_in_list_items_put_the_aside_inside() {
        let html = marked("- one\n- two\n", &[highlight(1, 0, 3, "a")]);
        assert!(html.contains("<li id=\"p-2\"><a class=\"pnum\""), "{html}");
        assert!(
            html.contains("</a><aside>a</aside><mark class=\"noted\">two</mark><sup>a</sup></li>"),
            "{html}"
        );
    }

    /// The registry of a YAML registry file.
    fn registry_of(yaml: &str) -> Registry {
        let entities =
            crate::parse::entities::parse_file(yaml, std::path::Path::new("e.yaml")).unwrap();
        Registry::new(entities).0
    }

    #[test]
    fn mentions_are_found_across_escapes_and_in_footnotes_but_recorded_only_in_blocks() {
        let yaml = "- id: ypsl\n  type: organisation\n  name: Young People's Socialist League\n  description: d\n";
        let registry = registry_of(yaml);
        let place = BodyPlace {
            entities: Some(&registry),
            entity_options: EntityOptions {
                link: LinkMentions::Every,
                in_headings: false,
            },
            ..BodyPlace::default()
        };
        let r = render("The Young People\\'s Socialist League.[^1]\n\n[^1]: Young People's Socialist League.\n", place);
        assert_eq!(r.mentions.len(), 1, "recorded in the paragraph only");
        assert_eq!(
            r.body_html
                .matches("href=\"../entities/ypsl/index.html\"")
                .count(),
            1
        );
        assert_eq!(
            r.footnotes_html
                .matches("href=\"../entities/ypsl/index.html\"")
                .count(),
            1
        );
    }

    #[test]
    fn mentions_know_where_they_stand_in_their_block() {
        let yaml = "- id: ezhov\n  type: person\n  name: Nikolai Ezhov\n  aliases: [Ezhov]\n  description: d\n- id: ezhovshchina\n  type: event\n  name: Ezhovshchina\n  description: d\n";
        let registry = registry_of(yaml);
        let place = BodyPlace {
            entities: Some(&registry),
            ..BodyPlace::default()
        };
        let r = render(
            "The *Ezhovshchina*, named after Nikolai  Ezhov;\nEzhov fell.\n",
            place,
        );
        let text = &r.blocks[0].text;
        let found: Vec<(&str, &str)> = r
            .mentions
            .iter()
            .map(|m| (m.alias.as_str(), &text[m.offset..m.offset + m.alias.len()]))
            .collect();
        assert_eq!(
            found,
            [
                ("Ezhovshchina", "Ezhovshchina"),
                ("Ezhov", "Ezhov"),
                ("Ezhov", "Ezhov")
            ]
        );
        let offsets: Vec<usize> = r.mentions.iter().map(|m| m.offset).collect();
        assert_eq!(offsets, [4, 38, 45], "{text}");
    }

    #[test]
    fn a_name_glued_to_the_letters_of_inline_markup_is_no_mention() {
        let yaml = "- id: ezhov\n  type: person\n  name: Nikolai Ezhov\n  aliases: [Ezhov]\n  description: d\n";
        let registry = registry_of(yaml);
        let place = BodyPlace {
            entities: Some(&registry),
            ..BodyPlace::default()
        };
        let aliases = |markdown: &str| -> Vec<(String, usize)> {
            let r = render(markdown, place);
            r.mentions
                .iter()
                .map(|m| {
                    (
                        r.blocks[m.block].text[m.offset..].chars().take(5).collect(),
                        m.offset,
                    )
                })
                .collect()
        };
        // Read as `aEzhov`, `Ezhovism`, `noEzhov`: longer words.
        assert_eq!(aliases("[a](https://example.org/)Ezhov\n"), []);
        assert_eq!(aliases("*Ezhov*ism and **Ezhov**s\n"), []);
        assert_eq!(aliases("no`code`Ezhov and `x`*Ezhov*\n"), []);
        // An image's alt text is read too (`iEzhov`), as a note's anchor reads it.
        assert_eq!(aliases("![i](x.png)Ezhov\n"), []);
        // Markup or a space between: a word of its own.
        assert_eq!(
            aliases("[a](https://example.org/) Ezhov\n"),
            [("Ezhov".into(), 2)]
        );
        assert_eq!(
            aliases("*Ezhov*, and (**Ezhov**)\n"),
            [("Ezhov".into(), 0), ("Ezhov".into(), 12)]
        );
        assert_eq!(
            aliases("Ezhov  \nEzhov\n"),
            [("Ezhov".into(), 0), ("Ezhov".into(), 6)]
        );
    }

    #[test]
    fn whitespace_folds_and_words_count() {
        assert_eq!(fold_whitespace("  a \n\t b  "), "a b");
        assert_eq!(count_words("  one two\nthree ", &mut false), 3);
        assert_eq!(count_words("", &mut false), 0);
        assert_eq!(
            count_words("’s and", &mut true),
            1,
            "the word before continues"
        );
    }

    #[test]
    fn smart_punctuation_and_strikethrough() {
        assert!(html("\"quoted\" -- ~~gone~~\n").contains("“quoted” – <del>gone</del>"));
    }

    #[test]
    fn plain_text_folds_any_whitespace_to_single_spaces() {
        // Paragraphs of words between varied whitespace, ASCII and not: the
        // plain text is always the words joined by single spaces, whichever
        // way `add_plain_text` takes (whole line or word by word).
        let words = [
            "Bukharin",
            "trial",
            "Zinóviev",
            "1938",
            "a",
            "«Pravda»",
            "x",
        ];
        let gaps = [" ", "  ", "\t", " \n", "\n", " \t "];
        let mut seed = 0x2545_f491_u32;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as usize % n
        };
        for _ in 0..300 {
            let count = 1 + next(12);
            let picked: Vec<&str> = (0..count).map(|_| words[next(words.len())]).collect();
            let mut md = String::new();
            for (i, word) in picked.iter().enumerate() {
                if i > 0 {
                    md.push_str(gaps[next(gaps.len())]);
                }
                md.push_str(word);
            }
            assert_eq!(block_texts(&md), [picked.join(" ")], "{md:?}");
        }
    }

    #[test]
    fn block_texts_match_the_build() {
        assert_eq!(block_texts("a\n\n* b\n* c\n"), ["a", "b", "c"]);
    }
}
