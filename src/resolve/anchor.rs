//! Anchoring: a text's numbered blocks and its notes in, each note's place out.
//!
//! Every build re-anchors every note against the text as rendered: the quote
//! is searched in the plain text of each block (whitespace folded, entities
//! decoded, inline markup gone), so it matches across emphasis, links and
//! footnote references, but never across two paragraphs. Typographic quotes,
//! dashes and ellipses match their typewriter forms, because smart punctuation
//! changes them between the source an editor quotes from and the page.
//! Exactly one match anchors a note; none or several is an error that says
//! where, and for none, which passage comes closest.

use crate::model::Block;
use crate::parse::notes::{Anchor, Note};

/// Where a note sits: in block `ordinal` (index into the text's blocks),
/// characters `start..end` of that block's plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub ordinal: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorError {
    /// No passage matches; the closest one, if any is close.
    Missing { closest: Option<(u32, String)> },
    /// Several passages match: their paragraph numbers.
    Ambiguous { paragraphs: Vec<u32> },
    /// A paragraph anchor names a paragraph the text does not have.
    NoParagraph { last: u32 },
}

impl AnchorError {
    /// The message and the help for a note, as the build and `note add` print them.
    pub fn describe(&self, note_id: &str) -> (String, String) {
        match self {
            AnchorError::Missing {
                closest: Some((p, passage)),
            } => (
                format!("note `{note_id}`: its quote does not occur in the text"),
                format!("the closest passage is in paragraph {p}: “{passage}”"),
            ),
            AnchorError::Missing { closest: None } => (
                format!("note `{note_id}`: its quote does not occur in the text"),
                "nothing in the text comes close; quote the passage as it reads on the page".into(),
            ),
            AnchorError::Ambiguous { paragraphs } => {
                let mut distinct = paragraphs.clone();
                distinct.dedup();
                let mut list: Vec<String> = distinct.iter().map(|p| p.to_string()).collect();
                let last = list.pop().unwrap_or_default();
                let place = match list.is_empty() {
                    true => format!("paragraph {last}"),
                    false => format!("paragraphs {} and {last}", list.join(", ")),
                };
                (
                    format!("note `{note_id}`: its quote occurs {} times, in {place}", paragraphs.len()),
                    "add `prefix:` or `suffix:` to the anchor with the words just before or after the passage you mean".into(),
                )
            }
            AnchorError::NoParagraph { last } => (
                format!("note `{note_id}`: the text has no such paragraph"),
                format!("paragraphs are numbered 1 to {last}"),
            ),
        }
    }
}

/// Anchors one note in the blocks of its text.
pub fn anchor(note: &Note, blocks: &[Block]) -> Result<Place, AnchorError> {
    match &note.anchor {
        Anchor::Paragraph(n) => blocks
            .iter()
            .position(|b| b.number == *n)
            .map(|ordinal| Place {
                ordinal,
                start: 0,
                end: blocks[ordinal].text.chars().count(),
            })
            .ok_or(AnchorError::NoParagraph {
                last: blocks.iter().map(|b| b.number).max().unwrap_or(0),
            }),
        Anchor::Quote {
            exact,
            prefix,
            suffix,
        } => {
            let exact = Normalized::new(exact.trim());
            let prefix = prefix.as_deref().map(|p| Normalized::new(p.trim_start()));
            let suffix = suffix.as_deref().map(|s| Normalized::new(s.trim_end()));
            let mut matches = Vec::new();
            for (ordinal, block) in blocks.iter().enumerate() {
                let text = Normalized::new(&block.text);
                for at in text.find_all(&exact.chars) {
                    let end = at + exact.chars.len();
                    if prefix
                        .as_ref()
                        .is_some_and(|p| !text.has_before(at, &p.chars))
                    {
                        continue;
                    }
                    if suffix
                        .as_ref()
                        .is_some_and(|s| !text.has_after(end, &s.chars))
                    {
                        continue;
                    }
                    matches.push(Place {
                        ordinal,
                        start: text.original(at),
                        end: text.original_end(end),
                    });
                }
            }
            match matches.len() {
                1 => Ok(matches.remove(0)),
                0 => Err(AnchorError::Missing {
                    closest: closest_passage(&exact, blocks),
                }),
                _ => Err(AnchorError::Ambiguous {
                    paragraphs: matches.iter().map(|m| blocks[m.ordinal].number).collect(),
                }),
            }
        }
    }
}

