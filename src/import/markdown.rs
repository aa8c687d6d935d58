//! Markdown: a text's blocks in, its Markdown body out.
//!
//! The body must render to the source's words exactly, under the build's
//! options (footnotes, tables, strikethrough, smart punctuation). So every
//! character Markdown would act on is escaped with a backslash: emphasis
//! and code marks, brackets (citation marks `[12]` stay visible as `\[12\]`),
//! `<`, `&`, `|`, `~`, straight quotes, `...` and `--` (which smart
//! punctuation would turn into other characters), and at a line start `#`,
//! `>`, `-`, `+`, `=` and `1.`. Superscript footnote markers become `[^N]`
//! where the text has a footnote line `N`.
//!
//! Conventions this module fixes (the faithfulness test knows them):
//! - the caption of an absent image is a paragraph `*\[Image: caption\]*`,
//!   the caption's words unchanged;
//! - a speaker is `**LABEL:** words`;
//! - a block quote's attribution is the quote's last paragraph, as written;
//! - a list of sources is a bullet list, one item per source block.

use std::collections::HashSet;

use super::structure::{Block, Located, Text};

/// The Markdown body of `text` (ends with one newline).
pub fn body(text: &Text) -> String {
    let mut out = String::new();
    for block in &text.blocks {
        if !out.is_empty() {
            out.push('\n');
        }
        emit(&mut out, block, &text.footnotes);
    }
    out
}

fn emit(out: &mut String, located: &Located, notes: &HashSet<u32>) {
    let line = |s: &str| escape_line(s, notes);
    match &located.block {
        Block::Heading { level, text } => {
            let hashes = "#".repeat(*level as usize);
            out.push_str(&format!("{hashes} {}\n", line(text).replace('#', "\\#")));
        }
        Block::Para(lines) => {
            for l in lines {
                out.push_str(&line(l));
                out.push('\n');
            }
        }
        Block::Speaker { label, text } => {
            out.push_str(&format!("**{}:**", escape_inline(label, notes)));
            if !text.is_empty() {
                out.push(' ');
                out.push_str(&escape_inline(text, notes));
            }
            out.push('\n');
        }
        Block::Caption(text) => {
            out.push_str(&format!("*\\[Image: {}\\]*\n", escape_inline(text, notes)));
        }
        Block::Quote { body, attribution } => {
            let mut inner = String::new();
            for b in body {
                if !inner.is_empty() {
                    inner.push('\n');
                }
                emit(&mut inner, b, notes);
            }
            if !attribution.is_empty() {
                inner.push('\n');
                for l in attribution {
                    inner.push_str(&line(l));
                    inner.push('\n');
                }
            }
            for l in inner.lines() {
                if l.is_empty() {
                    out.push_str(">\n");
                } else {
                    out.push_str("> ");
                    out.push_str(l);
                    out.push('\n');
                }
            }
        }
        Block::Bullets(items) => {
            for item in items {
                out.push_str(&format!("- {}\n", line(item)));
            }
        }
        Block::Ordered { start, items } => {
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push('\n');
                }
                out.push_str(&format!("{}. {}\n", *start as usize + k, line(item)));
            }
        }
        Block::Table { header, rows } => {
            let row = |cells: &[String]| {
                let cells: Vec<String> = cells.iter().map(|c| line(c)).collect();
                format!("| {} |\n", cells.join(" | "))
            };
            out.push_str(&row(header));
            out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
            for r in rows {
                out.push_str(&row(r));
            }
        }
        Block::Sources(items) => {
            for item in items {
                for (k, l) in item.iter().enumerate() {
                    out.push_str(if k == 0 { "- " } else { "  " });
                    out.push_str(&line(l));
                    out.push('\n');
                }
            }
        }
        Block::Footnote { label, text } => {
            out.push_str(&format!("[^{label}]: {}\n", line(text)));
        }
    }
}

/// Escapes one line that starts a Markdown line (paragraph or quote line).
pub fn escape_line(s: &str, notes: &HashSet<u32>) -> String {
    let escaped = escape_inline(s.trim(), notes);
    // Ordered-list markers: `1.` / `1)` at the start.
    let digits = escaped.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && matches!(escaped[digits..].chars().next(), Some('.' | ')')) {
        return format!("{}\\{}", &escaped[..digits], &escaped[digits..]);
    }
    match escaped.chars().next() {
        Some('#' | '-' | '+' | '=' | '>') => format!("\\{escaped}"),
        _ => escaped,
    }
}

/// Escapes characters Markdown (with smart punctuation) would not keep as written.
pub fn escape_inline(s: &str, notes: &HashSet<u32>) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev = ' ';
    let mut chars = s.chars().peekable();
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if let Some(d) = super::classify::superscript_value(c).filter(|_| !at_start) {
            // A footnote marker: gather the whole run.
            let mut value = d;
            let mut run = String::from(c);
            while let Some(&n) = chars.peek() {
                match super::classify::superscript_value(n) {
                    Some(d) => {
                        value = value.saturating_mul(10).saturating_add(d);
                        run.push(n);
                        chars.next();
                    }
                    None => break,
                }
            }
            if notes.contains(&value) {
                out.push_str(&format!("[^{value}]"));
            } else {
                out.push_str(&run);
            }
            prev = c;
            continue;
        }
        if !(super::classify::superscript_value(c).is_some() && at_start) {
            at_start = false;
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '"' | '\'' | '$'
            | '^' => {
                out.push('\\');
                out.push(c);
            }
            '.' if prev == '.' => out.push_str("\\."),
            '-' if prev == '-' => out.push_str("\\-"),
            '\t' => out.push(' '),
            _ => out.push(c),
        }
        prev = c;
    }
    // Two trailing spaces would be a hard break; a trailing backslash, one too.
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let none = HashSet::new();
        let table = [
            ("a *b* _c_", "a \\*b\\* \\_c\\_"),
            ("[12] cited", "\\[12\\] cited"),
            ("x < y & z", "x \\< y \\& z"),
            ("“quoted” and \"straight\"", "“quoted” and \\\"straight\\\""),
            ("wait... -- no", "wait.\\.\\. -\\- no"),
            ("1. not a list", "1\\. not a list"),
            ("# not a heading", "\\# not a heading"),
            ("- not a bullet", "\\- not a bullet"),
            ("~ Za Rossiyu", "\\~ Za Rossiyu"),
        ];
        for (input, expected) in table {
            assert_eq!(escape_line(input, &none), expected, "{input}");
        }
    }

    #[test]
    fn footnote_markers() {
        let notes: HashSet<u32> = [1, 16].into();
        assert_eq!(
            escape_inline("crisis.¹ and¹⁶ x²", &notes),
            "crisis.[^1] and[^16] x²"
        );
    }
}
