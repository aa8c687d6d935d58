//! Property tests of the stages that read what editors write: generated
//! input in, "never panics, never hangs, and keeps its promise" out.
//!
//! Five parsers are driven with inputs built from the syntax each one cares
//! about (YAML keys and values, Markdown fragments, `@` links, typographic
//! punctuation, aliases that overlap), mixed with arbitrary Unicode, control
//! characters, CRLF and very long lines:
//!
//! - the whole-text parse ([`scholia::parse::parse_file`]): every diagnostic
//!   points inside the file, and a split hands back slices of the file;
//! - note anchoring: a quote taken from a block anchors in that block;
//! - `@` links: a link to an existing text or entity resolves, and each link
//!   to a missing one yields exactly one error, naming it, at the link;
//! - import: every word of a source lands in its text, in order, and every
//!   line in exactly one text;
//! - alias matching: every mention is whole-word, on char boundaries, in
//!   order, not overlapping, and one of its entity's aliases; an alias
//!   standing alone is found; a registry file's problems point inside it.
//!
//! Each case runs under a watchdog ([`within`]), so a hang fails the test
//! instead of stalling CI. The case counts (1,024 to 2,048 a property) run
//! the file in about 20 s in the debug profile on two cores;
//! `PROPTEST_CASES=20000 cargo test --test properties` (about 5 minutes)
//! looks harder. Failures proptest finds are kept in
//! `tests/properties.proptest-regressions` and replayed first.

mod support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use scholia::config::{EntityOptions, LinkMentions};
use scholia::diagnostic::Diagnostic;
use scholia::load::{FileKind, SourceFile};
use scholia::model::Block;
use scholia::parse::entities::{Entity, EntityType, Registry};
use scholia::parse::notes::{Anchor, Note, NoteType};
use scholia::parse::{parse_file, ParseContext, Parsed};
use scholia::resolve::anchor::{anchor, AnchorError};
use support::words::{normalise, rendered_words};

// --- running cases -----------------------------------------------------------

/// `cases` for CI, unless `PROPTEST_CASES` asks for more (or fewer).
fn config(cases: u32) -> ProptestConfig {
    // `ProptestConfig::default()` reads PROPTEST_CASES; a literal would override it.
    let base = ProptestConfig::default();
    let cases = match std::env::var_os("PROPTEST_CASES") {
        Some(_) => base.cases,
        None => cases,
    };
    ProptestConfig {
        cases,
        // A hang leaves a spinning thread per shrink step: shrink briefly.
        max_shrink_time: 30_000,
        ..base
    }
}

/// How long one case may take before it counts as a hang. Cases take
/// milliseconds; the margin is for a loaded two-core machine.
const HANG: Duration = Duration::from_secs(10);

/// Runs `f` on its own thread and fails if it panics or does not finish within [`HANG`].
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(HANG) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what} did not finish in {HANG:?}"),
        // The sender was dropped without sending: `f` panicked; pass its panic on.
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the worker sends before it ends"),
        },
    }
}

// --- generators --------------------------------------------------------------

/// Characters that parsers and normalisers treat specially.
const AWKWARD: &[&str] = &[
    "\r", "\r\n", "\n", "\t", "\u{0}", "\u{7}", "\u{1b}", "\u{0c}", "\u{a0}", "\u{202f}",
    "\u{3000}", "\u{200b}", "\u{feff}", "\u{301}", "é", "ß", "İ", "ﬁ", "𝔘", "😀", "’", "“", "”",
    "—", "–", "…", "‒", "−", "«", "»", "'", "\"", "\\", "-", "--", "...",
];

/// Arbitrary characters, control and unassigned ones included.
fn noise(max: usize) -> impl Strategy<Value = String> {
    vec(any::<char>(), 0..max).prop_map(String::from_iter)
}

/// One line of thousands of characters.
fn long_line() -> impl Strategy<Value = String> {
    (
        select(&["a", "é ", "word ", "-", "… ", "\u{a0}", "[", "*"][..]),
        100..1500usize,
    )
        .prop_map(|(piece, n)| piece.repeat(n))
}

/// A string made mostly of `tokens`, with awkward characters, noise and the
/// odd long line mixed in (about one string in five has one: they are slow
/// to check in the debug profile, and one is enough to catch what they catch).
fn mix(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        48 => select(tokens).prop_map(String::from),
        12 => select(AWKWARD).prop_map(String::from),
        8 => noise(6),
        1 => long_line(),
    ];
    vec(piece, 0..max).prop_map(|pieces| pieces.concat())
}

/// Words and punctuation of prose, without Markdown syntax.
const PROSE: &[&str] = &[
    "the ",
    "workers ",
    "Party ",
    "Moscow",
    "trials",
    " ",
    "  ",
    ", ",
    ". ",
    "naïve ",
    "Weiß ",
    "“united front” ",
    "‘quoted’ ",
    "it's ",
    "a—b ",
    "1939 ",
    "x ",
    "-",
    "…",
    "—",
    "\u{a0}",
];

