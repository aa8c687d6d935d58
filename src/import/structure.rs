//! Structure: the lines of one text's span in, its title, metadata, residue
//! and typed blocks out.
//!
//! Works in three passes over the span:
//! 1. **Front matter from the top.** The first line is the title when it
//!    stands alone and does not end a sentence (a `“Title” by Name (Date)`
//!    line also gives author and date); a parenthesised line right after it,
//!    or a heading-like line followed by a dateline, is the subtitle; a
//!    bullet byline (`• Holly Quilty` / `• Fri, Jan 19, 2024`) gives author
//!    and date. Page chrome ([`classify::residue`]) and byline lines go to
//!    `residue`, verbatim.
//! 2. **Units.** Each line becomes a unit by the [`classify`] rules; a line
//!    that does not end a sentence and is followed by one starting in lower
//!    case is joined to it (a broken line, not a new paragraph).
//! 3. **Grouping.** Numbered paragraphs in sequence become an ordered list;
//!    an attribution wraps the quoted passage before it (back to the nearest
//!    paragraph opening with a quotation mark) into a block quote; a quoted
//!    paragraph introduced by a colon is a block quote; a run of three or more
//!    short lines set off at the end of a text is its list of sources.
//!
//! Every source line of the span ends up in exactly one place: the title,
//! the subtitle, `residue`, or one block.

use std::collections::{HashMap, HashSet};

use super::classify;
use super::split::Span;

/// A block of the converted text.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading {
        level: u8,
        text: String,
    },
    /// A paragraph; several lines are joined with soft breaks.
    Para(Vec<String>),
    /// A dialogue or transcript turn.
    Speaker {
        label: String,
        text: String,
    },
    /// The caption of an image the transcription does not have.
    Caption(String),
    Quote {
        body: Vec<Located>,
        attribution: Vec<String>,
    },
    Bullets(Vec<String>),
    Ordered {
        start: u32,
        items: Vec<String>,
    },
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A bibliography or list of links at the end of a text; one item per block.
    Sources(Vec<Vec<String>>),
    Footnote {
        label: u32,
        text: String,
    },
}

/// A block and the 0-based source line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub line: usize,
    pub block: Block,
}

/// One text found in a source file.
#[derive(Debug, Clone, Default)]
pub struct Text {
    pub span: Span,
    /// First and last non-blank line of the span (0-based, inclusive).
    pub first: usize,
    pub last: usize,
    /// The title as the source gives it, and the line it came from (`None`
    /// when the text has no title line and one was made from its first words).
    pub title: String,
    pub title_line: Option<usize>,
    pub subtitle: Option<(usize, String)>,
    pub author: Option<String>,
    pub date: Option<String>,
    /// Lines kept out of the body, verbatim, with their line index.
    pub residue: Vec<(usize, String)>,
    pub blocks: Vec<Located>,
    /// Footnote labels that are both referenced and defined in this text.
    pub footnotes: HashSet<u32>,
    /// Things the rules could not settle: `(line, message)`, 0-based lines.
    pub notes: Vec<(usize, String)>,
}

struct Raw<'a> {
    lines: Vec<(usize, &'a str)>,
    gap_before: usize,
}

