//! Notes: the `notes:` list of a text's front-matter in, checked [`Note`]s out.
//!
//! A note is stored in the front-matter of the text it explains, so the two
//! travel together: moving or renaming the file cannot orphan its notes, one
//! atomic write saves both, and `scholia import` keeps front-matter keys it
//! does not own. A note is anchored by quoting its passage (the W3C Web
//! Annotation TextQuoteSelector: `exact`, with `prefix`/`suffix` to pick one
//! of several occurrences) or by naming a whole paragraph.
//!
//! ```yaml
//! notes:
//!   - id: west-wall
//!     anchor: { exact: "the West Wall", suffix: ", in the mines" }
//!     type: context
//!     body: |
//!       The *Westwall*, fortifications built along Germany's western border from 1938.
//!     sources: ["…"]
//!     editor: "…"
//!     date: "2026-11-22"
//! ```

use serde::{Deserialize, Serialize};

/// What a note does, and its W3C Web Annotation motivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteType {
    /// Who a name is, what an event was: what a reader needs to follow the text.
    Context,
    /// A claim historians contest, with the main positions.
    Dispute,
    /// An error of fact or a typo in the source ([sic]).
    Correction,
    /// What the cited sources actually say.
    SourceCheck,
    /// A problem of the translation.
    Translation,
}

impl NoteType {
    pub const ALL: [NoteType; 5] = [
        NoteType::Context,
        NoteType::Dispute,
        NoteType::Correction,
        NoteType::SourceCheck,
        NoteType::Translation,
    ];

    pub fn name(self) -> &'static str {
        match self {
            NoteType::Context => "context",
            NoteType::Dispute => "dispute",
            NoteType::Correction => "correction",
            NoteType::SourceCheck => "source-check",
            NoteType::Translation => "translation",
        }
    }

    /// The label readers see.
    pub fn label(self) -> &'static str {
        match self {
            NoteType::Context => "Context",
            NoteType::Dispute => "Disputed",
            NoteType::Correction => "Correction",
            NoteType::SourceCheck => "Source check",
            NoteType::Translation => "Translation",
        }
    }

    /// The W3C Web Annotation motivation.
    pub fn motivation(self) -> &'static str {
        match self {
            NoteType::Context => "describing",
            NoteType::Dispute => "questioning",
            NoteType::Correction => "editing",
            NoteType::SourceCheck => "assessing",
            NoteType::Translation => "commenting",
        }
    }

    pub fn parse(name: &str) -> Option<NoteType> {
        NoteType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Where a note attaches.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAnchor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// A whole paragraph, by its number (`p-N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<u32>,
}

/// A note as written in the front-matter.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawNote {
    pub id: String,
    pub anchor: RawAnchor,
    #[serde(rename = "type")]
    pub kind: NoteType,
    pub body: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    Quote {
        exact: String,
        prefix: Option<String>,
        suffix: Option<String>,
    },
    Paragraph(u32),
}

/// A note, checked, before it is anchored.
#[derive(Debug, Clone)]
pub struct Note {
    pub id: String,
    pub anchor: Anchor,
    pub kind: NoteType,
    pub body: String,
    pub sources: Vec<String>,
    pub editor: Option<String>,
    pub date: Option<String>,
    /// Line of the file where the note's `exact:` (or `id:`) stands.
    pub line: usize,
    /// Line of the file where its `id:` stands.
    pub id_line: usize,
}

/// Why a raw note cannot be used.
pub fn check(raw: &RawNote) -> Result<Anchor, String> {
    if !is_valid_id(&raw.id) {
        return Err(format!(
            "note id `{}` must be letters, digits and hyphens, starting with a letter",
            raw.id
        ));
    }
    if raw.body.trim().is_empty() {
        return Err(format!("note `{}` has an empty body", raw.id));
    }
    let a = &raw.anchor;
    match (&a.exact, a.paragraph) {
        (Some(_), Some(_)) => Err(format!(
            "note `{}` has both `exact` and `paragraph` in its anchor; keep one",
            raw.id
        )),
        (None, None) => Err(format!(
            "note `{}` has no anchor: give `exact` (a quote of the passage) or `paragraph` (a number)",
            raw.id
        )),
        (Some(exact), None) if exact.trim().is_empty() => {
            Err(format!("note `{}` quotes an empty passage", raw.id))
        }
        (Some(exact), None) => Ok(Anchor::Quote {
            exact: exact.clone(),
            prefix: a.prefix.clone().filter(|p| !p.is_empty()),
            suffix: a.suffix.clone().filter(|s| !s.is_empty()),
        }),
        (None, Some(_)) if a.prefix.is_some() || a.suffix.is_some() => Err(format!(
            "note `{}` anchors a whole paragraph; `prefix` and `suffix` belong to a quote",
            raw.id
        )),
        (None, Some(n)) => Ok(Anchor::Paragraph(n)),
    }
}

