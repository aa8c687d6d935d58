//! Resolve: parsed files in, one [`Edition`] out.
//!
//! This is where what spans texts is decided and checked: slugs are unique
//! and do not collide with the site's own folders, folders become sections,
//! and sections and texts get their reading order.

pub mod anchor;
pub mod links;

pub use links::CrossReferences;

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::model::{Edition, Section, Text};
use crate::parse::entities::Registry;
use crate::parse::front_matter::is_valid_slug;
use crate::parse::{Parsed, SectionInfo};

/// Top-level folders of the site that texts may not take as slugs.
pub const RESERVED_SLUGS: &[&str] = &["static", "notes", "entities", "search", "compare"];

pub fn resolve(parsed: Vec<Parsed>, registry: Registry) -> (Edition, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut texts = Vec::new();
    let mut infos: HashMap<String, SectionInfo> = HashMap::new();
    for item in parsed {
        match item {
            Parsed::Text(text) => texts.push(*text),
            Parsed::Section(info) => {
                infos.insert(info.path.clone(), info);
            }
        }
    }
    texts.sort_by(|a, b| a.source_path.cmp(&b.source_path));
    check_slugs(&texts, &mut diagnostics);
    check_note_ids(&texts, &mut diagnostics);
    let (cross, link_problems) = links::cross_reference(&texts, &registry);
    diagnostics.extend(link_problems);

    let intro_html = infos.remove("").map(|i| i.intro_html).unwrap_or_default();
    let sections = group_into_sections(&texts, &mut infos);
    (
        Edition {
            texts,
            sections,
            intro_html,
            registry,
            cross,
        },
        diagnostics,
    )
}

fn check_slugs(texts: &[Text], diagnostics: &mut Vec<Diagnostic>) {
    let mut first_use: HashMap<&str, &Text> = HashMap::new();
    for text in texts {
        let slug = text.id.0.as_str();
        if text.meta.slug.is_none() && !is_valid_slug(slug) {
            diagnostics.push(
                Diagnostic::error(&text.source_path, format!("the file name `{slug}` cannot be used as a slug"))
                    .with_help("rename the file with letters, digits and hyphens only, or set `slug:` in its front-matter"),
            );
        }
        if RESERVED_SLUGS.contains(&slug) {
            diagnostics.push(
                Diagnostic::error(
                    &text.source_path,
                    format!("the slug `{slug}` is reserved for the site's own pages"),
                )
                .with_help(format!(
                    "rename the file or set another `slug:`; reserved: {}",
                    RESERVED_SLUGS.join(", ")
                )),
            );
        }
        match first_use.get(slug) {
            Some(first) => diagnostics.push(
                Diagnostic::error(
                    &text.source_path,
                    format!("the slug `{slug}` is already used by {}", first.source_path.display()),
                )
                .with_help("each text needs its own slug: rename one of the files or set `slug:` in its front-matter"),
            ),
            None => {
                first_use.insert(slug, text);
            }
        }
    }
}

/// Note ids are unique in the whole edition, so `#note-ID` and exports never collide.
fn check_note_ids(texts: &[Text], diagnostics: &mut Vec<Diagnostic>) {
    let mut first_use: HashMap<&str, &Text> = HashMap::new();
    for text in texts {
        for note in &text.notes {
            match first_use.get(note.note.id.as_str()) {
                Some(first) if !std::ptr::eq(*first, text) => diagnostics.push(
                    Diagnostic::error(
                        &text.source_path,
                        format!(
                            "the note id `{}` is already used in {}",
                            note.note.id,
                            first.source_path.display()
                        ),
                    )
                    .at_line(note.note.line)
                    .with_help("note ids are unique in the whole edition: rename one of the notes"),
                ),
                _ => {
                    first_use.insert(&note.note.id, text);
                }
            }
        }
    }
}

fn group_into_sections(texts: &[Text], infos: &mut HashMap<String, SectionInfo>) -> Vec<Section> {
    let mut by_folder: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, text) in texts.iter().enumerate() {
        by_folder.entry(text.section.as_str()).or_default().push(i);
    }
    let mut sections: Vec<Section> = by_folder
        .into_iter()
        .map(|(folder, mut members)| {
            members.sort_by(|&a, &b| reading_order(&texts[a], &texts[b]));
            let info = infos.remove(folder);
            let meta = info.as_ref().map(|i| i.meta.clone()).unwrap_or_default();
            Section {
                path: folder.to_string(),
                title: meta.title.unwrap_or_else(|| title_from_folder(folder)),
                summary: meta.summary,
                intro_html: info.map(|i| i.intro_html).unwrap_or_default(),
                // Top-level texts come first unless the edition says otherwise.
                weight: meta
                    .weight
                    .unwrap_or(if folder.is_empty() { i64::MIN } else { 0 }),
                texts: members,
            }
        })
        .collect();
    sections.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.path.cmp(&b.path)));
    sections
}

/// Texts of a section: by `weight`, then date, then title.
fn reading_order(a: &Text, b: &Text) -> std::cmp::Ordering {
    let key = |t: &Text| {
        (
            t.meta.weight.unwrap_or(0),
            t.meta.date.as_ref().map(|d| d.sort_key()),
            t.meta.title.to_lowercase(),
        )
    };
    key(a).cmp(&key(b))
}

/// `02-comintern_era` -> `Comintern era`.
pub fn title_from_folder(folder: &str) -> String {
    let name = folder.rsplit('/').next().unwrap_or(folder);
    let name =
        name.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '_' || c == '.');
    let spaced = name.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => folder.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_become_readable_titles() {
        assert_eq!(title_from_folder("02-comintern_era"), "Comintern era");
        assert_eq!(title_from_folder("a/essays"), "Essays");
        assert_eq!(title_from_folder("2020"), "2020");
    }
}
