//! Front-matter: a text file in, its typed metadata and the Markdown body out.
//!
//! A text opens with a YAML block between `---` lines. Every key is typed and
//! unknown keys are errors (with the closest valid key suggested), so a typo
//! never silently drops metadata. Positions in diagnostics are lines of the
//! whole file: the block's own line numbers are shifted by where it starts.

use serde::Deserialize;

use crate::diagnostic::{unknown_field, unknown_key_help, Diagnostic, Position, YamlProblem};
use crate::model::PartialDate;

/// The parts of a text file.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// Byte offset of `yaml` in the file.
    pub yaml_offset: usize,
    pub body: &'a str,
    /// Byte offset of `body` in the file.
    pub body_offset: usize,
}

/// Separates the front-matter block from the body.
pub fn split<'a>(source: &'a str, display: &std::path::Path) -> Result<Split<'a>, Diagnostic> {
    let first_line_end = source.find('\n').map_or(source.len(), |i| i + 1);
    if source[..first_line_end].trim_end() != "---" {
        return Err(Diagnostic::error(display, "this text has no front-matter")
            .at(source, Position::new(1, 1))
            .with_help("start the file with a YAML block, e.g.\n       ---\n       title: \"The title\"\n       ---"));
    }
    let mut offset = first_line_end;
    for line in source[first_line_end..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body_offset = offset + line.len();
            return Ok(Split {
                yaml: &source[first_line_end..offset],
                yaml_offset: first_line_end,
                body: &source[body_offset..],
                body_offset,
            });
        }
        offset += line.len();
    }
    Err(
        Diagnostic::error(display, "the front-matter block is never closed")
            .at(source, Position::new(1, 1))
            .underline(3)
            .with_help("add a line `---` after the last front-matter key"),
    )
}

/// An explicit cross-reference: `related: [{text: slug, reason: "..."}]`.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Related {
    pub text: String,
    pub reason: String,
    /// Line of the entry in the file, for messages.
    #[serde(skip)]
    pub line: usize,
}

/// Where an imported text came from (written by `scholia import`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub file: String,
    pub lines: String,
    pub sha256: String,
    pub scholia: String,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Int(i64),
    Str(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    title: Option<String>,
    subtitle: Option<String>,
    author: Option<OneOrMany>,
    authors: Option<Vec<String>>,
    date: Option<Scalar>,
    publication: Option<String>,
    source: Option<String>,
    translator: Option<String>,
    original_language: Option<String>,
    language: Option<String>,
    genre: Option<String>,
    tradition: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    summary: Option<String>,
    weight: Option<i64>,
    slug: Option<String>,
    provenance: Option<Provenance>,
    #[serde(default)]
    residue: Vec<String>,
    paragraphs: Option<Vec<u32>>,
    #[serde(default)]
    notes: Vec<crate::parse::notes::RawNote>,
    #[serde(default)]
    related: Vec<Related>,
}

/// The metadata of a text, checked.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub date: Option<PartialDate>,
    pub publication: Option<String>,
    pub source: Option<String>,
    pub translator: Option<String>,
    pub original_language: Option<String>,
    pub language: Option<String>,
    pub genre: Option<String>,
    pub tradition: Option<String>,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    pub weight: Option<i64>,
    pub slug: Option<String>,
    /// The file line of `slug:` when it is set, for messages about the slug.
    pub slug_line: Option<usize>,
    pub provenance: Option<Provenance>,
    pub residue: Vec<String>,
    pub paragraphs: Option<Vec<u32>>,
    /// Editorial notes as written; anchored by [`crate::parse::parse_file`].
    pub notes: Vec<crate::parse::notes::RawNote>,
    pub related: Vec<Related>,
}

/// The metadata of a section (`_index.md`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionFrontMatter {
    pub title: Option<String>,
    pub weight: Option<i64>,
    pub summary: Option<String>,
}