/// Markdown that opens and closes blocks and inline markup, `@` links included.
const MARKDOWN: &[&str] = &[
    "\n\n",
    "\n",
    "\r\n",
    "  \n",
    "# ",
    "## Heading\n",
    "### A *b* {#id}\n",
    "*",
    "**",
    "_",
    "__",
    "`",
    "``",
    "```\n",
    "~~~\n",
    "> ",
    "- ",
    "* ",
    "1. ",
    "2) ",
    "[^1]",
    "[^1]: def\n",
    "[^x]: ",
    "[a](@/t1)",
    "[b](@/t1#p-1)",
    "[c](@entity/e1)",
    "[d](@plain)",
    "[e](@wiki/x)",
    "[f](@/)",
    "[g](@)",
    "[",
    "]",
    "(",
    ")",
    "](",
    "![i](x.png)",
    "<http://x.org/a>",
    "https://x.org/Moscow ",
    "<b>",
    "</div>",
    "<!--",
    "-->",
    "<script>",
    "|a|b|\n|-|-|\n",
    "|",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&nbsp;",
    "\\",
    "~~",
    "---\n",
    "***\n",
    "    code\n",
    "\t",
    "word ",
    "Moscow ",
    "trials ",
    ". ",
    ", ",
    "“",
    "”",
    "’",
    "…",
    "—",
];

// --- 1. the whole-text parse ---------------------------------------------------

const KEYS: &[&str] = &[
    "title",
    "subtitle",
    "author",
    "authors",
    "date",
    "publication",
    "source",
    "translator",
    "original_language",
    "language",
    "genre",
    "tradition",
    "tags",
    "summary",
    "weight",
    "slug",
    "provenance",
    "residue",
    "paragraphs",
    "notes",
    "related",
    "titel",
    "sumary",
    "x",
    "",
    "\"title\"",
    "? title",
    "title ",
    " title",
    "é",
];

const VALUES: &[&str] = &[
    "T",
    "\"The title\"",
    "'it''s'",
    "\"open",
    "'open",
    "[a, b]",
    "[1, 2]",
    "[0, 0]",
    "[",
    "]",
    "{x: y}",
    "{",
    "3",
    "-1",
    "99999999999999999999",
    "1939",
    "1939-08",
    "1939-08-26",
    "c. 1939",
    "soon",
    "~",
    "null",
    "true",
    "a b",
    "/x",
    "..",
    "|",
    ">",
    "|\n  block\n",
    "&a x",
    "*a",
    "!!int x",
    "!!binary x",
    "- item",
    "",
    " ",
    "\t",
    ": :",
    "# comment",
    "\"\\u0000\"",
    "\"\\uD800\"",
    "\"é\"",
    "[{text: t1, reason: r}]",
    "[{text: gone, reason: r}]",
    "{file: f, lines: 1-2, sha256: x, scholia: y}",
    "\"@/t1\"",
    "`",
];

/// One line of a YAML block: a key and a value, or something YAML-ish.
fn yaml_line() -> impl Strategy<Value = String> {
    let indent = select(&["", "", "  ", "    ", "\t", " - ", "- "][..]);
    let entry = (
        indent,
        select(KEYS),
        select(&[": ", ":", " : ", ":\t"][..]),
        select(VALUES),
    )
        .prop_map(|(i, k, sep, v)| format!("{i}{k}{sep}{v}"));
    prop_oneof![
        8 => entry,
        2 => note_yaml(),
        1 => mix(VALUES, 4),
        1 => select(&["---", "...", "--- ", "----", "#", "%YAML 1.2", "  -", "? "][..]).prop_map(String::from),
    ]
}

/// A `notes:` block whose fields are sometimes right and sometimes not.
fn note_yaml() -> impl Strategy<Value = String> {
    let id = select(&["n1", "n2", "n1", "bad id", "N", "", "x-y_z"][..]);
    let anchor = prop_oneof![
        select(PROSE).prop_map(|q| format!("{{ exact: \"{}\" }}", q.trim())),
        mix(PROSE, 3).prop_map(|q| format!("{{ exact: {q:?}, prefix: \"the\" }}")),
        (0..5u32).prop_map(|n| format!("{{ paragraph: {n} }}")),
        select(VALUES).prop_map(String::from),
    ];
    let kind = select(&["context", "gloss", "correction", "bogus", ""][..]);
    let body = select(&["\"See [x](@/t1).\"", "\"b\"", "\"\"", "b", "[b]"][..]);
    (id, anchor, kind, body).prop_map(|(id, anchor, kind, body)| {
        format!("notes:\n  - id: {id}\n    anchor: {anchor}\n    type: {kind}\n    body: {body}")
    })
}

/// A text file: mostly a well-formed one with a few keys and notes, else a
/// front-matter block of YAML-ish lines, closed or not; then a Markdown body.
fn text_file() -> impl Strategy<Value = String> {
    prop_oneof![2 => well_formed_file(), 1 => yaml_ish_file()]
}

/// A block of YAML-ish lines, opened and closed well or not, then Markdown.
fn yaml_ish_file() -> impl Strategy<Value = String> {
    let open = select(
        &[
            "---\n",
            "---\n",
            "---\n",
            "---\r\n",
            "--- \n",
            "",
            "\u{feff}---\n",
        ][..],
    );
    let close = select(
        &[
            "---\n", "---\n", "---\n", "...\n", "---\r\n", "---", "", "--\n",
        ][..],
    );
    let newline = select(&["\n", "\n", "\r\n"][..]);
    let lines = vec((yaml_line(), newline), 0..10);
    (open, lines, close, mix(MARKDOWN, 40)).prop_map(|(open, lines, close, body)| {
        let yaml: String = lines.iter().map(|(l, nl)| format!("{l}{nl}")).collect();
        format!("{open}{yaml}{close}{body}")
    })
}

