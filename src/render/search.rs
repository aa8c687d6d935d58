//! Search: the resolved edition in, the files of a sharded full-text index out.
//!
//! Every text, editorial note and entity becomes one document. The index has
//! three parts, all under [`DIR`], so a reader's browser fetches only what a
//! query needs (`themes/default/static/search.js` reads them):
//!
//! - `meta.json`: the format's version, how many documents of each kind
//!   there are (documents are numbered texts first, then notes, then
//!   entities, so a kind is a range of numbers), and the keys of the shards;
//! - `t/<n>.bin`: the shards of the word list. A shard holds the words that
//!   start with its key (a prefix; a shard that would grow past
//!   [`SHARD_BYTES`] is split by the next letter), each with its postings:
//!   which documents hold it and how often. A query word loads the shards
//!   whose key it starts with or that start with it, so a word also finds the
//!   longer words it begins (`trial` finds `trials`; the search page does
//!   this for words of three letters or more);
//! - `d/<n>.json`: what a result shows, [`DOCS_PER_FILE`] documents a file:
//!   the address, the title and, for a note or an entity, its words (a text's
//!   passages are read from its page, which the browser fetches anyway).
//!
//! Words are folded the same way here and in the browser
//! ([`for_each_word`]): lower case, accents stripped, split at anything that
//! is not a letter or digit. URLs are relative to the site root.
//!
//! Our own writer, not the `pagefind` crate it replaces: pagefind added 92 s
//! and 12 GB to a build of 10,000 texts on 2 cores (one thread, every word
//! held as a string, every chunk gzipped at the best level); this adds about
//! 2 s and 100 MB (benches/BENCHMARKS.md), because it counts words on every
//! core into one table per slice of the documents, keeps each word's
//! documents as the bytes the shard will hold, and writes each shard
//! straight from those tables. The index needs no WebAssembly in the
//! browser, and a text's passages come from its own page.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rayon::prelude::*;
use rustc_hash::FxHasher;
use serde::Serialize;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use crate::model::{AnchoredNote, Edition, Text};
use crate::parse::entities::Entity;

use super::views::text_url;

/// The folder of the index in the site.
pub const DIR: &str = "search-index";

/// The version of the format, in `meta.json`; the search page checks it.
pub const VERSION: u32 = 1;

/// A shard grows up to about this many bytes before it is split.
const SHARD_BYTES: usize = 48 * 1024;

/// Documents per file of `d/`: a page of ten results fetches a few small files.
const DOCS_PER_FILE: usize = 64;

/// A word of a title counts this many times: a text named for a word ranks first.
const TITLE_WEIGHT: u32 = 8;

/// What a document is; documents of one kind are numbered together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Note,
    Entity,
}

/// One thing a reader can find: what a result shows, and the words it is found by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document<'a> {
    pub kind: Kind,
    pub shown: Shown<'a>,
    /// Searched with [`TITLE_WEIGHT`].
    pub title: Cow<'a, str>,
    /// Searched, each once per occurrence, as is the excerpt shown (a
    /// note's or entity's words), which is therefore not repeated here.
    pub body: Vec<Cow<'a, str>>,
}

/// What a result shows, as written in `d/<n>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shown<'a> {
    /// The address, relative to the site root.
    #[serde(rename = "u")]
    pub url: String,
    #[serde(rename = "t")]
    pub title: Cow<'a, str>,
    /// A note's passage.
    #[serde(rename = "p", skip_serializing_if = "Option::is_none")]
    pub passage: Option<Cow<'a, str>>,
    /// A note's type (`Disputed`), or an entity's (`person`).
    #[serde(rename = "k", skip_serializing_if = "Option::is_none")]
    pub label: Option<&'static str>,
    /// A note's or entity's words, for its excerpt; a text's are on its page.
    #[serde(rename = "x", skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