/// Builds the text of `span` from the source `lines`.
pub fn build<S: AsRef<str>>(lines: &[S], span: Span) -> Text {
    let mut text = Text {
        span,
        ..Text::default()
    };
    let line = |i: usize| lines[i].as_ref().trim();
    let content: Vec<usize> = (span.start..span.end)
        .filter(|&i| !line(i).is_empty())
        .collect();
    let (Some(&first), Some(&last)) = (content.first(), content.last()) else {
        return text;
    };
    text.first = first;
    text.last = last;

    // Raw blocks: runs of non-blank lines. Residue lines leave the body here.
    let mut raws: Vec<Raw> = Vec::new();
    let mut previous: Option<usize> = None;
    for &i in &content {
        let l = line(i);
        if classify::residue(l) {
            text.residue.push((i, l.to_string()));
            continue;
        }
        let gap = previous.map_or(0, |p| i - p - 1);
        if previous.is_some_and(|p| p + 1 == i) && !raws.is_empty() {
            raws.last_mut().unwrap().lines.push((i, l));
        } else {
            raws.push(Raw {
                lines: vec![(i, l)],
                gap_before: gap,
            });
        }
        previous = Some(i);
    }
    if raws.is_empty() {
        text.title = "Untitled".to_string();
        text.notes.push((
            first,
            "only page residue, no text; title set to “Untitled”".to_string(),
        ));
        return text;
    }

    // Pass 1: title, subtitle, byline.
    let mut skip = 0;
    let (l0, t0) = raws[0].lines[0];
    let title_ok = raws[0].lines.len() == 1
        && t0.chars().count() <= 200
        && !t0.ends_with('.')
        && !t0.ends_with(':')
        && (classify::byline_title(t0).is_some() || !t0.starts_with(classify::is_opening_quote));
    if title_ok {
        text.title = t0.to_string();
        text.title_line = Some(l0);
        if let Some((_, author, date)) = classify::byline_title(t0) {
            text.author = Some(author);
            text.date = classify::parse_date(&date);
        } else {
            text.date = classify::parse_date(t0).filter(|d| d.len() == 10);
        }
        skip = 1;
        if let Some(next) = raws.get(1).filter(|r| r.lines.len() == 1) {
            let (l, t) = next.lines[0];
            let parenthesised = t.starts_with('(') && t.ends_with(')') && classify::balanced(t);
            let before_dateline = classify::heading_like(t)
                && raws
                    .get(2)
                    .is_some_and(|r| classify::dateline(r.lines[0].1));
            if parenthesised || before_dateline {
                text.subtitle = Some((l, t.to_string()));
                skip = 2;
            }
        }
    } else {
        let words: Vec<&str> = t0.split_whitespace().take(8).collect();
        text.title = format!("{}…", words.join(" "));
        text.notes.push((
            l0,
            "no title line; title made from the first words: set `title:` by hand".to_string(),
        ));
    }
    // A bullet byline among the first blocks: names and dates only.
    for k in skip..(skip + 3).min(raws.len()) {
        let items: Vec<&str> = raws[k]
            .lines
            .iter()
            .filter_map(|(_, l)| classify::bullet(l))
            .collect();
        if items.len() != raws[k].lines.len() || items.len() > 4 {
            continue;
        }
        let is_date = |s: &str| classify::parse_date(s).is_some();
        let is_name = |s: &str| {
            let words: Vec<&str> = s.split(' ').collect();
            (2..=4).contains(&words.len())
                && words
                    .iter()
                    .all(|w| w.chars().next().is_some_and(char::is_uppercase))
                && !s.chars().any(|c| c.is_ascii_digit())
        };
        if items.iter().all(|s| is_date(s) || is_name(s)) {
            for s in &items {
                if is_date(s) {
                    text.date = text.date.take().or_else(|| classify::parse_date(s));
                } else if text.author.is_none() {
                    text.author = Some(s.to_string());
                }
            }
            for &(i, l) in &raws[k].lines {
                text.residue.push((i, l.to_string()));
            }
            raws.remove(k);
            break;
        }
    }
    text.residue.sort();
    let raws = &raws[skip.min(raws.len())..];

    // Footnotes: labels that are defined at a line start and referenced inline.
    let mut defined = HashSet::new();
    let mut referenced = HashSet::new();
    for raw in raws {
        for &(_, l) in &raw.lines {
            if let Some((n, _)) = classify::footnote_definition(l) {
                defined.insert(n);
            } else {
                referenced.extend(superscript_runs(l));
            }
        }
    }
    text.footnotes = defined.intersection(&referenced).copied().collect();
    for raw in raws {
        for &(i, l) in &raw.lines {
            match classify::footnote_definition(l) {
                Some((n, _)) if !text.footnotes.contains(&n) => {
                    text.notes.push((
                        i,
                        format!(
                            "footnote line ¹ {n} has no marker in the text; kept as a paragraph"
                        ),
                    ));
                }
                None => {
                    for n in superscript_runs(l) {
                        if !text.footnotes.contains(&n) {
                            text.notes.push((
                                i,
                                format!("superscript {n} has no footnote line; kept as written"),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    // Speakers: capitalised labels, or one-word labels used for two turns or more.
    let mut label_counts: HashMap<&str, usize> = HashMap::new();
    for raw in raws {
        for &(_, l) in &raw.lines {
            if let Some((label, _)) = classify::speaker(l) {
                *label_counts.entry(label).or_default() += 1;
            }
        }
    }
    // A name in ordinary case must be a single word (`Kayser`, not `An example`).
    let is_speaker = |label: &str| {
        classify::capital_label(label)
            || (!label.contains(' ') && label_counts.get(label).copied().unwrap_or(0) >= 2)
    };

    // A list of sources at the end: three or more blocks of short lines,
    // set off from the body by more blank lines than usual.
    let usual = {
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for r in raws.iter().skip(1) {
            *counts.entry(r.gap_before).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by_key(|&(g, c)| (c, std::cmp::Reverse(g)))
            .map_or(1, |(g, _)| g)
    };
    let reference_like = |r: &Raw| {
        r.lines.iter().all(|&(_, l)| {
            l.chars().count() <= 200
                && classify::footnote_definition(l).is_none()
                && classify::speaker(l).is_none()
                && !classify::caption(l)
        })
    };
    let mut sources_from = raws.len();
    let mut k = raws.len();
    while k > 0 && reference_like(&raws[k - 1]) {
        k -= 1;
    }
    if let Some(j) = (k..raws.len()).find(|&j| raws[j].gap_before > usual && j > 0) {
        if raws.len() - j >= 3 {
            sources_from = j;
        }
    }

    // Pass 2: units.
    let mut units: Vec<Unit> = Vec::new();
    for (r, raw) in raws[..sources_from].iter().enumerate() {
        let single = raw.lines.len() == 1;
        let next_is_footnote = raws
            .get(r + 1)
            .is_none_or(|n| classify::footnote_definition(n.lines[0].1).is_some());
        let mut k = 0;
        while k < raw.lines.len() {
            let (i, l) = raw.lines[k];
            // Tables: two or more rows with the same number of numeric cells.
            if let Some((_, cells)) = classify::table_row(l) {
                let run: Vec<(String, Vec<String>)> = raw.lines[k..]
                    .iter()
                    .map_while(|(_, l)| {
                        classify::table_row(l).filter(|(_, c)| c.len() == cells.len())
                    })
                    .collect();
                if run.len() >= 2 {
                    let mut rows = run.into_iter().map(|(label, mut c)| {
                        c.insert(0, label);
                        c
                    });
                    let header = rows.next().unwrap();
                    let rows: Vec<Vec<String>> = rows.collect();
                    k += rows.len() + 1;
                    units.push(Unit::Block(Located {
                        line: i,
                        block: Block::Table { header, rows },
                    }));
                    continue;
                }
            }
            if classify::bullet(l).is_some() {
                let items: Vec<String> = raw.lines[k..]
                    .iter()
                    .map_while(|(_, l)| classify::bullet(l))
                    .map(str::to_string)
                    .collect();
                k += items.len();
                units.push(Unit::Block(Located {
                    line: i,
                    block: Block::Bullets(items),
                }));
                continue;
            }
            k += 1;
            let block = if let Some((n, rest)) =
                classify::footnote_definition(l).filter(|(n, _)| text.footnotes.contains(n))
            {
                Block::Footnote {
                    label: n,
                    text: rest.to_string(),
                }
            } else if classify::caption(l) {
                Block::Caption(l.to_string())
            } else if let Some((label, rest)) =
                classify::speaker(l).filter(|(label, _)| is_speaker(label))
            {
                Block::Speaker {
                    label: label.to_string(),
                    text: rest.to_string(),
                }
            } else if classify::attribution(l) {
                let mut lines = vec![l.to_string()];
                // An attribution left open continues on the next lines of its block.
                while !classify::balanced(&lines.join(" ")) && k < raw.lines.len() {
                    lines.push(raw.lines[k].1.to_string());
                    k += 1;
                }
                units.push(Unit::Attribution { line: i, lines });
                continue;
            } else if let Some((n, delim, rest)) = classify::numbered(l).filter(|_| single) {
                if l.chars().count() <= 80 {
                    Block::Heading {
                        level: 3,
                        text: l.to_string(),
                    }
                } else if delim == '.' {
                    units.push(Unit::Item {
                        line: i,
                        number: n,
                        text: rest.to_string(),
                    });
                    continue;
                } else {
                    Block::Para(vec![l.to_string()])
                }
            } else if single
                && classify::heading_like(l)
                && !classify::dateline(l)
                && !next_is_footnote
            {
                Block::Heading {
                    level: 2,
                    text: l.to_string(),
                }
            } else {
                // A broken line: the previous line of this block did not end a
                // sentence and this one starts in lower case.
                if let (
                    true,
                    Some(Unit::Block(Located {
                        block: Block::Para(prev),
                        ..
                    })),
                ) = (k > 1, units.last_mut())
                {
                    let ends_sentence = prev.last().is_some_and(|p| {
                        matches!(
                            p.chars().last(),
                            Some('.' | '!' | '?' | ':' | '”' | '"' | '…' | ')')
                        )
                    });
                    if !ends_sentence && l.chars().next().is_some_and(char::is_lowercase) {
                        prev.push(l.to_string());
                        continue;
                    }
                }
                Block::Para(vec![l.to_string()])
            };
            units.push(Unit::Block(Located { line: i, block }));
        }
    }

    // Pass 3: ordered lists (numbers in sequence) ...
    let mut grouped: Vec<Unit> = Vec::new();
    for unit in units {
        if let Unit::Item {
            line,
            number,
            text: item,
        } = unit
        {
            if let Some(Unit::Block(Located {
                block: Block::Ordered { start, items },
                ..
            })) = grouped.last_mut()
            {
                if *start + items.len() as u32 == number {
                    items.push(item);
                    continue;
                }
            }
            grouped.push(Unit::Block(Located {
                line,
                block: Block::Ordered {
                    start: number,
                    items: vec![item],
                },
            }));
        } else {
            grouped.push(unit);
        }
    }
    // ... then block quotes.
    let mut blocks: Vec<Located> = Vec::new();
    for unit in grouped {
        match unit {
            Unit::Block(b) => {
                let intro = blocks
                    .last()
                    .is_some_and(|p| para_text(&p.block).is_some_and(ends_with_colon));
                if intro && para_text(&b.block).is_some_and(starts_with_quote) {
                    blocks.push(Located {
                        line: b.line,
                        block: Block::Quote {
                            body: vec![b],
                            attribution: vec![],
                        },
                    });
                } else {
                    blocks.push(b);
                }
            }
            Unit::Attribution { line, lines } => {
                // Walk back over paragraphs to the one that opens the quotation.
                let mut from = None;
                // A run of speaker turns right before the attribution is a quoted exchange.
                let mut turns_from = None;
                for j in (0..blocks.len()).rev().take(8) {
                    let t = match &blocks[j].block {
                        Block::Speaker { .. } => {
                            turns_from = Some(j);
                            continue;
                        }
                        Block::Quote { attribution, .. } if attribution.is_empty() => {
                            from = Some(j); // the quotation an intro opened goes on to here
                            break;
                        }
                        b => match para_text(b) {
                            Some(t) => t,
                            None => break,
                        },
                    };
                    if ends_with_colon(t) {
                        break;
                    }
                    if starts_with_quote(t) {
                        from = Some(j);
                        break;
                    }
                }
                let from = from.or(turns_from).or_else(|| {
                    blocks
                        .last()
                        .filter(|b| para_text(&b.block).is_some())
                        .map(|_| blocks.len() - 1)
                });
                // The source of a table is not a quotation's attribution.
                let after_table = matches!(
                    blocks.last(),
                    Some(Located {
                        block: Block::Table { .. },
                        ..
                    })
                );
                if after_table {
                    blocks.push(Located {
                        line,
                        block: Block::Para(lines),
                    });
                    continue;
                }
                match from {
                    Some(j) => {
                        let mut body: Vec<Located> = Vec::new();
                        for b in blocks.drain(j..) {
                            match b.block {
                                Block::Quote {
                                    body: inner,
                                    attribution,
                                } if attribution.is_empty() => body.extend(inner),
                                other => body.push(Located {
                                    line: b.line,
                                    block: other,
                                }),
                            }
                        }
                        let line = body[0].line;
                        blocks.push(Located {
                            line,
                            block: Block::Quote {
                                body,
                                attribution: lines,
                            },
                        });
                    }
                    None => {
                        if let Some(Located {
                            block: Block::Quote { attribution, .. },
                            ..
                        }) = blocks.last_mut()
                        {
                            if attribution.is_empty() {
                                *attribution = lines;
                                continue;
                            }
                        }
                        text.notes.push((
                            line,
                            "an attribution without a quotation before it; kept as a paragraph"
                                .into(),
                        ));
                        blocks.push(Located {
                            line,
                            block: Block::Para(lines),
                        });
                    }
                }
            }
            Unit::Item { .. } => unreachable!("items are grouped above"),
        }
    }
    if sources_from < raws.len() {
        let items = raws[sources_from..]
            .iter()
            .map(|r| r.lines.iter().map(|(_, l)| l.to_string()).collect())
            .collect();
        blocks.push(Located {
            line: raws[sources_from].lines[0].0,
            block: Block::Sources(items),
        });
    }
    lift_orphan_subheadings(&mut blocks);
    // A definition line can end up inside another block (an attribution runs
    // to the end of its paragraph); a marker whose definition is not written
    // as a footnote must stay as written, or it renders as a literal `[^N]`.
    let written = footnote_labels(&blocks);
    text.footnotes.retain(|n| written.contains(n));
    text.blocks = blocks;
    text
}

/// The labels of the footnote blocks among `blocks`, quotations included.
fn footnote_labels(blocks: &[Located]) -> HashSet<u32> {
    blocks
        .iter()
        .flat_map(|b| match &b.block {
            Block::Footnote { label, .. } => HashSet::from([*label]),
            Block::Quote { body, .. } => footnote_labels(body),
            _ => HashSet::new(),
        })
        .collect()
}

/// Numbered headings are third-level under a section heading; with no
/// second-level heading before them they become second-level, so the page's
/// outline never skips a level (h1 -> h3 fails WCAG's and the validator's checks).
fn lift_orphan_subheadings(blocks: &mut [Located]) {
    let mut under_section = false;
    for located in blocks.iter_mut() {
        if let Block::Heading { level, .. } = &mut located.block {
            if *level == 2 {
                under_section = true;
            } else if *level == 3 && !under_section {
                *level = 2;
            }
        }
    }
}

enum Unit {
    Block(Located),
    Attribution {
        line: usize,
        lines: Vec<String>,
    },
    Item {
        line: usize,
        number: u32,
        text: String,
    },
}

fn para_text(b: &Block) -> Option<&str> {
    match b {
        Block::Para(lines) => lines.first().map(String::as_str),
        _ => None,
    }
}

fn starts_with_quote(s: &str) -> bool {
    s.starts_with(classify::is_opening_quote)
}

/// Ends with a colon, allowing trailing citation marks (`she explains: [10]`).
fn ends_with_colon(s: &str) -> bool {
    let mut t = s.trim_end();
    while let Some(open) = t.rfind(" [") {
        if t.ends_with(']') && t[open + 2..t.len() - 1].chars().all(|c| c.is_ascii_digit()) {
            t = t[..open].trim_end();
        } else {
            break;
        }
    }
    t.trim_end_matches(|c| classify::superscript_value(c).is_some())
        .ends_with(':')
}

/// The values of the superscript-digit runs in `line` that are not at its start.
pub fn superscript_runs(line: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut value: Option<u32> = None;
    let mut at_start = true;
    for c in line.chars() {
        match classify::superscript_value(c) {
            Some(d) if !at_start => {
                value = Some(value.unwrap_or(0).saturating_mul(10).saturating_add(d))
            }
            Some(_) => {}
            None => {
                at_start = false;
                if let Some(v) = value.take() {
                    out.push(v);
                }
            }
        }
    }
    out.extend(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(src: &str) -> Text {
        let lines: Vec<&str> = src.lines().collect();
        build(
            &lines,
            Span {
                start: 0,
                end: lines.len(),
            },
        )
    }

    #[test]
    fn title_byline_residue() {
        let t = blocks("Title\n\nOne.\n\n  • Holly Quilty\n  • Fri, Jan 19, 2024\nShare\nGustav Klutsis, Public domain\n\nText.\n");
        assert_eq!(t.title, "Title");
        assert_eq!(t.author.as_deref(), Some("Holly Quilty"));
        assert_eq!(t.date.as_deref(), Some("2024-01-19"));
        let residue: Vec<&str> = t.residue.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(residue, ["• Holly Quilty", "• Fri, Jan 19, 2024", "Share"]);
        assert_eq!(
            t.blocks[1].block,
            Block::Caption("Gustav Klutsis, Public domain".into())
        );
    }

    #[test]
    fn quotes_with_attributions() {
        let t =
            blocks("T\n\nHe quotes him:\n\n“Within the society.”\n(Marx, Critique)\n\nAfter.\n");
        match &t.blocks[1].block {
            Block::Quote { body, attribution } => {
                assert_eq!(body.len(), 1);
                assert_eq!(attribution, &["(Marx, Critique)"]);
            }
            other => panic!("{other:?}"),
        }
        let t = blocks("T\n\nx.\n\n“One\n\ntwo\n\nthree.”\n~Joseph E. Davies\n");
        assert!(matches!(&t.blocks[1].block, Block::Quote { body, .. } if body.len() == 3));
        let t = blocks(
            "T\n\nx.\n\nThe Fifth Column.”\n–Kaganovich (\nFeliks Chuyev, Thus Spake Kaganovich)\n",
        );
        assert!(
            matches!(&t.blocks[1].block, Block::Quote { attribution, .. } if attribution.len() == 2)
        );
    }

    #[test]
    fn speakers_need_capitals_or_two_turns() {
        let t = blocks(
            "T\n\nUlbricht: So.\nKayser: Sure!\nUlbricht: Right.\nLead-in: Dear listeners!\n",
        );
        let kinds: Vec<bool> = t
            .blocks
            .iter()
            .map(|b| matches!(b.block, Block::Speaker { .. }))
            .collect();
        assert_eq!(kinds, [true, false, true, false]);
    }

    #[test]
    fn lists_tables_headings_footnotes_sources() {
        let src = "T\n\nIntro text here.¹\n\n1. A long numbered paragraph that goes on and on and on and on and on and on and on and on and on and on.\n\n2. Another long numbered paragraph that goes on and on and on and on and on and on and on and on and on and on.\n\n1. Short numbered heading\n\nYear 1937 1938\nTotal 5 6\n\nSection\n\nText.\n\n¹ A note\n\n\nGetty, Terror\n\nKahn, Conspiracy\n\nDavies, Mission\n";
        let t = blocks(src);
        let kinds: Vec<String> = t
            .blocks
            .iter()
            .map(|b| {
                format!("{:?}", b.block)
                    .split([' ', '(', '{'])
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            kinds,
            ["Para", "Ordered", "Heading", "Table", "Heading", "Para", "Footnote", "Sources"]
        );
        assert!(t.footnotes.contains(&1));
    }

    /// Regression (tests/properties.rs): the definition line went into an
    /// attribution, and the marker became a `[^16]` with no footnote.
    #[test]
    fn a_definition_swallowed_by_an_attribution_leaves_its_marker_as_written() {
        let t = blocks("the \nthe ¹⁶ \nShare2) \n¹⁶ the \n");
        assert!(
            matches!(&t.blocks[0].block, Block::Quote { attribution, .. } if attribution.len() == 2)
        );
        assert!(t.footnotes.is_empty());
        let body = crate::import::markdown::body(&t);
        assert!(body.contains("the ¹⁶") && !body.contains("[^16]"), "{body}");
    }

    #[test]
    fn broken_lines_are_joined() {
        let t = blocks("T\n\nMarx and Lenin,\nwho´s books are banned.\nNext.\n");
        assert_eq!(
            t.blocks[0].block,
            Block::Para(vec![
                "Marx and Lenin,".into(),
                "who´s books are banned.".into()
            ])
        );
        assert_eq!(t.blocks[1].block, Block::Para(vec!["Next.".into()]));
    }

    #[test]
    fn no_title_line() {
        let t = blocks("The anti-Stalinist left is a term that refers to things. [1]\nMore.\n");
        assert_eq!(t.title_line, None);
        assert_eq!(t.title, "The anti-Stalinist left is a term that refers…");
    }
}