/// Keys with values of the right type.
const GOOD_ENTRIES: &[&str] = &[
    "subtitle: S",
    "author: A",
    "authors: [A, “B”]",
    "date: 1939",
    "date: \"c. 1939-08\"",
    "tags: [x, ü]",
    "summary: \"é\\tx\"",
    "weight: -3",
    "slug: t-1",
    "language: de",
    "related: [{text: t1, reason: r}]",
    "residue: [\"Share\"]",
];

/// A note on a passage of the body's last paragraph (or on a paragraph).
fn good_note() -> impl Strategy<Value = String> {
    let exact = prop_oneof![
        select(
            &[
                "workers of Moscow",
                "The  workers",
                "“united front”",
                "\"united front\"",
                "front...",
                "Moscow —",
                "nowhere"
            ][..]
        )
        .prop_map(|q| serde_json::to_string(q).unwrap()),
        mix(PROSE, 4).prop_map(|q| serde_json::to_string(&q).unwrap()),
    ];
    let anchor = prop_oneof![
        3 => exact.prop_map(|q| format!("{{ exact: {q} }}")),
        1 => (0..4u32).prop_map(|n| format!("{{ paragraph: {n} }}")),
    ];
    (select(&["n1", "n2", "a-b"][..]), anchor).prop_map(|(id, anchor)| {
        format!(
            "  - id: {id}\n    anchor: {anchor}\n    type: context\n    body: \"See [x](@/t1).\"\n"
        )
    })
}

/// A front-matter block that parses (a title, typed keys, notes), then
/// Markdown ending in a paragraph the notes can quote.
fn well_formed_file() -> impl Strategy<Value = String> {
    let newline = select(&["\n", "\n", "\r\n"][..]);
    let title = prop_oneof![
        Just("T".to_string()),
        mix(PROSE, 4).prop_map(|t| serde_json::to_string(&t).unwrap())
    ];
    let entries = vec(select(GOOD_ENTRIES), 0..4);
    let notes = vec(good_note(), 0..3);
    (newline, title, entries, notes, mix(MARKDOWN, 30)).prop_map(|(nl, title, entries, notes, body)| {
        let mut yaml = format!("title: {title}\n");
        for e in entries {
            yaml.push_str(&format!("{e}\n"));
        }
        if !notes.is_empty() {
            yaml.push_str(&format!("notes:\n{}", notes.concat()));
        }
        let yaml = yaml.replace('\n', nl);
        format!("---{nl}{yaml}---{nl}{body}\n\nThe “united front” of the workers of Moscow — and so on.\n")
    })
}

/// The lines of `source` as a diagnostic counts them (split at `\n` only).
fn file_lines(source: &str) -> Vec<&str> {
    source.split('\n').collect()
}

/// A diagnostic's position, if any, names a line of the file and a column of
/// that line (one past its end at most); the quoted line is that line.
fn points_inside(d: &Diagnostic, source: &str) -> Result<(), TestCaseError> {
    let Some(p) = d.position else {
        return Ok(());
    };
    let lines = file_lines(source);
    prop_assert!(
        p.line >= 1 && p.line <= lines.len(),
        "line {} of {} lines: {d}",
        p.line,
        lines.len()
    );
    let line = lines[p.line - 1];
    prop_assert!(
        p.col >= 1 && p.col <= line.chars().count() + 1,
        "column {} of a line of {} chars: {d}",
        p.col,
        line.chars().count()
    );
    if let Some(quoted) = &d.source_line {
        prop_assert_eq!(
            quoted.as_str(),
            line.trim_end_matches('\r'),
            "quoted line of {}",
            d
        );
    }
    Ok(())
}

/// A registry naming what the generated prose and Markdown say (`Moscow`,
/// `trials`, `workers`, `it's`, `Heading`), overlapping on purpose.
fn prose_registry() -> Registry {
    let aliases = |a: &[&str]| a.iter().map(|s| s.to_string()).collect();
    let entities = vec![
        entity("moscow", "Moscow", aliases(&["Moscow Trials", "Moscow —"])),
        entity("trials", "trials", aliases(&["it's", "the workers"])),
        entity("workers", "workers", aliases(&["Party", "Heading", "word"])),
    ];
    Registry::new(entities).0
}

/// `content/REL` of an edition, already read.
fn text_source(rel: &str, text: String) -> SourceFile {
    SourceFile {
        kind: FileKind::Text,
        rel: PathBuf::from(rel),
        display: Path::new("content").join(rel),
        text,
    }
}