impl Document<'_> {
    /// A copy that borrows nothing, for the preview's indexer to keep.
    pub fn into_owned(self) -> Document<'static> {
        let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        Document {
            kind: self.kind,
            shown: Shown {
                url: self.shown.url,
                title: own(self.shown.title),
                passage: self.shown.passage.map(own),
                label: self.shown.label,
                excerpt: self.shown.excerpt,
            },
            title: own(self.title),
            body: self.body.into_iter().map(own).collect(),
        }
    }
}

/// A file of the built index: its path under [`DIR`] and its bytes.
pub struct IndexFile {
    pub rel: String,
    pub contents: Vec<u8>,
}

/// The documents of the edition in index order: its texts, their notes, and
/// (when the theme renders entity pages, so a hit has somewhere to go) its
/// entities.
pub fn documents(edition: &Edition, entity_pages: bool) -> Vec<Document<'_>> {
    let mut documents: Vec<Document> = edition.texts.par_iter().map(text_document).collect();
    documents.extend(
        edition
            .texts
            .iter()
            .flat_map(|text| text.notes.iter().map(move |note| note_document(text, note))),
    );
    if entity_pages {
        documents.extend(edition.registry.entities.iter().map(entity_document));
    }
    documents
}

fn text_document(text: &Text) -> Document<'_> {
    let mut body: Vec<Cow<str>> = Vec::with_capacity(text.blocks.len() + text.headings.len() + 2);
    body.push(Cow::Owned(byline(text)));
    body.extend(text.headings.iter().map(|h| Cow::Borrowed(h.text.as_str())));
    body.extend(text.blocks.iter().map(|b| Cow::Borrowed(b.text.as_str())));
    body.push(Cow::Owned(html_to_text(&text.footnotes_html)));
    Document {
        kind: Kind::Text,
        shown: Shown {
            url: text_url(text),
            title: Cow::Borrowed(&text.meta.title),
            passage: None,
            label: None,
            excerpt: None,
        },
        title: Cow::Borrowed(&text.meta.title),
        body,
    }
}

fn note_document<'a>(text: &'a Text, note: &'a AnchoredNote) -> Document<'a> {
    let mut words = html_to_text(&note.body_html);
    for source in &note.note.sources {
        words.push(' ');
        words.push_str(source);
    }
    Document {
        kind: Kind::Note,
        shown: Shown {
            url: format!("{}#note-{}", text_url(text), note.note.id),
            title: Cow::Borrowed(&text.meta.title),
            passage: Some(Cow::Borrowed(&note.exact)),
            label: Some(note.note.kind.label()),
            excerpt: Some(words),
        },
        title: Cow::Borrowed(&note.exact),
        body: Vec::new(),
    }
}

fn entity_document(entity: &Entity) -> Document<'_> {
    // What it is first: an excerpt shows the words around the first hit.
    let mut words: Vec<&str> = entity.dates.iter().map(String::as_str).collect();
    words.push(&entity.description);
    words.extend(
        entity
            .aliases
            .iter()
            .map(String::as_str)
            .filter(|a| *a != entity.name),
    );
    let words = words.join(" · ");
    Document {
        kind: Kind::Entity,
        shown: Shown {
            url: format!("entities/{}/index.html", entity.id),
            title: Cow::Borrowed(&entity.name),
            passage: None,
            label: Some(entity.kind.name()),
            excerpt: Some(words),
        },
        title: Cow::Borrowed(&entity.name),
        body: Vec::new(),
    }
}

/// `Walter Ulbricht 1939-08-26`: who wrote the text and when, so a query for
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
    parts.join(" ")
}

