//! Decoding: the raw bytes of one source file in, its lines as text out.
//!
//! Takes bytes exactly as they sit on disk and gives a [`Source`]: one
//! [`Line`] per line with its text (UTF-8 byte-order mark and line endings
//! removed, `\n` and `\r\n` both accepted) and its byte range in the file, so
//! provenance can hash the exact bytes of a span. A line that is not valid
//! UTF-8 is read as Windows-1252 (a superset of Latin-1, the usual culprit)
//! and a warning names the line. Empty and binary files are refused with a
//! message; nothing here panics on any input.

/// One line of a source file.
#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    /// Byte offset of the line's first byte in the file.
    pub start: usize,
    /// Byte offset just past the line, including its line terminator.
    pub end: usize,
}

/// A decoded source file.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file name (no folders), as recorded in provenance.
    pub name: String,
    pub bytes: Vec<u8>,
    pub lines: Vec<Line>,
    /// `line: message` notes about the decoding (1-based line numbers).
    pub warnings: Vec<(usize, String)>,
}

/// Why a file cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The file has no text (zero bytes, or only whitespace).
    Empty,
    /// A NUL byte or mostly control characters: not a text file.
    Binary { line: usize },
}

impl DecodeError {
    /// The message shown to the user, prefixed with the file's path.
    pub fn message(&self, path: &str) -> String {
        match self {
            DecodeError::Empty => {
                format!("{path}: the file is empty; there is nothing to import")
            }
            DecodeError::Binary { line } => format!(
                "{path}:{line}: this looks like a binary file, not plain text \
                 (it contains a NUL byte or control characters); import reads UTF-8 or Latin-1 text"
            ),
        }
    }
}

/// Decodes `bytes` (the content of the file called `name`).
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<Source, DecodeError> {
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        let line = 1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count();
        return Err(DecodeError::Binary { line });
    }
    let controls = bytes
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    if controls > 0 && controls * 20 > bytes.len() {
        let pos = bytes
            .iter()
            .position(|&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
            .unwrap_or(0);
        let line = 1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count();
        return Err(DecodeError::Binary { line });
    }
    let mut lines = Vec::new();
    let mut warnings = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let end = match bytes[start..].iter().position(|&b| b == b'\n') {
            Some(i) => start + i + 1,
            None => bytes.len(),
        };
        let mut content = &bytes[start..end];
        if content.last() == Some(&b'\n') {
            content = &content[..content.len() - 1];
        }
        if content.last() == Some(&b'\r') {
            content = &content[..content.len() - 1];
        }
        if start == 0 && content.starts_with(&[0xEF, 0xBB, 0xBF]) {
            content = &content[3..];
        }
        let text = match std::str::from_utf8(content) {
            Ok(s) => s.to_string(),
            Err(_) => {
                warnings.push((
                    lines.len() + 1,
                    "not valid UTF-8; read as Windows-1252 (Latin-1): check the accented letters on this line"
                        .to_string(),
                ));
                content.iter().map(|&b| windows_1252(b)).collect()
            }
        };
        // Form feeds and other stray controls would not survive Markdown.
        let text = text.replace(['\u{0c}', '\r'], " ");
        lines.push(Line { text, start, end });
        start = end;
    }
    if lines.iter().all(|l| l.text.trim().is_empty()) {
        return Err(DecodeError::Empty);
    }
    Ok(Source {
        name: name.to_string(),
        bytes,
        lines,
        warnings,
    })
}

/// The character a Windows-1252 byte stands for.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_bom_and_final_line() {
        let s = decode("a.txt", b"\xEF\xBB\xBFTitle\r\n\r\nText".to_vec()).unwrap();
        let texts: Vec<_> = s.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Title", "", "Text"]);
        assert_eq!((s.lines[0].start, s.lines[0].end), (0, 10));
        assert_eq!((s.lines[2].start, s.lines[2].end), (12, 16));
    }

    #[test]
    fn latin1_line_is_converted_with_a_warning() {
        let s = decode("a.txt", b"ok\nVorw\xe4rts \x93quoted\x94\n".to_vec()).unwrap();
        assert_eq!(s.lines[1].text, "Vorwärts “quoted”");
        assert_eq!(s.warnings.len(), 1);
        assert_eq!(s.warnings[0].0, 2);
    }

    #[test]
    fn refusals() {
        assert_eq!(decode("a", vec![]).unwrap_err(), DecodeError::Empty);
        assert_eq!(
            decode("a", b" \n\n\t\n".to_vec()).unwrap_err(),
            DecodeError::Empty
        );
        assert_eq!(
            decode("a", b"x\ny\0z".to_vec()).unwrap_err(),
            DecodeError::Binary { line: 2 }
        );
    }
}
