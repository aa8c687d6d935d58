//! Paragraph anchors: the numbered blocks of a text before and after a
//! re-import in, the anchor number of each new block out.
//!
//! The build numbers a text's blocks `p-1..p-N` unless the front-matter has
//! `paragraphs: [..]`. We *persist a map* rather than derive ids from
//! content: a content hash would change the anchor of a paragraph whenever a
//! typo in it is corrected, and would make anchors unreadable (`p-3f9a`),
//! while numbers are what readers cite. So on re-import we match old and
//! new blocks by their exact plain text (each old block used once, first
//! come first served), an unchanged block keeps its old number wherever it
//! moved, and every new or changed block gets a fresh number above the
//! highest ever used. `paragraphs:` is written only when the result is not
//! simply 1..N, so a fresh import has none. The match is linear (a hash map
//! of old texts), so it stays fast for very long texts.

use std::collections::{HashMap, VecDeque};

/// The outcome of renumbering.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Numbering {
    /// One anchor number per new block.
    pub numbers: Vec<u32>,
    /// Anchor numbers of new blocks that are new or changed.
    pub added: Vec<u32>,
    /// Old anchor numbers whose block is gone or changed.
    pub removed: Vec<u32>,
}

impl Numbering {
    /// `numbers` is 1..N: no `paragraphs:` needed.
    pub fn is_plain(&self) -> bool {
        self.numbers
            .iter()
            .enumerate()
            .all(|(k, &n)| n as usize == k + 1)
    }
}

/// Numbers `new` blocks, keeping the numbers of `old` blocks with the same text.
pub fn renumber(old: &[String], old_numbers: Option<&[u32]>, new: &[String]) -> Numbering {
    let plain: Vec<u32> = (1..=old.len() as u32).collect();
    let old_numbers = match old_numbers {
        Some(n) if n.len() == old.len() => n,
        _ => &plain,
    };
    let mut by_text: HashMap<&str, VecDeque<u32>> = HashMap::new();
    for (text, &n) in old.iter().zip(old_numbers) {
        by_text.entry(text.as_str()).or_default().push_back(n);
    }
    let mut next = old_numbers.iter().copied().max().unwrap_or(0) + 1;
    let mut out = Numbering::default();
    for text in new {
        match by_text.get_mut(text.as_str()).and_then(VecDeque::pop_front) {
            Some(n) => out.numbers.push(n),
            None => {
                out.numbers.push(next);
                out.added.push(next);
                next += 1;
            }
        }
    }
    let mut removed: Vec<u32> = by_text.into_values().flatten().collect();
    removed.sort_unstable();
    out.removed = removed;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn unchanged_paragraphs_keep_their_numbers() {
        type Case<'a> = (
            &'a [&'a str],
            Option<&'a [u32]>,
            &'a [&'a str],
            &'a [u32],
            &'a [u32],
            &'a [u32],
        );
        let table: [Case; 5] = [
            (
                &["a", "b", "c"],
                None,
                &["a", "b", "c"],
                &[1, 2, 3],
                &[],
                &[],
            ),
            (
                &["a", "b", "c"],
                None,
                &["x", "a", "b", "c"],
                &[4, 1, 2, 3],
                &[4],
                &[],
            ),
            (&["a", "b", "c"], None, &["a", "c"], &[1, 3], &[], &[2]),
            (
                &["a", "b", "c"],
                None,
                &["a", "B", "c"],
                &[1, 4, 3],
                &[4],
                &[2],
            ),
            (&["x", "a"], Some(&[4, 1]), &["a", "y"], &[1, 5], &[5], &[4]),
        ];
        for (old, numbers, new, expected, added, removed) in table {
            let n = renumber(&s(old), numbers, &s(new));
            assert_eq!(
                (
                    n.numbers.as_slice(),
                    n.added.as_slice(),
                    n.removed.as_slice()
                ),
                (expected, added, removed),
                "{old:?} -> {new:?}"
            );
        }
        assert!(renumber(&s(&[]), None, &s(&["a", "b"])).is_plain());
    }
}