/// The words of HTML the renderer wrote: tags dropped (a block's leaves a
/// space, so `a</p><p>b` stays two words, an inline one nothing, so
/// `<a>article</a>)` reads `article)`) and its few escapes undone.
fn html_to_text(html: &str) -> String {
    const INLINE: &[&str] = &[
        "a", "abbr", "b", "cite", "code", "em", "i", "mark", "q", "s", "small", "span", "strong",
        "sub", "sup", "u",
    ];
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let tag = &rest[open + 1..];
        let name = tag.trim_start_matches('/');
        let name = &name[..name
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(name.len())];
        if !INLINE
            .iter()
            .any(|inline| inline.eq_ignore_ascii_case(name))
        {
            text.push(' ');
        }
        rest = tag.find('>').map_or("", |close| &tag[close + 1..]);
    }
    text.push_str(rest);
    if !text.contains('&') {
        return text;
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// Calls `each` with every word of `text`, folded as the search page folds a
/// query: lower case, marks removed after canonical decomposition (`é` is
/// `e`), final sigma as sigma, and split at every character that is neither
/// a letter (Unicode Alphabetic) nor a digit (Unicode Numeric). In the
/// browser: `toLowerCase()`, `normalize("NFD")`, strip `\p{M}`, `ς` to `σ`,
/// match `[\p{Alphabetic}\p{N}]+`.
pub fn for_each_word(text: &str, folded: &mut String, mut each: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if CLASS[bytes[at] as usize] == SEPARATOR {
            at += 1;
            continue;
        }
        let start = at;
        let mut classes = 0;
        while at < bytes.len() && CLASS[bytes[at] as usize] != SEPARATOR {
            classes |= CLASS[bytes[at] as usize];
            at += 1;
        }
        // Separators are ASCII, so the run is whole characters.
        let run = &text[start..at];
        if classes == PLAIN {
            each(run);
        } else if classes & NON_ASCII == 0 {
            folded.clear();
            folded.push_str(run);
            folded.make_ascii_lowercase();
            each(folded);
        } else {
            fold_unicode(run, folded);
            folded
                .split(' ')
                .filter(|w| !w.is_empty())
                .for_each(&mut each);
        }
    }
}

/// What a byte is to [`for_each_word`]: a table, since nearly every byte of
/// the edition passes through it.
const SEPARATOR: u8 = 0;
const PLAIN: u8 = 1;
const UPPER: u8 = 2;
const NON_ASCII: u8 = 4;
static CLASS: [u8; 256] = {
    let mut table = [SEPARATOR; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = if byte >= 0x80 {
            NON_ASCII
        } else if byte.is_ascii_lowercase() || byte.is_ascii_digit() {
            PLAIN
        } else if byte.is_ascii_uppercase() {
            UPPER
        } else {
            SEPARATOR
        };
        b += 1;
    }
    table
};

