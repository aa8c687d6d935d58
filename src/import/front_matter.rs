//! Front-matter: a converted text's facts in, YAML text out; and, on
//! re-import, an existing file's front-matter text in, the same text with
//! only the importer's keys replaced out.
//!
//! The importer owns three keys: `provenance`, `residue` and `paragraphs`.
//! Everything else (title, author, summary, and keys this version does not
//! know, such as `notes:` or `related:`) belongs to the editors. On
//! re-import we do not parse and re-serialise the YAML, which would lose
//! comments, quoting and key order; we cut the front-matter into top-level
//! entries (a key at column 0 and the indented or `- ` lines under it) and
//! swap only the importer's entries, so every other byte stays as it was.

/// A YAML double-quoted scalar.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20
                || c == '\u{7f}'
                || c == '\u{85}'
                || c == '\u{2028}'
                || c == '\u{2029}'
                || c == '\u{feff}' =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A flow sequence of quoted strings on one line.
pub fn quote_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", items.join(", "))
}

/// The importer's entries, each as YAML text ending in a newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    pub provenance: String,
    pub residue: Option<String>,
    pub paragraphs: Option<String>,
}

impl Owned {
    pub fn get(&self, key: &str) -> Option<&str> {
        match key {
            "provenance" => Some(&self.provenance),
            "residue" => self.residue.as_deref(),
            "paragraphs" => self.paragraphs.as_deref(),
            _ => None,
        }
    }
}

pub const OWNED_KEYS: [&str; 3] = ["provenance", "residue", "paragraphs"];

/// The editorial entries of a new text (title, subtitle, author, date).
pub fn editorial(
    title: &str,
    subtitle: Option<&str>,
    author: Option<&str>,
    date: Option<&str>,
) -> String {
    let mut out = format!("title: {}\n", quote(title));
    if let Some(s) = subtitle {
        out.push_str(&format!("subtitle: {}\n", quote(s)));
    }
    out.push_str(&format!("author: {}\n", quote(author.unwrap_or("unknown"))));
    if let Some(d) = date {
        out.push_str(&format!("date: {}\n", quote(d)));
    }
    out
}

/// Renders the importer's entries after `editorial` (a new file's front-matter).
pub fn new_front_matter(editorial: &str, owned: &Owned) -> String {
    let mut out = editorial.to_string();
    for key in OWNED_KEYS {
        if let Some(entry) = owned.get(key) {
            out.push_str(entry);
        }
    }
    out
}

/// A file split into its front-matter text (without the `---` lines) and body.
pub struct FileParts<'a> {
    pub yaml: &'a str,
    pub body: &'a str,
}

/// Splits a Markdown file with `---` front-matter. `None` when it has none.
pub fn split_file(content: &str) -> Option<FileParts<'_>> {
    let rest = content
        .strip_prefix("---\n")
        .or_else(|| content.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let body = &rest[offset + line.len()..];
            return Some(FileParts {
                yaml: &rest[..offset],
                body: body.strip_prefix('\n').unwrap_or(body),
            });
        }
        offset += line.len();
    }
    None
}

/// Replaces the importer's entries in `yaml`, keeping every other byte.
/// Entries the importer no longer needs are removed; new ones are appended.
pub fn replace_owned(yaml: &str, owned: &Owned) -> String {
    let mut out = String::with_capacity(yaml.len() + 256);
    let mut seen = [false; 3];
    let mut current: Option<usize> = None; // index into OWNED_KEYS of the entry being skipped
    for line in yaml.split_inclusive('\n') {
        let top_level = !line.starts_with([' ', '\t', '-', '#', '\n', '\r']) && line.contains(':');
        if top_level {
            let key = line[..line.find(':').unwrap()]
                .trim()
                .trim_matches(['"', '\'']);
            current = OWNED_KEYS.iter().position(|k| *k == key);
            if let Some(k) = current {
                seen[k] = true;
                if let Some(entry) = owned.get(OWNED_KEYS[k]) {
                    out.push_str(entry);
                }
                continue;
            }
        } else if current.is_some()
            && (line.starts_with([' ', '\t', '-']) || line.trim().is_empty())
        {
            continue; // the rest of an entry we replaced
        } else if !line.starts_with([' ', '\t', '-']) {
            current = None;
        }
        if current.is_none() {
            if !line.ends_with('\n') {
                out.push_str(line);
                out.push('\n');
            } else {
                out.push_str(line);
            }
        }
    }
    for (k, key) in OWNED_KEYS.iter().enumerate() {
        if !seen[k] {
            if let Some(entry) = owned.get(key) {
                out.push_str(entry);
            }
        }
    }
    out
}

/// The whole file: `---`, front-matter, `---`, a blank line, the body.
pub fn assemble(yaml: &str, body: &str) -> String {
    format!("---\n{yaml}---\n\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(p: &str) -> Owned {
        Owned {
            provenance: format!("provenance:\n  file: \"{p}\"\n"),
            residue: None,
            paragraphs: Some("paragraphs: [1, 3]\n".into()),
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
        assert_eq!(quote("“Ständesozialismus“"), "\"“Ständesozialismus“\"");
        let v: String = serde_yaml::from_str(&quote("x: y # z \u{1} \"")).unwrap();
        assert_eq!(v, "x: y # z \u{1} \"");
    }

    #[test]
    fn replaces_only_owned_entries_and_keeps_unknown_keys() {
        let yaml = "title: \"Edited\"  # a comment\nprovenance:\n  file: \"old\"\n  lines: \"1-2\"\nresidue:\n- Share\nnotes:\n  - quote: \"x\"\n    body: |\n      text\ntags: [a, b]\n";
        let out = replace_owned(yaml, &owned("new"));
        assert_eq!(
            out,
            "title: \"Edited\"  # a comment\nprovenance:\n  file: \"new\"\nnotes:\n  - quote: \"x\"\n    body: |\n      text\ntags: [a, b]\nparagraphs: [1, 3]\n"
        );
        // Idempotent.
        assert_eq!(replace_owned(&out, &owned("new")), out);
    }

    #[test]
    fn splits_files() {
        let parts = split_file("---\ntitle: x\n---\n\nBody\n").unwrap();
        assert_eq!((parts.yaml, parts.body), ("title: x\n", "Body\n"));
        assert!(split_file("no front matter").is_none());
    }
}
