//! Parse: loaded files in, parsed texts and section descriptions out.
//!
//! Each file is parsed on its own (in parallel, by the caller): front-matter
//! into typed metadata, the body into HTML with numbered blocks. A file with
//! problems yields its diagnostics and no text, so the others still get checked.

pub mod entities;
pub mod front_matter;
pub mod markdown;
pub mod notes;

use crate::diagnostic::{Diagnostic, Position};
use crate::load::{FileKind, SourceFile};
use crate::model::{Text, TextId};

use crate::config::EntityOptions;
use crate::model::{AnchoredNote, Block, LinkRef, LinkTarget, TextLink};
use entities::Registry;
use front_matter::Related;
use front_matter::SectionFrontMatter;
use markdown::{BodyPlace, Highlight};
use notes::{Note, RawNote};

/// A parsed `_index.md`.
#[derive(Debug, Clone)]
pub struct SectionInfo {
    /// Folder relative to the content folder, `""` at the top.
    pub path: String,
    pub meta: SectionFrontMatter,
    pub intro_html: String,
}

#[derive(Debug)]
pub enum Parsed {
    Text(Box<Text>),
    Section(SectionInfo),
}

/// What parsing a text needs from the rest of the edition.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseContext<'a> {
    pub registry: Option<&'a Registry>,
    pub entity_options: EntityOptions,
}

/// Parses one file; returns what it holds and any warnings, or its errors.
pub fn parse_file(file: &SourceFile, context: &ParseContext) -> Result<Parsed, Vec<Diagnostic>> {
    let split = front_matter::split(&file.text, &file.display).map_err(|d| vec![d])?;
    let first_line = Position::of_offset(&file.text, split.body_offset).line;
    let folder = folder_of(&file.rel);
    match file.kind {
        FileKind::SectionIndex => {
            let meta = front_matter::parse_section(&file.text, &split, &file.display)
                .map_err(|d| vec![d])?;
            let intro_html = markdown::render_prose(split.body);
            Ok(Parsed::Section(SectionInfo {
                path: folder,
                meta,
                intro_html,
            }))
        }
        FileKind::Registry => Err(vec![Diagnostic::error(
            &file.display,
            "a registry file cannot be read as a text",
        )]),
        FileKind::Text | FileKind::Asset => {
            let meta = front_matter::parse_text(&file.text, &split, &file.display)?;
            if let Some(numbers) = &meta.paragraphs {
                check_numbers(file, &split, numbers)?;
            }
            let rendered = markdown::render(
                split.body,
                BodyPlace {
                    first_line,
                    numbers: meta.paragraphs.as_deref(),
                    highlights: &[],
                    entities: context.registry,
                    entity_options: context.entity_options,
                },
            );
            if let Some(numbers) = &meta.paragraphs {
                if numbers.len() != rendered.blocks.len() {
                    return Err(vec![paragraphs_error(
                        file,
                        &split,
                        format!(
                            "`paragraphs` lists {} anchor numbers but the text has {} numbered blocks",
                            numbers.len(),
                            rendered.blocks.len()
                        ),
                    )]);
                }
            }
            let notes = anchor_notes(file, &split, &meta.notes, &rendered.blocks)?;
            // Notes are marked by rendering again, now that their places are known.
            let rendered = if notes.is_empty() {
                rendered
            } else {
                let highlights: Vec<Highlight> =
                    notes.iter().map(crate::render::notes::highlight).collect();
                markdown::render(
                    split.body,
                    BodyPlace {
                        first_line,
                        numbers: meta.paragraphs.as_deref(),
                        highlights: &highlights,
                        entities: context.registry,
                        entity_options: context.entity_options,
                    },
                )
            };
            let slug = meta.slug.clone().unwrap_or_else(|| file_stem(&file.rel));
            let links = text_links(file, split.body_offset, &rendered.links, &notes);
            let related = place_related(&file.text, &split, &meta.related);
            Ok(Parsed::Text(Box::new(Text {
                id: TextId(slug),
                meta,
                section: folder,
                source_path: file.display.clone(),
                body_html: rendered.body_html,
                footnotes_html: rendered.footnotes_html,
                headings: rendered.headings,
                blocks: rendered.blocks,
                word_count: rendered.word_count,
                notes,
                links,
                mentions: rendered.mentions,
                related,
            })))
        }
    }
}

/// The `related:` entries, each with the line of its `text:` key.
fn place_related(source: &str, split: &front_matter::Split, related: &[Related]) -> Vec<Related> {
    let first = Position::of_offset(source, split.yaml_offset).line;
    let lines: Vec<&str> = split.yaml.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("related:"))
        .unwrap_or(0);
    related
        .iter()
        .map(|r| {
            let at = lines[start..].iter().position(|l| {
                l.trim_start()
                    .trim_start_matches("- ")
                    .trim_start()
                    .strip_prefix("text:")
                    .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == r.text)
            });
            Related {
                line: first + start + at.unwrap_or(0),
                ..r.clone()
            }
        })
        .collect()
}