/// The slow path of [`for_each_word`]: a run holding non-ASCII letters,
/// folded into `folded` with a space wherever it splits (`Trotsky’s`).
fn fold_unicode(run: &str, folded: &mut String) {
    folded.clear();
    for c in run.chars() {
        for lower in c.to_lowercase() {
            decompose_canonical(lower, |d| {
                if is_combining_mark(d) {
                    return;
                }
                let d = if d == 'ς' { 'σ' } else { d };
                folded.push(if d.is_alphanumeric() { d } else { ' ' });
            });
        }
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The words of a slice of the documents: for each, the documents that hold
/// it (ascending) and how often.
#[derive(Default)]
struct Postings {
    /// Each word's number in this slice.
    ids: FastMap<Box<str>, u32>,
    /// By word number.
    lists: Vec<List>,
}

/// The documents of a slice that hold a word, as they are written in a shard
/// (varints, about 2 bytes a document against 8 as numbers: 10,000 texts'
/// lists take 30 MB rather than 120), but for the first document, whose
/// distance from the previous slice's last is known only when the slices
/// are joined.
#[derive(Default)]
struct List {
    first: (u32, u32),
    last: u32,
    documents: usize,
    /// From the second document on: the distance from the one before, and the count.
    rest: Vec<u8>,
}

impl List {
    fn push(&mut self, document: u32, count: u32) {
        if self.documents == 0 {
            self.first = (document, count);
        } else {
            push_varint(&mut self.rest, (document - self.last) as usize);
            push_varint(&mut self.rest, count as usize);
        }
        self.last = document;
        self.documents += 1;
    }
}

impl Postings {
    /// The word's number, given it now if it has none.
    fn id_or_new(&mut self, word: &str) -> usize {
        if let Some(&id) = self.ids.get(word) {
            return id as usize;
        }
        let id = self.lists.len();
        self.ids.insert(word.into(), id as u32);
        self.lists.push(List::default());
        id
    }

    fn get(&self, word: &str) -> Option<&List> {
        self.ids.get(word).map(|&id| &self.lists[id as usize])
    }

    fn words(&self) -> impl Iterator<Item = &str> {
        self.ids.keys().map(|w| &**w)
    }
}

/// Builds the index of `documents` (as [`documents`] orders them).
pub fn build_index(documents: &[Document]) -> Vec<IndexFile> {
    let slices = count_words(documents);
    let words = vocabulary(&slices);
    let shards = plan_shards(&words);
    let mut files: Vec<IndexFile> = shards
        .par_iter()
        .enumerate()
        .map(|(n, shard)| IndexFile {
            rel: format!("t/{n}.bin"),
            contents: encode_shard(&words[shard.words.clone()]),
        })
        .collect();
    files.extend(
        documents
            .par_chunks(DOCS_PER_FILE)
            .enumerate()
            .map(|(n, chunk)| {
                let shown: Vec<&Shown> = chunk.iter().map(|d| &d.shown).collect();
                IndexFile {
                    rel: format!("d/{n}.json"),
                    contents: serde_json::to_vec(&shown).expect("plain data serialises"),
                }
            })
            .collect::<Vec<_>>(),
    );
    files.push(IndexFile {
        rel: "meta.json".into(),
        contents: meta_json(documents, &shards),
    });
    files
}

/// Counts the words of `documents`, one table per contiguous slice so the
/// slices' postings, read in order, are in document order.
fn count_words(documents: &[Document]) -> Vec<Postings> {
    let slices = (rayon::current_num_threads() * 4).max(1);
    let per_slice = documents.len().div_ceil(slices).max(1);
    documents
        .par_chunks(per_slice)
        .enumerate()
        .map(|(n, slice)| {
            let mut postings = Postings::default();
            // Words are numbered on first sight, so a document's counts are a
            // plain array, and one table lookup per occurrence is all the
            // hashing there is.
            let mut counts: Vec<u32> = Vec::new();
            let mut seen: Vec<u32> = Vec::new();
            let mut folded = String::new();
            for (i, document) in slice.iter().enumerate() {
                let doc = u32::try_from(n * per_slice + i).expect("fewer than 4 billion documents");
                let mut count = |word: &str, weight: u32| {
                    let id = postings.id_or_new(word);
                    if id == counts.len() {
                        counts.push(0);
                    }
                    if counts[id] == 0 {
                        seen.push(id as u32);
                    }
                    counts[id] += weight;
                };
                for_each_word(&document.title, &mut folded, |w| count(w, TITLE_WEIGHT));
                let shown = document.shown.excerpt.as_deref();
                for part in document.body.iter().map(|b| &**b).chain(shown) {
                    for_each_word(part, &mut folded, |w| count(w, 1));
                }
                for id in seen.drain(..) {
                    let id = id as usize;
                    postings.lists[id].push(doc, counts[id]);
                    counts[id] = 0;
                }
            }
            postings
        })
        .collect()
}

/// Every word of the edition, sorted, with its documents in each slice (in
/// slice order) and about the bytes they will take.
struct Word<'a> {
    text: &'a str,
    lists: Vec<&'a List>,
    bytes: usize,
}

fn vocabulary(slices: &[Postings]) -> Vec<Word<'_>> {
    let mut words: Vec<&str> = slices.iter().flat_map(Postings::words).collect();
    words.par_sort_unstable();
    words.dedup();
    words
        .into_iter()
        .map(|text| {
            let lists: Vec<&List> = slices.iter().filter_map(|p| p.get(text)).collect();
            let documents: usize = lists.iter().map(|list| list.documents).sum();
            Word {
                text,
                lists,
                // About two bytes a posting, once the numbers are varints.
                bytes: text.len() + 2 + 2 * documents,
            }
        })
        .collect()
}