proptest! {
    #![proptest_config(config(2048))]

    /// A split hands back the file's own slices; every diagnostic, and every
    /// block and link of a parsed text, lies inside the file. With or
    /// without a registry whose aliases the texts mention, linked in each way.
    #[test]
    fn whole_text_parse_points_inside_the_file(
        source in text_file(),
        mentions in proptest::option::of((select(&[LinkMentions::First, LinkMentions::Every, LinkMentions::None][..]), any::<bool>())),
    ) {
        let file = text_source("t1.md", source.clone());
        let parsed = within("parse_file", move || {
            let split = scholia::parse::front_matter::split(&file.text, &file.display)
                .map(|s| (s.yaml_offset, s.yaml.len(), s.body_offset, s.body.to_string()))
                .map_err(|d| d.message);
            let registry = mentions.map(|_| prose_registry());
            let context = ParseContext {
                registry: registry.as_ref(),
                entity_options: mentions.map_or_else(EntityOptions::default, |(link, in_headings)| {
                    EntityOptions { link, in_headings }
                }),
            };
            (split, parse_file(&file, &context))
        });
        let (split, result) = parsed;
        if let Ok((yaml_offset, yaml_len, body_offset, body)) = split {
            prop_assert!(yaml_offset + yaml_len <= body_offset);
            prop_assert_eq!(&source[body_offset..], body.as_str());
        }
        match result {
            Err(diagnostics) => {
                prop_assert!(!diagnostics.is_empty(), "an error without diagnostics");
                for d in &diagnostics {
                    points_inside(d, &source)?;
                }
            }
            Ok(Parsed::Text(text)) => {
                let lines = file_lines(&source).len();
                for b in &text.blocks {
                    prop_assert!(b.line >= 1 && b.line <= lines, "block at line {}", b.line);
                }
                for m in &text.mentions {
                    let block = text.blocks.get(m.block).map(|b| b.text.as_str());
                    let at = block.and_then(|b| b.get(m.offset..m.offset + m.alias.len()));
                    prop_assert_eq!(at, Some(m.alias.as_str()), "{:?} in {:?}", m, block);
                    // A whole word of the paragraph as read, not only of one Markdown run.
                    let block = block.unwrap_or_default();
                    let before = block[..m.offset].chars().next_back();
                    let after = block[m.offset + m.alias.len()..].chars().next();
                    prop_assert!(
                        !before.is_some_and(char::is_alphanumeric)
                            && !after.is_some_and(char::is_alphanumeric),
                        "{:?} is glued to a neighbour in {:?}",
                        m,
                        block
                    );
                }
                for l in &text.links {
                    let d = Diagnostic::error("t", "link").at_position(l.position);
                    points_inside(&d, &source)?;
                }
            }
            Ok(Parsed::Section(_)) => prop_assert!(false, "a text parsed as a section"),
        }
    }
}

/// The text of a one-paragraph file, parsed with [`prose_registry`].
fn parsed_with_registry(body: &str) -> scholia::model::Text {
    let file = text_source("t1.md", format!("---\ntitle: T\n---\n{body}\n"));
    let registry = prose_registry();
    let context = ParseContext {
        registry: Some(&registry),
        ..ParseContext::default()
    };
    match parse_file(&file, &context) {
        Ok(Parsed::Text(text)) => *text,
        other => panic!("{other:?}"),
    }
}

/// Regression, found by `whole_text_parse_points_inside_the_file`: `word`
/// right after a link (`[a](@/t1)word`, plain text `aword`) was placed at the
/// block's start, because the block was searched for a whole-word `word`.
/// (Glued so, it is no mention at all now: see the next test.)
#[test]
fn a_mention_after_a_link_is_placed_at_its_words() {
    let text = parsed_with_registry("[a](@/t1) word and [b](@/t1)word and *word*");
    let placed: Vec<(usize, &str)> = text
        .mentions
        .iter()
        .map(|m| (m.offset, m.alias.as_str()))
        .collect();
    assert_eq!(placed, [(2, "word"), (21, "word")]);
}

/// Regression: mentions were whole words within one Markdown text event, not
/// within the block, so a word glued to a link's text counted.
#[test]
fn a_word_glued_to_a_link_is_no_mention() {
    let text = parsed_with_registry("[a](@/t1)word");
    assert!(text.mentions.is_empty(), "{:?}", text.mentions);
}

// --- 2. note anchoring ----------------------------------------------------------

/// Numbered blocks 1, 2, 3... of a text, with these plain texts.
fn blocks_of(texts: Vec<String>) -> Vec<Block> {
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| Block {
            number: i as u32 + 1,
            text,
            line: i + 1,
        })
        .collect()
}

/// A note anchored to a quote.
fn quote_note(exact: String, prefix: Option<String>, suffix: Option<String>) -> Note {
    Note {
        id: "n".into(),
        anchor: Anchor::Quote {
            exact,
            prefix,
            suffix,
        },
        kind: NoteType::Context,
        body: "b".into(),
        sources: vec![],
        editor: None,
        date: None,
        line: 1,
        id_line: 1,
    }
}

/// Quotes compare with typography and whitespace folded (the rule of
/// `resolve::anchor`, restated): curly quotes and dashes as typed, `…` as
/// `...`, runs of spaces and of hyphens as one, ends trimmed.
fn folded(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let mapped = match c {
            '‘' | '’' | '‚' | '‛' | '′' => "'",
            '“' | '”' | '„' | '‟' | '″' | '«' | '»' => "\"",
            '-' | '–' | '—' | '‒' | '−' => "-",
            '…' => "...",
            c if c.is_whitespace() => " ",
            c => {
                out.push(c);
                continue;
            }
        };
        for m in mapped.chars() {
            if !((m == ' ' || m == '-') && out.ends_with(m)) {
                out.push(m);
            }
        }
    }
    out.trim_matches(' ').to_string()
}