/// Text in the form quotes are compared in, remembering where each character came from.
struct Normalized {
    chars: Vec<char>,
    /// For each normalized character, the index of the original character.
    origin: Vec<usize>,
    original_len: usize,
}

impl Normalized {
    fn new(text: &str) -> Self {
        let mut chars = Vec::with_capacity(text.len());
        let mut origin = Vec::with_capacity(text.len());
        let mut original_len = 0;
        for (i, c) in text.chars().enumerate() {
            original_len = i + 1;
            let mapped: &[char] = match c {
                '‘' | '’' | '‚' | '‛' | '′' => &['\''],
                '“' | '”' | '„' | '‟' | '″' | '«' | '»' => &['"'],
                '-' | '–' | '—' | '‒' | '−' => &['-'],
                '…' => &['.', '.', '.'],
                '\u{a0}' | '\u{202f}' => &[' '],
                c if c.is_whitespace() => &[' '],
                _ => {
                    chars.push(c);
                    origin.push(i);
                    continue;
                }
            };
            for &m in mapped {
                // Runs of spaces and of hyphens fold to one, on both sides of a comparison.
                let folds = (m == ' ' || m == '-') && chars.last() == Some(&m);
                if !folds {
                    chars.push(m);
                    origin.push(i);
                }
            }
        }
        Normalized {
            chars,
            origin,
            original_len,
        }
    }

    fn find_all<'a>(&'a self, needle: &'a [char]) -> impl Iterator<Item = usize> + 'a {
        let last_start = self.chars.len().checked_sub(needle.len());
        (0..=last_start.unwrap_or(0))
            .filter(move |_| last_start.is_some() && !needle.is_empty())
            .filter(move |&i| self.chars[i..i + needle.len()] == *needle)
    }

    fn has_before(&self, at: usize, prefix: &[char]) -> bool {
        let before = &self.chars[..at];
        let before = trim_end_spaces(before);
        let prefix = trim_end_spaces(prefix);
        before.ends_with(prefix)
    }

    fn has_after(&self, end: usize, suffix: &[char]) -> bool {
        let after = trim_start_spaces(&self.chars[end..]);
        after.starts_with(trim_start_spaces(suffix))
    }

    /// Original character index of normalized index `i`.
    fn original(&self, i: usize) -> usize {
        self.origin.get(i).copied().unwrap_or(self.original_len)
    }

    /// Original index just past normalized index `end - 1`.
    fn original_end(&self, end: usize) -> usize {
        end.checked_sub(1).map_or(0, |last| self.original(last) + 1)
    }
}

fn trim_end_spaces(s: &[char]) -> &[char] {
    let n = s.iter().rev().take_while(|c| **c == ' ').count();
    &s[..s.len() - n]
}

fn trim_start_spaces(s: &[char]) -> &[char] {
    let n = s.iter().take_while(|c| **c == ' ').count();
    &s[n..]
}

/// How many characters of a quote [`closest_passage`] compares. Each window
/// costs the square of its width, so a long quote (of a long paragraph) made
/// the search take minutes; its first words are enough to find the place.
const CLOSEST_WIDTH: usize = 64;