/// Parses a text's front-matter. `source` is the whole file, for positions.
pub fn parse_text(
    source: &str,
    split: &Split,
    display: &std::path::Path,
) -> Result<FrontMatter, Vec<Diagnostic>> {
    let raw: RawFrontMatter = parse_yaml(source, split, display).map_err(|d| vec![d])?;
    let key_error = |key: &str, message: String, help: &str| {
        let (offset, len) = key_offset(split, key);
        Diagnostic::error(display, message)
            .at_offset(source, offset, len)
            .with_help(help)
    };
    let mut errors = Vec::new();
    let title = raw.title.unwrap_or_default();
    if title.trim().is_empty() {
        errors.push(
            Diagnostic::error(display, "this text has no title")
                .at(source, Position::new(1, 1))
                .underline(3)
                .with_help("add `title: \"...\"` to the front-matter"),
        );
    }
    let authors = match (raw.author, raw.authors) {
        (Some(_), Some(_)) => {
            errors.push(key_error(
                "authors",
                "both `author` and `authors` are set".into(),
                "keep one: `author: Name` or `authors: [Name, Name]`",
            ));
            Vec::new()
        }
        (Some(OneOrMany::One(a)), None) => vec![a],
        (Some(OneOrMany::Many(a)), None) | (None, Some(a)) => a,
        (None, None) => Vec::new(),
    };
    let date = match raw.date {
        None => None,
        Some(value) => {
            let written = match value {
                Scalar::Int(year) => year.to_string(),
                Scalar::Str(s) => s,
            };
            match PartialDate::parse(&written) {
                Some(date) => Some(date),
                None => {
                    errors.push(key_error(
                        "date",
                        format!("`{written}` is not a date scholia understands"),
                        "write `1939`, `1939-08`, `1939-08-26`, or `c. 1939` for an approximate date",
                    ));
                    None
                }
            }
        }
    };
    if let Some(slug) = &raw.slug {
        if !is_valid_slug(slug) {
            errors.push(key_error(
                "slug",
                format!("`{slug}` cannot be used as a slug"),
                "use lowercase letters, digits and hyphens, e.g. `moscow-trials`",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(FrontMatter {
        title,
        subtitle: raw.subtitle,
        authors,
        date,
        publication: raw.publication,
        source: raw.source,
        translator: raw.translator,
        original_language: raw.original_language,
        language: raw.language,
        genre: raw.genre,
        tradition: raw.tradition,
        tags: raw.tags,
        summary: raw.summary,
        weight: raw.weight,
        slug_line: raw
            .slug
            .as_ref()
            .map(|_| Position::of_offset(source, key_offset(split, "slug").0).line),
        slug: raw.slug,
        provenance: raw.provenance,
        residue: raw.residue,
        paragraphs: raw.paragraphs,
        notes: raw.notes,
        related: raw.related,
    })
}

/// Parses a section's `_index.md` front-matter.
pub fn parse_section(
    source: &str,
    split: &Split,
    display: &std::path::Path,
) -> Result<SectionFrontMatter, Diagnostic> {
    parse_yaml(source, split, display)
}

/// A slug is a URL path segment: non-empty, no `/`, no whitespace, not `.` or `..`.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug != "."
        && slug != ".."
        && slug
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.')
}

fn parse_yaml<T: for<'de> Deserialize<'de> + Default>(
    source: &str,
    split: &Split,
    display: &std::path::Path,
) -> Result<T, Diagnostic> {
    if split.yaml.trim().is_empty() {
        return Ok(T::default());
    }
    serde_yaml::from_str(split.yaml).map_err(|e| yaml_error(source, split, display, &e))
}

fn yaml_error(
    source: &str,
    split: &Split,
    display: &std::path::Path,
    error: &serde_yaml::Error,
) -> Diagnostic {
    let problem = YamlProblem::of(error, split.yaml);
    let message = problem.message.as_str();
    let message = message.strip_prefix("front-matter: ").unwrap_or(message);
    // serde_yaml counts from the top of the block; we give file positions instead.
    let block_start = Position::of_offset(source, split.yaml_offset).line;
    let position = Position::new(block_start + problem.line - 1, problem.column);
    if let Some((field, expected)) = unknown_field(message) {
        return Diagnostic::error(display, format!("unknown front-matter key `{field}`"))
            .at(source, position)
            .underline(field.chars().count())
            .with_help(unknown_key_help(&field, &expected));
    }
    let help = match problem.syntax_help {
        Some(help) => help,
        None if message.contains("unknown variant") => "use one of the values listed",
        None if message.contains("missing field") => "add the missing key",
        None => "check the value's type: text in quotes, lists in [brackets], numbers bare",
    };
    Diagnostic::error(display, format!("invalid front-matter: {message}"))
        .at(source, position)
        .with_help(help)
}

/// Byte offset (in the file) and length of `key:` at the start of a line of the block.
fn key_offset(split: &Split, key: &str) -> (usize, usize) {
    let mut offset = 0;
    for line in split.yaml.split_inclusive('\n') {
        if line
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(':'))
        {
            return (split.yaml_offset + offset, key.len());
        }
        offset += line.len();
    }
    (split.yaml_offset, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(source: &str) -> Result<FrontMatter, Vec<Diagnostic>> {
        let path = Path::new("a.md");
        let split = split(source, path).map_err(|d| vec![d])?;
        parse_text(source, &split, path)
    }

    fn first_error(source: &str) -> (String, Position, Option<String>) {
        let d = parse(source).unwrap_err().remove(0);
        (d.message, d.position.unwrap(), d.help)
    }

    #[test]
    fn reads_typed_fields() {
        let fm = parse("---\ntitle: T\nauthors: [A, B]\ndate: 1939\ntags: [x]\n---\nbody").unwrap();
        assert_eq!(fm.title, "T");
        assert_eq!(fm.authors, ["A", "B"]);
        assert_eq!(fm.date.unwrap().written, "1939");
        assert_eq!(fm.tags, ["x"]);
    }

    #[test]
    fn body_starts_after_the_closing_line() {
        let source = "---\ntitle: T\n---\nbody\n";
        let s = split(source, Path::new("a.md")).unwrap();
        assert_eq!(s.body, "body\n");
        assert_eq!(Position::of_offset(source, s.body_offset).line, 4);
    }

    /// name, input, expected message, line, column: positions are lines of the file.
    #[test]
    fn errors_point_into_the_file() {
        let cases = [
            (
                "no block",
                "title: T\n",
                "this text has no front-matter",
                1,
                1,
            ),
            (
                "unclosed",
                "---\ntitle: T\n",
                "the front-matter block is never closed",
                1,
                1,
            ),
            (
                "missing title",
                "---\nauthor: A\n---\n",
                "this text has no title",
                1,
                1,
            ),
            (
                "unknown key",
                "---\ntitle: T\ntitel: U\n---\n",
                "unknown front-matter key `titel`",
                3,
                1,
            ),
            (
                "wrong type",
                "---\ntitle: T\ntags: 3\n---\n",
                "invalid front-matter: tags: invalid type: integer `3`, expected a sequence",
                3,
                7,
            ),
            (
                "bad yaml: the unclosed quote, not the end of the block",
                "---\ntitle: T\nsummary: \"open\n---\n",
                "invalid front-matter: found unexpected end of stream while scanning a quoted scalar",
                3,
                10,
            ),
            (
                // Regression (tests/properties.rs): YAML counts a lone `\r` as a line break.
                "lone carriage return",
                "---\ntitle: T\rtags: 3\n---\n",
                "invalid front-matter: tags: invalid type: integer `3`, expected a sequence",
                2,
                16,
            ),
            (
                "bad date",
                "---\ntitle: T\ndate: soon\n---\n",
                "`soon` is not a date scholia understands",
                3,
                1,
            ),
            (
                "bad slug",
                "---\ntitle: T\nslug: a b\n---\n",
                "`a b` cannot be used as a slug",
                3,
                1,
            ),
        ];
        for (name, input, message, line, col) in cases {
            let (got, position, _) = first_error(input);
            assert_eq!(
                (got.as_str(), position),
                (message, Position::new(line, col)),
                "case {name}"
            );
        }
    }

    #[test]
    fn unknown_key_suggests_the_closest() {
        let (_, _, help) = first_error("---\ntitle: T\nsumary: S\n---\n");
        assert_eq!(help.as_deref(), Some("did you mean `summary`?"));
    }

    #[test]
    fn reports_every_problem_of_a_block() {
        let errors = parse("---\ndate: never\nslug: \"/x\"\n---\n").unwrap_err();
        assert_eq!(errors.len(), 3);
    }
}