/// A shard: its key and the range of the vocabulary it holds.
struct Shard {
    key: String,
    words: std::ops::Range<usize>,
}

/// Groups the sorted `words` into shards by prefix: one per first letter,
/// split by the next letter while a shard holds more than [`SHARD_BYTES`].
/// A word then lies in the shard of the longest key it starts with.
fn plan_shards(words: &[Word]) -> Vec<Shard> {
    let mut shards = Vec::new();
    for_each_group(words, 0..words.len(), 0, &mut |range, depth| {
        plan(words, range, depth, &mut shards)
    });
    shards
}

fn plan(words: &[Word], range: std::ops::Range<usize>, depth: usize, shards: &mut Vec<Shard>) {
    let key: String = words[range.start].text.chars().take(depth).collect();
    let bytes: usize = words[range.clone()].iter().map(|w| w.bytes).sum();
    if bytes <= SHARD_BYTES || range.len() == 1 {
        shards.push(Shard { key, words: range });
        return;
    }
    // Sorted, the word that is the key itself (if any) comes first and stays here.
    let mut start = range.start;
    if words[start].text.chars().count() == depth {
        shards.push(Shard {
            key,
            words: start..start + 1,
        });
        start += 1;
    }
    for_each_group(words, start..range.end, depth, &mut |group, _| {
        plan(words, group, depth + 1, shards)
    });
}

/// Calls `each` with the runs of `range` (sorted words, all at least `depth`
/// characters long and sharing their first `depth`) that share one more.
fn for_each_group(
    words: &[Word],
    range: std::ops::Range<usize>,
    depth: usize,
    each: &mut dyn FnMut(std::ops::Range<usize>, usize),
) {
    let letter = |i: usize| words[i].text.chars().nth(depth);
    let mut start = range.start;
    while start < range.end {
        let mut end = start + 1;
        while end < range.end && letter(end) == letter(start) {
            end += 1;
        }
        each(start..end, depth + 1);
        start = end;
    }
}

/// A shard's bytes: for each word, its length and UTF-8, how many documents
/// hold it, then for each the distance from the previous document's number
/// (the first: the number) and the count, all as LEB128 varints.
fn encode_shard(words: &[Word]) -> Vec<u8> {
    let mut out = Vec::with_capacity(words.iter().map(|w| w.bytes).sum());
    for word in words {
        push_varint(&mut out, word.text.len());
        out.extend_from_slice(word.text.as_bytes());
        push_varint(&mut out, word.lists.iter().map(|l| l.documents).sum());
        let mut previous = 0;
        for list in &word.lists {
            let (document, count) = list.first;
            push_varint(&mut out, (document - previous) as usize);
            push_varint(&mut out, count as usize);
            out.extend_from_slice(&list.rest);
            previous = list.last;
        }
    }
    out
}

fn push_varint(out: &mut Vec<u8>, mut value: usize) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    texts: usize,
    notes: usize,
    entities: usize,
    docs_per_file: usize,
    shards: Vec<&'a str>,
}

fn meta_json(documents: &[Document], shards: &[Shard]) -> Vec<u8> {
    let count = |kind| documents.iter().filter(|d| d.kind == kind).count();
    let meta = Meta {
        version: VERSION,
        texts: count(Kind::Text),
        notes: count(Kind::Note),
        entities: count(Kind::Entity),
        docs_per_file: DOCS_PER_FILE,
        shards: shards.iter().map(|s| s.key.as_str()).collect(),
    };
    serde_json::to_vec(&meta).expect("plain data serialises")
}