/// The passage most like the quote, by edit distance over windows that start at
/// word starts: only computed for a quote that failed, and only for its first
/// [`CLOSEST_WIDTH`] characters, so its cost stays linear in the text.
fn closest_passage(exact: &Normalized, blocks: &[Block]) -> Option<(u32, String)> {
    let wanted: String = exact.chars.iter().take(CLOSEST_WIDTH).collect();
    let width = exact.chars.len().min(CLOSEST_WIDTH);
    let mut best: Option<(f64, u32, String)> = None;
    for block in blocks {
        let chars: Vec<char> = block.text.chars().collect();
        let starts = (0..chars.len()).filter(|&i| i == 0 || chars[i - 1] == ' ');
        for start in starts {
            // A typo may add or drop a few characters: try slightly shorter and longer windows.
            for len in width.saturating_sub(3)..=width + 3 {
                let end = (start + len).min(chars.len());
                let window: String = chars[start..end].iter().collect();
                let score = strsim::normalized_levenshtein(&window, &wanted);
                if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
                    best = Some((score, block.number, window));
                }
            }
        }
    }
    best.filter(|(score, _, _)| *score >= 0.5)
        .map(|(_, p, w)| (p, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(texts: &[&str]) -> Vec<Block> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Block {
                number: i as u32 + 1,
                text: t.to_string(),
                line: i + 1,
            })
            .collect()
    }

    fn quote(exact: &str, prefix: Option<&str>, suffix: Option<&str>) -> Note {
        Note {
            id: "n".into(),
            anchor: Anchor::Quote {
                exact: exact.into(),
                prefix: prefix.map(Into::into),
                suffix: suffix.map(Into::into),
            },
            kind: crate::parse::notes::NoteType::Context,
            body: "b".into(),
            sources: vec![],
            editor: None,
            date: None,
            line: 1,
            id_line: 1,
        }
    }

    #[test]
    fn exact_quote_anchors_in_its_paragraph() {
        let b = blocks(&["The West Wall was built.", "Another paragraph."]);
        assert_eq!(
            anchor(&quote("West Wall", None, None), &b),
            Ok(Place {
                ordinal: 0,
                start: 4,
                end: 13
            })
        );
    }

    #[test]
    fn typography_and_whitespace_do_not_matter() {
        let b = blocks(&["He said “united front” – then left…"]);
        let place = anchor(&quote("\"united   front\" -- then left...", None, None), &b).unwrap();
        assert_eq!((place.start, place.end), (8, 35));
    }

    #[test]
    fn several_matches_are_ambiguous_until_prefix_or_suffix_picks_one() {
        let b = blocks(&["the front and the front", "the front"]);
        assert_eq!(
            anchor(&quote("the front", None, None), &b),
            Err(AnchorError::Ambiguous {
                paragraphs: vec![1, 1, 2]
            })
        );
        let picked = anchor(&quote("the front", Some("and"), None), &b).unwrap();
        assert_eq!(
            picked,
            Place {
                ordinal: 0,
                start: 14,
                end: 23
            }
        );
        let by_suffix = anchor(&quote("the front", None, Some("and the")), &b).unwrap();
        assert_eq!(
            by_suffix,
            Place {
                ordinal: 0,
                start: 0,
                end: 9
            }
        );
    }

    #[test]
    fn ambiguity_names_each_paragraph_once() {
        let err = AnchorError::Ambiguous {
            paragraphs: vec![1, 1, 3, 4],
        };
        assert_eq!(
            err.describe("n").0,
            "note `n`: its quote occurs 4 times, in paragraphs 1, 3 and 4"
        );
    }

    #[test]
    fn never_matches_across_paragraphs() {
        let b = blocks(&["ends here", "starts there"]);
        assert!(matches!(
            anchor(&quote("here starts", None, None), &b),
            Err(AnchorError::Missing { .. })
        ));
    }

    #[test]
    fn a_missing_quote_names_the_closest_passage() {
        let b = blocks(&[
            "Nothing here.",
            "The comradely coherence of the antifascist workers.",
        ]);
        let err = anchor(&quote("comradly coherence", None, None), &b).unwrap_err();
        assert_eq!(
            err,
            AnchorError::Missing {
                closest: Some((2, "comradely coherence".into()))
            }
        );
        let (message, help) = err.describe("n");
        assert_eq!(message, "note `n`: its quote does not occur in the text");
        assert_eq!(
            help,
            "the closest passage is in paragraph 2: “comradely coherence”"
        );
    }

    #[test]
    fn paragraph_anchors_cover_the_block() {
        let b = blocks(&["one", "two words"]);
        let note = Note {
            anchor: Anchor::Paragraph(2),
            ..quote("x", None, None)
        };
        assert_eq!(
            anchor(&note, &b),
            Ok(Place {
                ordinal: 1,
                start: 0,
                end: 9
            })
        );
        let missing = Note {
            anchor: Anchor::Paragraph(7),
            ..quote("x", None, None)
        };
        assert_eq!(
            anchor(&missing, &b),
            Err(AnchorError::NoParagraph { last: 2 })
        );
    }
}