/// Blocks, one of them chosen, and a char range of it to quote.
fn blocks_and_quote() -> impl Strategy<Value = (Vec<String>, usize, usize, usize)> {
    vec(mix(PROSE, 30), 1..6).prop_flat_map(|texts| {
        let n = texts.len();
        (Just(texts), 0..n).prop_flat_map(|(texts, i)| {
            let len = texts[i].chars().count();
            (Just(texts), Just(i), 0..=len)
                .prop_flat_map(move |(t, i, start)| (Just(t), Just(i), Just(start), start..=len))
        })
    })
}

/// Characters `start..end` of `s`.
fn chars_range(s: &str, start: usize, end: usize) -> String {
    s.chars().skip(start).take(end - start).collect()
}

proptest! {
    #![proptest_config(config(1024))]

    /// A quote cut from a block anchors in that block, on a passage that reads
    /// as the quote; or, if it occurs more than once, names that block among others.
    #[test]
    fn a_quote_taken_from_a_block_anchors_there((texts, i, start, end) in blocks_and_quote()) {
        let exact = chars_range(&texts[i], start, end);
        let blocks = blocks_of(texts);
        let note = quote_note(exact.clone(), None, None);
        let (blocks, result) = within("anchor", move || {
            let result = anchor(&note, &blocks);
            (blocks, result)
        });
        match result {
            Ok(place) => {
                prop_assert_eq!(place.ordinal, i);
                let len = blocks[i].text.chars().count();
                prop_assert!(place.start < place.end && place.end <= len, "{:?} in {} chars", place, len);
                let passage = chars_range(&blocks[i].text, place.start, place.end);
                prop_assert_eq!(folded(&passage), folded(&exact));
            }
            Err(AnchorError::Ambiguous { paragraphs }) => {
                prop_assert!(paragraphs.contains(&blocks[i].number), "{:?}", paragraphs);
            }
            Err(AnchorError::Missing { .. }) => {
                prop_assert!(folded(&exact).is_empty(), "quote {:?} not found", exact);
            }
            Err(e) => prop_assert!(false, "{:?}", e),
        }
    }

    /// Any quote, prefix and suffix: no panic, and a place lies inside its block.
    #[test]
    fn any_quote_anchors_inside_a_block_or_says_why(
        texts in vec(mix(PROSE, 30), 0..5),
        exact in mix(PROSE, 6),
        prefix in proptest::option::of(mix(PROSE, 3)),
        suffix in proptest::option::of(mix(PROSE, 3)),
        paragraph in proptest::option::of(0..8u32),
    ) {
        let blocks = blocks_of(texts);
        let mut note = quote_note(exact, prefix, suffix);
        if let Some(n) = paragraph {
            note.anchor = Anchor::Paragraph(n);
        }
        let (blocks, result) = within("anchor", move || {
            let result = anchor(&note, &blocks);
            (blocks, result)
        });
        match result {
            Ok(place) => {
                prop_assert!(place.ordinal < blocks.len());
                prop_assert!(place.start <= place.end);
                prop_assert!(place.end <= blocks[place.ordinal].text.chars().count());
            }
            Err(AnchorError::NoParagraph { last }) => {
                prop_assert_eq!(last, blocks.len() as u32);
                prop_assert!(paragraph.is_some_and(|n| n == 0 || n > last));
            }
            Err(_) => {}
        }
    }
}

/// Regression: a long quote that does not occur in a long paragraph took
/// minutes (the closest-passage search was quadratic in the quote's length).
#[test]
fn a_long_missing_quote_still_names_the_closest_passage_quickly() {
    let block = format!(
        "{}The comradely coherence of the antifascist workers of every land.",
        "é ".repeat(2000)
    );
    let exact = format!(
        "comradly coherence of the antifascist workers of every land.{}",
        " and so on".repeat(200)
    );
    let result = within("anchor", move || {
        anchor(&quote_note(exact, None, None), &blocks_of(vec![block]))
    });
    match result {
        Err(AnchorError::Missing {
            closest: Some((1, passage)),
        }) => assert!(passage.starts_with("comradely coherence"), "{passage}"),
        other => panic!("{other:?}"),
    }
}

// --- 3. @ links ----------------------------------------------------------------

/// A link a text makes.
#[derive(Debug, Clone)]
enum Link {
    /// To the text at this index (mod the number of texts), maybe to its first paragraph.
    Text(usize, bool),
    /// To a text no file has.
    MissingText,
    /// To a registered entity, by index.
    Entity(usize),
    /// To an id no entity has.
    MissingEntity,
}

const ENTITY_IDS: &[&str] = &["bukharin", "yezhov"];

/// Any kind of link, the four equally often.
fn link() -> impl Strategy<Value = Link> {
    prop_oneof![
        (any::<usize>(), any::<bool>()).prop_map(|(t, p)| Link::Text(t, p)),
        Just(Link::MissingText),
        (0..ENTITY_IDS.len()).prop_map(Link::Entity),
        Just(Link::MissingEntity),
    ]
}

/// Slugs of an edition (never a reserved folder name: they all start with `t`),
/// and for each text the links it makes, with prose around them.
fn edition_links() -> impl Strategy<Value = (Vec<String>, Vec<Vec<(String, Link)>>)> {
    proptest::collection::btree_set("t[a-z0-9]{0,6}", 1..5).prop_flat_map(|slugs| {
        let n = slugs.len();
        let links = vec(vec((mix(PROSE, 8), link()), 0..5), n);
        (Just(slugs.into_iter().collect::<Vec<_>>()), links)
    })
}

