//! The model: what an edition is once its files are parsed and resolved.
//!
//! An [`Edition`] holds [`Section`]s in reading order, each holding [`Text`]s.
//! Ids are newtypes so a slug is never confused with a path or a title.

use std::fmt;

use serde::Serialize;

use crate::parse::front_matter::FrontMatter;

/// The URL slug of a text, unique in the edition: the text lives at `<slug>/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct TextId(pub String);

impl fmt::Display for TextId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A date as precise as the source allows, kept as the editor wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialDate {
    pub written: String,
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
    pub approximate: bool,
}

impl PartialDate {
    /// Accepts `1939`, `1939-08`, `1939-08-26`, each optionally after `c.`, `ca.`, `circa` or `~`.
    pub fn parse(written: &str) -> Option<PartialDate> {
        let trimmed = written.trim();
        let (approximate, rest) = ["c.", "ca.", "circa", "~"]
            .iter()
            .find_map(|p| trimmed.strip_prefix(p).map(|r| (true, r.trim_start())))
            .unwrap_or((false, trimmed));
        let mut parts = rest.split('-');
        let year = parts
            .next()
            .filter(|y| y.len() == 4)
            .and_then(|y| y.parse().ok())?;
        let month = match parts.next() {
            Some(m) => Some(two_digits(m).filter(|m| (1..=12).contains(m))?),
            None => None,
        };
        let day = match parts.next() {
            Some(d) => Some(two_digits(d).filter(|d| (1..=31).contains(d))?),
            None => None,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(PartialDate {
            written: written.to_string(),
            year,
            month,
            day,
            approximate,
        })
    }

    /// `1939/08/26`, `1939/08` or `1939`: the form `citation_publication_date` wants.
    pub fn citation_form(&self) -> String {
        let mut s = format!("{:04}", self.year);
        if let Some(m) = self.month {
            s.push_str(&format!("/{m:02}"));
            if let Some(d) = self.day {
                s.push_str(&format!("/{d:02}"));
            }
        }
        s
    }

    /// ISO 8601 with the precision we have, for `<time datetime>`.
    pub fn iso(&self) -> String {
        self.citation_form().replace('/', "-")
    }

    pub fn sort_key(&self) -> (i32, u8, u8) {
        (self.year, self.month.unwrap_or(0), self.day.unwrap_or(0))
    }
}

fn two_digits(s: &str) -> Option<u8> {
    (s.len() == 2).then(|| s.parse().ok()).flatten()
}

/// A heading of a text, with the id it is linked by.
#[derive(Debug, Clone, Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
    /// How many numbered blocks come before it, to place it among them.
    #[serde(skip)]
    pub blocks_before: usize,
}

/// A numbered block (`p-N`): what a reader cites and links to.
#[derive(Debug, Clone)]
pub struct Block {
    pub number: u32,
    /// The block's text without markup, whitespace folded.
    pub text: String,
    /// Line in the file where the block starts.
    pub line: usize,
}

/// A text, parsed and rendered to an HTML body.
#[derive(Debug, Clone)]
pub struct Text {
    pub id: TextId,
    pub meta: FrontMatter,
    /// Folder of the text relative to the content folder (`""` at the top).
    pub section: String,
    pub source_path: std::path::PathBuf,
    pub body_html: String,
    pub footnotes_html: String,
    pub headings: Vec<Heading>,
    pub blocks: Vec<Block>,
    pub word_count: usize,
    /// Editorial notes, anchored, in document order.
    pub notes: Vec<AnchoredNote>,
    /// `@` links of the text and its notes.
    pub links: Vec<TextLink>,
    /// Mentions of registered entities.
    pub mentions: Vec<Mention>,
    /// Explicit cross-references from the front-matter.
    pub related: Vec<crate::parse::front_matter::Related>,
}

/// A checked-at-build-time link written in Markdown: `@/slug#anchor`, `@entity/id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub target: LinkTarget,
    /// Where the link is written: byte offset in the Markdown it came from.
    pub offset: usize,
    /// The block (`p-N`) it sits in, if any.
    pub paragraph: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    Text {
        slug: String,
        fragment: Option<String>,
    },
    Entity(String),
    /// An `@` link of no known form, kept to report it.
    Unknown(String),
}

/// A link of a text or of one of its notes, placed for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextLink {
    pub target: LinkTarget,
    pub position: crate::diagnostic::Position,
    pub paragraph: Option<u32>,
    /// The note the link is in, if it is in a note.
    pub note: Option<String>,
}

/// A mention of a registered entity in a numbered block of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Index into the registry's entities.
    pub entity: usize,
    /// Index into the text's blocks.
    pub block: usize,
    /// The words as the text has them.
    pub alias: String,
    /// Byte offset of the words in the block's plain text.
    pub offset: usize,
}

/// An editorial note and the passage it is anchored to in this build.
#[derive(Debug, Clone)]
pub struct AnchoredNote {
    pub note: crate::parse::notes::Note,
    /// `a`, `b`, ... in document order: letters, so they never look like the author's numbered footnotes.
    pub label: String,
    /// The paragraph (`p-N`) it sits in, and that block's index in [`Text::blocks`].
    pub paragraph: u32,
    pub block: usize,
    /// The passage as it reads in the rendered text, and up to 32 characters around it.
    pub exact: String,
    pub prefix: String,
    pub suffix: String,
    /// Position of the passage in the paragraph's plain text, in Unicode code points.
    pub start: usize,
    pub end: usize,
    pub body_html: String,
    /// `@` links in the note's body.
    pub links: Vec<LinkRef>,
}

/// A group of texts in the table of contents: one folder of the content folder.
#[derive(Debug, Clone)]
pub struct Section {
    /// Folder relative to the content folder, `""` for the top level.
    pub path: String,
    pub title: String,
    pub summary: Option<String>,
    pub intro_html: String,
    pub weight: i64,
    /// Indexes into [`Edition::texts`], in reading order.
    pub texts: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Edition {
    pub texts: Vec<Text>,
    pub sections: Vec<Section>,
    /// The edition's own introduction (`content/_index.md`), rendered.
    pub intro_html: String,
    pub registry: crate::parse::entities::Registry,
    /// What spans texts, computed once every text is parsed.
    pub cross: crate::resolve::CrossReferences,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_keep_their_precision() {
        let cases = [
            ("1939", Some((1939, None, None, false))),
            ("1939-08", Some((1939, Some(8), None, false))),
            ("1939-08-26", Some((1939, Some(8), Some(26), false))),
            ("c. 1939", Some((1939, None, None, true))),
            ("circa 1917-10", Some((1917, Some(10), None, true))),
            ("1939-13", None),
            ("39", None),
            ("1939-8", None),
            ("soon", None),
            ("1939-08-26-01", None),
        ];
        for (input, expected) in cases {
            let got = PartialDate::parse(input).map(|d| (d.year, d.month, d.day, d.approximate));
            assert_eq!(got, expected, "{input}");
        }
        assert_eq!(
            PartialDate::parse("1939-08").unwrap().citation_form(),
            "1939/08"
        );
    }
}
