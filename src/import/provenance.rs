//! Provenance: a text's span of its source file in, the `provenance:` entry
//! out (file, 1-based inclusive line range, SHA-256, scholia version).
//!
//! The hash covers the exact bytes of the span as they sit in the file: from
//! the first byte of the first line through the last byte of the last line,
//! including that line's terminator (`\n` or `\r\n`) when it has one. The
//! span runs from the text's first to its last non-blank line, so blank
//! lines between texts do not change a text's hash.

use sha2::{Digest, Sha256};

use super::decode::Source;
use super::front_matter::quote;

/// The provenance of lines `first..=last` (0-based) of `source`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Relative to the content folder: `sources/NAME`.
    pub file: String,
    /// `"12-340"`, 1-based, inclusive.
    pub lines: String,
    pub sha256: String,
}

pub fn of(source: &Source, first: usize, last: usize) -> Provenance {
    let start = source.lines[first].start;
    let end = source.lines[last].end;
    let digest = Sha256::digest(&source.bytes[start..end]);
    let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
    Provenance {
        file: format!("sources/{}", source.name),
        lines: format!("{}-{}", first + 1, last + 1),
        sha256,
    }
}

impl Provenance {
    /// The `provenance:` entry, YAML, ending in a newline.
    pub fn yaml(&self) -> String {
        format!(
            "provenance:\n  file: {}\n  lines: {}\n  sha256: {}\n  scholia: {}\n",
            quote(&self.file),
            quote(&self.lines),
            quote(&self.sha256),
            quote(env!("CARGO_PKG_VERSION"))
        )
    }

    /// The 1-based inclusive line range.
    pub fn range(&self) -> Option<(usize, usize)> {
        parse_range(&self.lines)
    }
}

/// Parses `"12-340"` (or `"7"`).
pub fn parse_range(s: &str) -> Option<(usize, usize)> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_the_exact_bytes_of_the_span() {
        let source = super::super::decode::decode("s.txt", b"a\r\nb\nc".to_vec()).unwrap();
        let p = of(&source, 1, 2);
        assert_eq!(p.lines, "2-3");
        let expected: String = Sha256::digest(b"b\nc")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(p.sha256, expected);
        assert_eq!(parse_range("2-3"), Some((2, 3)));
    }
}