/// The registry the link tests link to: [`ENTITY_IDS`], no aliases.
fn registry() -> Registry {
    let entities = ENTITY_IDS.iter().map(|id| entity(id, id, vec![])).collect();
    Registry::new(entities).0
}

/// A person of the registry, as a registry file would give it.
fn entity(id: &str, name: &str, aliases: Vec<String>) -> Entity {
    Entity {
        id: id.into(),
        kind: EntityType::Person,
        name: name.into(),
        aliases,
        dates: None,
        description: "d".into(),
        wikidata: None,
        file: PathBuf::from("content/entities/people.yaml"),
        line: 1,
    }
}

/// What one link of a text is written as, and the error it must yield (if any).
fn link_markdown(link: &Link, slugs: &[String], k: usize) -> (String, Option<String>) {
    match link {
        Link::Text(t, paragraph) => {
            let fragment = if *paragraph { "#p-1" } else { "" };
            (format!("@/{}{fragment}", slugs[t % slugs.len()]), None)
        }
        Link::MissingText => {
            let slug = format!("gone-{k}");
            let error = format!("link to a text that does not exist: `@/{slug}`");
            (format!("@/{slug}"), Some(error))
        }
        Link::Entity(e) => (format!("@entity/{}", ENTITY_IDS[*e]), None),
        Link::MissingEntity => {
            let id = format!("nobody-{k}");
            let error = format!("link to an entity that is not registered: `@entity/{id}`");
            (format!("@entity/{id}"), Some(error))
        }
    }
}

/// `prose` as one line of a paragraph: nothing that would start a code
/// block (a run of spaces), an HTML block or inline markup that could
/// swallow a link after it.
fn inline_prose(prose: &str) -> String {
    let plain: String = prose
        .chars()
        .map(|c| match c.is_control() || "[]`<>\\*_&!".contains(c) {
            true => ' ',
            false => c,
        })
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

proptest! {
    #![proptest_config(config(1024))]

    /// Every link to an existing text or entity resolves (the text gets a
    /// backlink); every link to a missing one yields exactly one error, which
    /// names it and points at the link's `[`.
    #[test]
    fn links_resolve_or_yield_one_error_each((slugs, links) in edition_links()) {
        let mut files = Vec::new();
        let mut expected = Vec::new(); // (file index, error message)
        let mut k = 0;
        for (t, text_links) in links.iter().enumerate() {
            let mut body = String::from("Plain text.\n\n");
            for (prose, link) in text_links {
                let (target, error) = link_markdown(link, &slugs, k);
                k += 1;
                body.push_str(&format!("{} [a link]({target}) end.\n\n", inline_prose(prose)));
                expected.extend(error.map(|e| (t, e)));
            }
            files.push(format!("---\ntitle: Text {t}\n---\n{body}"));
        }
        let sources: Vec<SourceFile> = slugs
            .iter()
            .zip(&files)
            .map(|(slug, text)| text_source(&format!("{slug}.md"), text.clone()))
            .collect();
        let (edition, diagnostics) = within("parse and resolve", move || {
            let parsed = sources
                .iter()
                .map(|f| parse_file(f, &ParseContext::default()).map_err(|d| format!("{d:?}")))
                .collect::<Result<Vec<_>, _>>()
                .expect("every generated text parses");
            scholia::resolve::resolve(parsed, registry())
        });
        let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
        prop_assert_eq!(errors.len(), expected.len(), "{:#?}", errors);
        for (t, message) in &expected {
            let named: Vec<&&Diagnostic> = errors.iter().filter(|d| &d.message == message).collect();
            prop_assert_eq!(named.len(), 1, "{}", message);
            let d = named[0];
            prop_assert_eq!(&d.path, &Path::new("content").join(format!("{}.md", slugs[*t])));
            let p = d.position.expect("a link error has a position");
            let line = file_lines(&files[*t])[p.line - 1];
            let at: String = line.chars().skip(p.col - 1).collect();
            prop_assert!(at.starts_with("[a link]("), "{} points at {:?}", message, at);
        }
        // Every link to an existing text is a backlink of that text.
        let index_of = |slug: &str| edition.texts.iter().position(|t| t.id.0 == slug).unwrap();
        for (t, text_links) in links.iter().enumerate() {
            for (_, link) in text_links {
                if let Link::Text(to, _) = link {
                    let from = index_of(&slugs[t]);
                    let to = index_of(&slugs[to % slugs.len()]);
                    prop_assert!(edition.cross.backlinks[to].iter().any(|b| b.from == from));
                }
            }
        }
    }

    /// Markdown noise around `@` links: no panic, and each link error lies inside its file.
    #[test]
    fn link_noise_never_panics(bodies in vec(mix(MARKDOWN, 40), 1..4)) {
        let files: Vec<String> = bodies.iter().map(|b| format!("---\ntitle: T\n---\n{b}")).collect();
        let sources: Vec<SourceFile> = files
            .iter()
            .enumerate()
            .map(|(i, text)| text_source(&format!("t{i}.md"), text.clone()))
            .collect();
        let diagnostics = within("parse and resolve", move || {
            let parsed: Vec<Parsed> = sources
                .iter()
                .filter_map(|f| parse_file(f, &ParseContext::default()).ok())
                .collect();
            scholia::resolve::resolve(parsed, registry()).1
        });
        for d in &diagnostics {
            let i: usize = d.path.file_stem().unwrap().to_str().unwrap()[1..].parse().unwrap();
            points_inside(d, &files[i])?;
        }
    }
}

// --- 4. import -----------------------------------------------------------------

/// What plain-text sources are made of: the importer's cues (titles, bylines,
/// footnote marks, bullets, residue) and Markdown it must escape.
const PLAIN: &[&str] = &[
    "the ",
    "workers ",
    "Party ",
    "*emphasis* ",
    "_under_ ",
    "#tag ",
    "<b> ",
    "a&b ",
    "&amp; ",
    "[12] ",
    "[^3] ",
    "text¹ ",
    "x²³ ",
    "• ",
    "1. ",
    "2) ",
    "... ",
    "-- ",
    "--- ",
    "'single' ",
    "\"double\" ",
    "`code` ",
    "a|b ",
    "~strike~ ",
    "~~gone~~ ",
    "$5 ",
    "^up ",
    "back\\slash ",
    "“curly” ",
    "(paren ",
    "paren) ",
    "Share",
    "Public domain",
    "Front page of this issue",
    "GOLDMAN: ",
    "Year 1939 ",
    "by Walter Ulbricht ",
    "(Aug 26 1939)",
    "Moscow Trials (Part 2)",
    "http://x.org/a_b*c ",
    "<http://y.org> ",
    "![img](x) ",
    "[link](y) ",
    "ÄÖÜ ",
    "naïve ",
    "— ",
    "– ",
    "… ",
    "== ",
    "+ ",
    "- ",
    "* ",
    "> ",
    "{#id} ",
    ": ",
    "<!-- ",
    "--> ",
    "¹ ",
    "¹⁶ ",
    "# ",
    "= ",
    "~ ",
    "( ",
    "| x | y |",
    "Chapter I",
    "I.",
    "THE END",
    "* * *",
];

/// A source file's bytes: lines of cues and noise, with mixed line endings
/// and the odd Latin-1 byte.
fn plain_source() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        8 => mix(PLAIN, 12).prop_map(String::into_bytes),
        1 => vec(select(&[0xe9u8, 0xfc, 0x93, 0x94, 0x85, b'a', b' '][..]), 1..20),
        1 => long_line().prop_map(String::into_bytes),
    ];
    let ending = select(&["\n", "\n\n", "\n\n\n", "\r\n", "\r\n\r\n", "\n \n"][..]);
    vec((line, ending), 1..60).prop_map(|lines| {
        let mut bytes = Vec::new();
        for (line, ending) in lines {
            // A NUL byte makes the file binary: keep it out, or nothing gets imported.
            bytes.extend(line.iter().filter(|&&b| b != b'\n' && b != 0));
            bytes.extend(ending.as_bytes());
        }
        bytes
    })
}