#[cfg(test)]
mod tests {
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

A second paragraph, with 1 < 2 and Münzenberg’s trials.
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

    fn words(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        for_each_word(text, &mut String::new(), |w| found.push(w.to_string()));
        found
    }

    #[test]
    fn words_are_folded_as_the_browser_folds_a_query() {
        assert_eq!(
            words("The Trotsky’s, 1917!"),
            ["the", "trotsky", "s", "1917"]
        );
        assert_eq!(
            words("Münzenberg and Mu\u{308}nzenberg"),
            ["munzenberg", "and", "munzenberg"]
        );
        assert_eq!(words("ΟΔΟΣ οδός"), ["οδοσ", "οδοσ"]);
        assert_eq!(words("İstanbul Ežov—Ежов"), ["istanbul", "ezov", "ежов"]);
        assert_eq!(words("  --  "), Vec::<String>::new());
    }

    #[test]
    fn html_becomes_its_words() {
        assert_eq!(
            html_to_text("<p>A <em>b</em>&amp;c</p><p>1 &lt; 2 (<a href=\"x\">see</a>)</p>")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["A", "b&c", "1", "<", "2", "(see)"]
        );
    }

    /// A word of a decoded shard, with its (document, count) postings.
    type Entry = (String, Vec<(u32, u32)>);