/// The `@` links of a body (offsets relative to the body) and of the notes, placed in the file.
fn text_links(
    file: &SourceFile,
    body_offset: usize,
    body: &[LinkRef],
    notes: &[AnchoredNote],
) -> Vec<TextLink> {
    let in_body = body.iter().map(|l| TextLink {
        target: l.target.clone(),
        position: Position::of_offset(&file.text, body_offset + l.offset),
        paragraph: l.paragraph,
        note: None,
    });
    let in_notes = notes.iter().flat_map(|n| {
        n.links.iter().map(|l| TextLink {
            target: l.target.clone(),
            position: note_link_position(&file.text, n.note.line, &l.target),
            paragraph: Some(n.paragraph),
            note: Some(n.note.id.clone()),
        })
    });
    in_body.chain(in_notes).collect()
}

/// Where a note's link stands in the file. A note's Markdown sits inside
/// YAML, so offsets into it are not offsets into the file; but YAML keeps
/// a link's destination as written, so the first line from the note's own
/// that holds it is the link's. The note's line when it cannot be found.
fn note_link_position(text: &str, note_line: usize, target: &LinkTarget) -> Position {
    let dest = match target {
        LinkTarget::Text {
            slug,
            fragment: Some(f),
        } => format!("@/{slug}#{f}"),
        LinkTarget::Text {
            slug,
            fragment: None,
        } => format!("@/{slug}"),
        LinkTarget::Entity(id) => format!("@entity/{id}"),
        LinkTarget::Unknown(dest) => dest.clone(),
    };
    text.lines()
        .enumerate()
        .skip(note_line.saturating_sub(1))
        .find_map(|(i, line)| {
            // `(@/a)`, not the start of `(@/a-b)` or `(@/a#p-2)`.
            let at = line.match_indices(&dest).map(|(at, _)| at).find(|&at| {
                line[..at].ends_with('(')
                    && line[at + dest.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| c == ')' || c.is_whitespace())
            })?;
            Some(Position::new(i + 1, line[..at].chars().count() + 1))
        })
        .unwrap_or(Position::new(note_line, 1))
}

/// Checks and anchors a text's notes; every problem of every note is reported.
fn anchor_notes(
    file: &SourceFile,
    split: &front_matter::Split,
    raw_notes: &[RawNote],
    blocks: &[Block],
) -> Result<Vec<AnchoredNote>, Vec<Diagnostic>> {
    let block_start = Position::of_offset(&file.text, split.yaml_offset).line;
    let mut errors = Vec::new();
    let mut anchored = Vec::new();
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for raw in raw_notes {
        let nth = seen.get(raw.id.as_str()).copied().unwrap_or(0);
        let (id_line, line) = match notes::id_line_in_block(split.yaml, &raw.id, nth) {
            Some(id) => (
                block_start + id,
                block_start + notes::line_in_block(split.yaml, id),
            ),
            None => (block_start, block_start),
        };
        let at = |message: String, help: String| {
            let column = file
                .text
                .lines()
                .nth(line - 1)
                .map_or(1, |l| l.len() - l.trim_start().len() + 1);
            Diagnostic::error(&file.display, message)
                .at(&file.text, Position::new(line, column))
                .with_help(help)
        };
        *seen.entry(raw.id.as_str()).or_default() += 1;
        if nth > 0 {
            errors.push(at(
                format!("two notes of this text have the id `{}`", raw.id),
                "give each note its own id".into(),
            ));
            continue;
        }
        let anchor = match notes::check(raw) {
            Ok(anchor) => anchor,
            Err(message) => {
                errors.push(at(
                    message,
                    "see `scholia note add --help` for the fields of a note".into(),
                ));
                continue;
            }
        };
        let note = Note {
            id: raw.id.clone(),
            anchor,
            kind: raw.kind,
            body: raw.body.clone(),
            sources: raw.sources.clone(),
            editor: raw.editor.clone(),
            date: raw.date.clone(),
            line,
            id_line,
        };
        match crate::resolve::anchor::anchor(&note, blocks) {
            Ok(place) => anchored.push(crate::render::notes::anchored(note, &place, blocks)),
            Err(e) => {
                let (message, help) = e.describe(&note.id);
                errors.push(at(message, help));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    anchored.sort_by_key(|n| (n.block, n.start, n.end));
    for (i, note) in anchored.iter_mut().enumerate() {
        note.label = notes::label(i);
    }
    Ok(anchored)
}

fn check_numbers(
    file: &SourceFile,
    split: &front_matter::Split,
    numbers: &[u32],
) -> Result<(), Vec<Diagnostic>> {
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = numbers.iter().find(|n| **n == 0 || !seen.insert(**n)) {
        return Err(vec![paragraphs_error(
            file,
            split,
            format!("`paragraphs` uses the anchor number {dup} twice or as zero"),
        )]);
    }
    Ok(())
}

fn paragraphs_error(file: &SourceFile, split: &front_matter::Split, message: String) -> Diagnostic {
    let offset = split
        .yaml
        .find("\nparagraphs:")
        .map(|i| i + 1)
        .or_else(|| split.yaml.starts_with("paragraphs:").then_some(0))
        .unwrap_or(0);
    Diagnostic::error(&file.display, message)
        .at_offset(&file.text, split.yaml_offset + offset, "paragraphs".len())
        .with_help("re-run `scholia import` on the text's source, or delete `paragraphs` to number blocks 1, 2, 3...")
}

/// `a/b/c.md` -> `a/b`; `c.md` -> `""`.
fn folder_of(rel: &std::path::Path) -> String {
    rel.parent().map(path_to_slashes).unwrap_or_default()
}

fn file_stem(rel: &std::path::Path) -> String {
    rel.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn path_to_slashes(path: &std::path::Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