proptest! {
    #![proptest_config(config(1024))]

    /// The words of each imported text (title, subtitle, body) are the words
    /// of its source lines, in order, residue aside; texts do not overlap and
    /// every non-blank line is in one.
    #[test]
    fn import_keeps_every_word(bytes in plain_source()) {
        let converted = within("import", move || scholia::import::convert("s.txt", bytes));
        let Ok(converted) = converted else {
            return Ok(()); // refused as empty or binary, with a message
        };
        let lines: Vec<&str> = converted.source.lines.iter().map(|l| l.text.trim()).collect();
        let mut covered = vec![0; lines.len()];
        for c in &converted.texts {
            let t = &c.text;
            prop_assert!(t.first <= t.last && t.last < lines.len());
            let residue: HashSet<usize> = t.residue.iter().map(|(i, _)| *i).collect();
            let mut source_words = Vec::new();
            for (i, line) in lines.iter().enumerate().take(t.last + 1).skip(t.first) {
                covered[i] += 1;
                if !residue.contains(&i) {
                    normalise(line, &mut source_words);
                }
            }
            let mut output_words = Vec::new();
            // A title is the span's first line, verbatim, or made from its first words.
            let first_line = (t.first..=t.last)
                .filter(|i| !residue.contains(i))
                .map(|i| lines[i])
                .find(|l| !l.is_empty());
            if first_line == Some(t.title.as_str()) {
                normalise(&t.title, &mut output_words);
            } else {
                prop_assert!(t.title.ends_with('…') || t.title == "Untitled", "title {:?}", t.title);
            }
            if let Some((_, sub)) = &t.subtitle {
                normalise(sub, &mut output_words);
            }
            output_words.extend(rendered_words(&c.body));
            prop_assert_eq!(source_words, output_words, "body:\n{}", c.body);
        }
        for (i, line) in lines.iter().enumerate() {
            let expected = if line.is_empty() { 0..=1 } else { 1..=1 };
            prop_assert!(expected.contains(&covered[i]), "line {} in {} texts: {:?}", i + 1, covered[i], line);
        }
    }
}

// --- 5. alias matching ---------------------------------------------------------

/// Aliases from a small alphabet, so that they overlap, nest and touch.
fn alias() -> impl Strategy<Value = String> {
    let piece = select(
        &[
            "Ab", "b", "é", "ß", "İ", "'s", "’", " ", "-", ".", "1", "X", "😀", "\u{301}", "ﬁ",
        ][..],
    );
    vec(piece, 1..5).prop_map(|p| p.concat())
}

