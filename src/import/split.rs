//! Splitting: the lines of one source file in, the line spans of the texts it
//! holds out.
//!
//! A file is one text unless one of these rules starts a new text at a line
//! (each rule has a test below; `003_c8437d6b3ad2a941.txt` exercises them all):
//!
//! 1. **Sign-off.** After a sign-off line (`Thanks to The Red Path!`,
//!    `Thank you.`), the next non-blank line starts a new text.
//! 2. **Byline title.** A line `“Title” by Name (Date)` starts a new text.
//! 3. **Series title.** A heading-like line naming a part of a series
//!    (`Moscow Trials (Part 3 – THE GREAT PURGE)`) starts a new text.
//! 4. **Isolated title.** A heading-like line set off by more blank lines than
//!    the current text uses between its paragraphs (its usual gap, counted so
//!    far) — directly, or after a parenthesised subtitle — starts a new text.
//!    Section headings sit on the usual gap; post titles in a run of posts
//!    stand apart. A text needs three blocks before rule 4 may end it.
//!
//! The spans partition the file: every line belongs to exactly one span, so
//! nothing can be lost between texts.

use super::classify;

/// A text's lines: `start..end`, 0-based, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Which rule started a text (for the import report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    FileStart,
    SignOff,
    BylineTitle,
    SeriesTitle,
    IsolatedTitle,
}

impl Rule {
    pub fn describe(self) -> &'static str {
        match self {
            Rule::FileStart => "start of file",
            Rule::SignOff => "after a sign-off line",
            Rule::BylineTitle => "a “Title” by Name (Date) line",
            Rule::SeriesTitle => "a series title (Part N)",
            Rule::IsolatedTitle => "a title set off by extra blank lines",
        }
    }
}

/// Splits `lines` into the spans of the texts they hold.
pub fn split<S: AsRef<str>>(lines: &[S]) -> Vec<(Span, Rule)> {
    let text = |i: usize| lines[i].as_ref().trim();
    let blank = |i: usize| text(i).is_empty();
    let n = lines.len();
    let blanks_after = |i: usize| (i + 1..n).take_while(|&j| blank(j)).count();

    let mut starts: Vec<(usize, Rule)> = vec![(0, Rule::FileStart)];
    let mut gaps: Vec<usize> = Vec::new(); // blank-line gaps between blocks of the current text
    let mut blocks = 0usize;
    let mut previous: Option<usize> = None; // previous non-blank line
    let mut first_content = true;
    let mut i = 0;
    while i < n {
        if blank(i) {
            i += 1;
            continue;
        }
        let line = text(i);
        let gap_before = previous.map(|p| i - p - 1);
        let block_start = gap_before.is_none_or(|g| g > 0);
        let mut rule = None;
        if !first_content && block_start {
            if previous.is_some_and(|p| classify::sign_off(text(p))) {
                rule = Some(Rule::SignOff);
            } else if classify::byline_title(line).is_some() {
                rule = Some(Rule::BylineTitle);
            } else if classify::heading_like(line) && line.contains("(Part ") {
                rule = Some(Rule::SeriesTitle);
            } else if blocks >= 3 && classify::heading_like(line) && blanks_after(i) > 0 {
                let usual = usual_gap(&gaps);
                let after = blanks_after(i);
                let next = i + after + 1;
                let via_subtitle = after > 0
                    && next < n
                    && is_parenthesised(text(next))
                    && blanks_after(next) > usual;
                if after > usual || via_subtitle {
                    rule = Some(Rule::IsolatedTitle);
                }
            }
        }
        if let Some(rule) = rule {
            starts.push((i, rule));
            gaps.clear();
            blocks = 0;
        } else if let Some(g) = gap_before.filter(|&g| g > 0) {
            if blocks > 0 {
                gaps.push(g);
            }
        }
        if block_start || rule.is_some() {
            blocks += 1;
        }
        first_content = false;
        previous = Some(i);
        i += 1;
    }
    // A span runs to the next text's first line; blank lines before a title
    // stay with the text before them.
    let mut spans = Vec::with_capacity(starts.len());
    for (k, &(start, rule)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(n, |s| s.0);
        spans.push((Span { start, end }, rule));
    }
    spans
}

fn is_parenthesised(line: &str) -> bool {
    line.starts_with('(') && line.ends_with(')') && classify::balanced(line)
}

/// The most common gap (ties go to the smaller), 1 when nothing is known yet.
fn usual_gap(gaps: &[usize]) -> usize {
    let mut counts = [0usize; 4];
    for &g in gaps {
        counts[g.min(3)] += 1;
    }
    (1..4)
        .max_by_key(|&g| (counts[g], std::cmp::Reverse(g)))
        .filter(|&g| counts[g] > 0)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(src: &str) -> Vec<(usize, Rule)> {
        let lines: Vec<&str> = src.lines().collect();
        split(&lines)
            .into_iter()
            .map(|(s, r)| (s.start + 1, r))
            .collect()
    }

    #[test]
    fn one_text_when_no_rule_fires() {
        assert_eq!(
            starts("Title\n\nPara one.\n\nHeading\n\nPara two.\n"),
            [(1, Rule::FileStart)]
        );
    }

    #[test]
    fn sign_off_ends_a_text() {
        let src = "A\n\nx.\n\nThanks to The Red Path!\n\nB\n\ny.\n";
        assert_eq!(starts(src), [(1, Rule::FileStart), (7, Rule::SignOff)]);
    }

    #[test]
    fn byline_title_starts_a_text() {
        let src = "A\n\nx.\n\n“How is it?” by Walter Ulbricht, (Aug 27 1939)\n\ny.\n";
        assert_eq!(starts(src), [(1, Rule::FileStart), (5, Rule::BylineTitle)]);
    }

    #[test]
    fn series_title_starts_a_text() {
        let src = "A\n\nx.\n\nMoscow Trials (Part 3 – THE GREAT PURGE)\n\ny.\n";
        assert_eq!(starts(src), [(1, Rule::FileStart), (5, Rule::SeriesTitle)]);
    }

    #[test]
    fn isolated_title_starts_a_text_but_a_section_heading_does_not() {
        let src = "A\n\nx.\n\ny.\n\nSection\n\nz.\n\n\nNew Post\n\n\nw.\n";
        assert_eq!(
            starts(src),
            [(1, Rule::FileStart), (12, Rule::IsolatedTitle)]
        );
        // A text whose paragraphs are all two blank lines apart keeps its headings.
        let src = "A\n\n\nx.\n\n\ny.\n\n\nSection\n\n\nz.\n";
        assert_eq!(starts(src), [(1, Rule::FileStart)]);
        // Title followed by a parenthesised subtitle and then the extra gap.
        let src = "A\n\nx.\n\ny.\n\nz.\n\nNew Post\n\n(or, a subtitle)\n\n\nw.\n";
        assert_eq!(
            starts(src),
            [(1, Rule::FileStart), (9, Rule::IsolatedTitle)]
        );
    }

    #[test]
    fn spans_partition_the_file() {
        let src = "\nA\n\nx.\n\nThanks to RedPath!\n\nB\n\ny.\n\n";
        let lines: Vec<&str> = src.lines().collect();
        let spans = split(&lines);
        assert_eq!(spans[0].0, Span { start: 0, end: 7 });
        assert_eq!(
            spans[1].0,
            Span {
                start: 7,
                end: lines.len()
            }
        );
    }
}