    /// A shard decoded as the search page decodes it.
    fn decode(bytes: &[u8]) -> Vec<Entry> {
        fn varint(bytes: &[u8], at: &mut usize) -> usize {
            let (mut value, mut shift) = (0, 0);
            loop {
                let b = bytes[*at];
                *at += 1;
                value |= ((b & 0x7f) as usize) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    return value;
                }
            }
        }
        let mut at = 0;
        let mut entries = Vec::new();
        while at < bytes.len() {
            let length = varint(bytes, &mut at);
            let word = std::str::from_utf8(&bytes[at..at + length])
                .unwrap()
                .to_string();
            at += length;
            let mut postings = Vec::new();
            let mut document = 0;
            for _ in 0..varint(bytes, &mut at) {
                document += varint(bytes, &mut at) as u32;
                postings.push((document, varint(bytes, &mut at) as u32));
            }
            entries.push((word, postings));
        }
        entries
    }

    /// The index as a map from word to postings, read through `meta.json`'s
    /// shard keys by the search page's rule: a query word loads the shards
    /// whose key it starts with, or that start with it.
    struct Built {
        meta: serde_json::Value,
        shards: Vec<(String, Vec<Entry>)>,
        files: Vec<IndexFile>,
    }

    fn build(documents: &[Document]) -> Built {
        let files = build_index(documents);
        let file = |rel: &str| files.iter().find(|f| f.rel == rel).map(|f| &f.contents[..]);
        let meta: serde_json::Value = serde_json::from_slice(file("meta.json").unwrap()).unwrap();
        let shards = meta["shards"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(n, key)| {
                let bytes = file(&format!("t/{n}.bin")).expect("a file for each shard");
                (key.as_str().unwrap().to_string(), decode(bytes))
            })
            .collect();
        Built {
            meta,
            shards,
            files,
        }
    }

    impl Built {
        /// What the search page finds for a query word: the words it begins, with their postings.
        fn lookup(&self, term: &str) -> Vec<Entry> {
            self.shards
                .iter()
                .filter(|(key, _)| term.starts_with(key.as_str()) || key.starts_with(term))
                .flat_map(|(_, entries)| entries.iter())
                .filter(|(word, _)| word.starts_with(term))
                .cloned()
                .collect()
        }
    }

    #[test]
    fn the_index_finds_each_word_in_its_documents_with_its_count() {
        let text = text();
        let edition_documents = vec![text_document(&text), note_document(&text, &text.notes[0])];
        let built = build(&edition_documents);
        assert_eq!(built.meta["version"], VERSION);
        assert_eq!(
            (built.meta["texts"].as_u64(), built.meta["notes"].as_u64()),
            (Some(1), Some(1))
        );
        let postings = |word: &str| {
            built
                .lookup(word)
                .into_iter()
                .find(|(w, _)| w == word)
                .map(|(_, p)| p)
                .unwrap_or_default()
        };
        // Document 0 is the text, 1 its note; "front" is in the text once and
        // in the note's passage, its title there.
        assert_eq!(postings("front"), [(0, 1), (1, TITLE_WEIGHT)]);
        assert_eq!(postings("contested"), [(1, 1)]);
        assert_eq!(postings("letters"), [(0, TITLE_WEIGHT)]);
        assert_eq!(postings("zetkin"), [(0, 1)], "the byline is searched");
        assert_eq!(postings("munzenberg"), [(0, 1)]);
        assert_eq!(postings("heading"), [(0, 1)]);
        assert_eq!(postings("smith"), [(1, 1)], "a note's sources are searched");
        let trial: Vec<String> = built.lookup("trial").into_iter().map(|(w, _)| w).collect();
        assert_eq!(trial, ["trials"], "a word finds the words it begins");
    }

    #[test]
    fn results_show_addresses_titles_passages_and_excerpts() {
        let text = text();
        let built = build(&[text_document(&text), note_document(&text, &text.notes[0])]);
        let docs = built.files.iter().find(|f| f.rel == "d/0.json").unwrap();
        let docs: serde_json::Value = serde_json::from_slice(&docs.contents).unwrap();
        assert_eq!(
            docs,
            serde_json::json!([
                {"u": "letter/index.html", "t": "Letters & <Notes>"},
                {
                    "u": "letter/index.html#note-front",
                    "t": "Letters & <Notes>",
                    "p": "united front",
                    "k": "Disputed",
                    "x": html_to_text(&text.notes[0].body_html) + " Smith 1990, p. 4"
                }
            ])
        );
    }

    /// Words with `documents` postings each, numbered so they share prefixes.
    fn many_words(count: usize, documents: u32) -> Vec<(String, u32)> {
        (0..count)
            .map(|i| (format!("w{}", i * 7919 % 100_000), documents))
            .chain([("w".to_string(), documents), ("w1".to_string(), documents)])
            .collect()
    }

    #[test]
    fn large_shards_are_split_and_every_word_is_found_by_each_of_its_prefixes() {
        let words = many_words(3000, 40);
        let body: Vec<Cow<str>> = words.iter().map(|(w, _)| Cow::Owned(w.clone())).collect();
        let documents: Vec<Document> = (0..40)
            .map(|n| Document {
                kind: Kind::Text,
                shown: Shown {
                    url: format!("t{n}/index.html"),
                    title: Cow::Borrowed("t"),
                    passage: None,
                    label: None,
                    excerpt: None,
                },
                title: Cow::Borrowed(""),
                body: body.clone(),
            })
            .collect();
        let built = build(&documents);
        assert!(built.shards.len() > 10, "{} shards", built.shards.len());
        for (n, (key, entries)) in built.shards.iter().enumerate() {
            let shard = format!("t/{n}.bin");
            let bytes = built
                .files
                .iter()
                .find(|f| f.rel == shard)
                .unwrap()
                .contents
                .len();
            assert!(
                bytes <= SHARD_BYTES || entries.len() == 1,
                "shard {key}: {bytes} bytes"
            );
            assert!(
                entries.iter().all(|(w, _)| w.starts_with(key.as_str())),
                "shard {key}"
            );
        }
        for (word, _) in &words {
            for end in 1..=word.len() {
                let found = built.lookup(&word[..end]);
                let hit = found.iter().find(|(w, _)| w == word);
                assert_eq!(
                    hit.map(|(_, p)| p.len()),
                    Some(40),
                    "{word} is not found whole by {}",
                    &word[..end]
                );
            }
        }
    }
}