/// One to five entities; some ids are invalid or taken twice.
fn entities() -> impl Strategy<Value = Vec<Entity>> {
    let id = select(&["a", "b", "c", "a", "B", "bad id", "x-1"][..]);
    vec((id, alias(), vec(alias(), 0..4)), 1..6).prop_map(|entries| {
        entries
            .into_iter()
            .map(|(id, name, aliases)| entity(id, &name, aliases))
            .collect()
    })
}

/// Entities, and pieces of a text: their own aliases (touching each other,
/// letters, URLs), other alias-like strings, awkward characters and noise.
fn entities_and_text() -> impl Strategy<Value = (Vec<Entity>, Vec<String>)> {
    entities().prop_flat_map(|entities| {
        let mut written: Vec<String> = entities.iter().flat_map(spellings).collect();
        written.push(" ".into()); // `select` needs one at least
        let piece = prop_oneof![
            4 => select(written),
            2 => alias(),
            2 => select(AWKWARD).prop_map(String::from),
            1 => noise(4),
            1 => select(&[" https://x.org/", " www.", " ", "a", "1"][..]).prop_map(String::from),
        ];
        (Just(entities), vec(piece, 0..30))
    })
}

/// Every spelling of `entity` the registry matches.
fn spellings(entity: &Entity) -> HashSet<String> {
    let written = entity.aliases.iter().chain(std::iter::once(&entity.name));
    written
        .flat_map(|a| [a.trim().to_string(), a.trim().replace('\'', "’")])
        .collect()
}

/// Whether `c` is a letter or digit (what rules a mention out on either side).
fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

proptest! {
    #![proptest_config(config(2048))]

    /// Mentions are on char boundaries, in order, apart, whole words, and
    /// each is spelled as one of its entity's aliases.
    #[test]
    fn mentions_are_whole_words_of_their_entity((entities, pieces) in entities_and_text()) {
        let text = pieces.concat();
        let (registry, found) = within("Registry::find", {
            let text = text.clone();
            move || {
                let registry = Registry::new(entities).0;
                let found = registry.find(&text);
                (registry, found)
            }
        });
        let mut last_end = 0;
        for f in &found {
            prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
            prop_assert!(last_end <= f.start && f.start < f.end, "{:?} after {}", f, last_end);
            last_end = f.end;
            let spelled = &text[f.start..f.end];
            let entity = &registry.entities[f.entity];
            prop_assert!(spellings(entity).contains(spelled), "{:?} is no alias of {}", spelled, entity.id);
            prop_assert!(!is_word_char(text[..f.start].chars().next_back()), "{:?} starts mid-word", spelled);
            prop_assert!(!is_word_char(text[f.end..].chars().next()), "{:?} ends mid-word", spelled);
        }
    }

    /// An alias standing alone between spaces is found, as itself.
    #[test]
    fn an_alias_alone_is_found(entities in entities(), pick in any::<prop::sample::Index>()) {
        let (registry, _) = Registry::new(entities);
        let aliases: Vec<String> = registry.entities.iter().flat_map(spellings).filter(|a| !a.is_empty()).collect();
        // Not `prop_assume!`: at high case counts its rejects abort the test.
        if aliases.is_empty() {
            return Ok(());
        }
        let alias = pick.get(&aliases).clone();
        let text = format!(" {alias} ");
        let found = registry.find(&text);
        prop_assert_eq!(found.len(), 1, "{:?} in {:?}", found, text);
        prop_assert_eq!(&text[found[0].start..found[0].end], alias.as_str());
    }
}

/// Registry YAML: lists of entries whose fields are sometimes right.
fn registry_file() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        select(
            &[
                "id: a",
                "id: b",
                "id: a",
                "id: B",
                "id: \"x y\"",
                "id:",
                "id: [a]"
            ][..]
        ),
        select(&["type: person", "type: place", "type: persn", "type: 3"][..]),
        select(&["name: Moscow", "name: \"it's\"", "name: ''", "name:"][..]),
        select(
            &[
                "aliases: [Moscow, trials]",
                "aliases: [Moscow]",
                "aliases: x",
                "aliases: [\"\", \" \"]"
            ][..]
        ),
        select(
            &[
                "description: d",
                "descripton: d",
                "wikidata: Q1",
                "dates: 1900–1950"
            ][..]
        ),
    ]
    .prop_map(String::from);
    let line = prop_oneof![6 => field, 1 => mix(VALUES, 3)];
    let entry = vec((select(&["  ", "  ", " ", "\t", ""][..]), line), 1..6).prop_map(|fields| {
        let mut entry = String::from("-");
        for (i, (indent, field)) in fields.iter().enumerate() {
            match i {
                0 => entry.push_str(&format!(" {field}\n")),
                _ => entry.push_str(&format!("{indent}{field}\n")),
            }
        }
        entry
    });
    vec(entry, 0..5).prop_map(|entries| entries.concat())
}

proptest! {
    #![proptest_config(config(2048))]

    /// A registry file's problems, and the registry's own (duplicate ids and
    /// aliases), point inside the file.
    #[test]
    fn registry_problems_point_inside_the_file(source in registry_file()) {
        let path = Path::new("content/entities/people.yaml");
        let problems = within("the registry", {
            let source = source.clone();
            move || match scholia::parse::entities::parse_file(&source, path) {
                Err(d) => vec![d],
                Ok(entities) => Registry::new(entities).1,
            }
        });
        for d in &problems {
            prop_assert_eq!(&d.path, path);
            points_inside(d, &source)?;
        }
    }
}