/// The reader's label of the `i`-th note of a text: `a`..`z`, then `aa`, `ab`, ...
pub fn label(mut i: usize) -> String {
    let mut label = Vec::new();
    loop {
        label.push(b'a' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    label.reverse();
    String::from_utf8(label).unwrap_or_default()
}

/// Note ids become URL fragments (`#note-ID`), so keep them simple.
pub fn is_valid_id(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The line of the `id:` of the note `id` in a front-matter block (0-based
/// within `yaml`). `nth` picks among notes that share the id (0 for the
/// first), so a duplicate is shown where it stands.
pub fn id_line_in_block(yaml: &str, id: &str, nth: usize) -> Option<usize> {
    yaml.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ").trim_start();
            t.strip_prefix("id:")
                .is_some_and(|v| v.trim().trim_matches(|c| c == '"' || c == '\'') == id)
        })
        .nth(nth)
        .map(|(i, _)| i)
}

/// The line of the note whose `id:` is on `id_line` (both 0-based within
/// `yaml`): the `exact:` or `paragraph:` line after it, else the `id:` line.
pub fn line_in_block(yaml: &str, id_line: usize) -> usize {
    yaml.lines()
        .skip(id_line)
        .take(12)
        .position(|l| l.contains("exact:") || l.contains("paragraph:"))
        .map_or(id_line, |i| id_line + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(yaml: &str) -> RawNote {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn checks_anchors() {
        let ok = raw("id: a\nanchor: {exact: x, prefix: ''}\ntype: context\nbody: b\n");
        assert_eq!(
            check(&ok),
            Ok(Anchor::Quote {
                exact: "x".into(),
                prefix: None,
                suffix: None
            })
        );
        let para = raw("id: a\nanchor: {paragraph: 3}\ntype: dispute\nbody: b\n");
        assert_eq!(check(&para), Ok(Anchor::Paragraph(3)));
        let both = raw("id: a\nanchor: {paragraph: 3, exact: x}\ntype: context\nbody: b\n");
        assert!(check(&both)
            .unwrap_err()
            .contains("both `exact` and `paragraph`"));
        let none = raw("id: a\nanchor: {}\ntype: context\nbody: b\n");
        assert!(check(&none).unwrap_err().contains("has no anchor"));
        let bad_id = raw("id: 1a b\nanchor: {exact: x}\ntype: context\nbody: b\n");
        assert!(check(&bad_id).unwrap_err().contains("must be letters"));
    }

    #[test]
    fn labels_are_letters() {
        let labels: Vec<String> = [0, 1, 25, 26, 27, 51, 52].into_iter().map(label).collect();
        assert_eq!(labels, ["a", "b", "z", "aa", "ab", "az", "ba"]);
    }

    #[test]
    fn types_have_w3c_motivations() {
        let t: NoteType = serde_yaml::from_str("source-check").unwrap();
        assert_eq!((t.name(), t.motivation()), ("source-check", "assessing"));
        assert!(serde_yaml::from_str::<NoteType>("opinion").is_err());
    }

    #[test]
    fn finds_the_line_of_a_note() {
        let yaml = "title: T\nnotes:\n  - id: one\n    anchor:\n      exact: \"x\"\n  - id: two\n    anchor: {paragraph: 2}\n";
        assert_eq!(id_line_in_block(yaml, "one", 0), Some(2));
        assert_eq!(id_line_in_block(yaml, "two", 0), Some(5));
        assert_eq!(id_line_in_block(yaml, "three", 0), None);
        assert_eq!(line_in_block(yaml, 2), 4);
        assert_eq!(line_in_block(yaml, 5), 6);
    }
}
