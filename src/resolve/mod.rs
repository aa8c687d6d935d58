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
pub const RESERVED_SLUGS: &[&str] = &[
    "static",
    "notes",
    "entities",
    "search",
    "compare",
    crate::render::search::DIR,
];

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

/// What [`resolve_again`] replaced, to put back if the new edition has errors.
pub struct Replaced {
    pub cross: CrossReferences,
    pub sections: Vec<Section>,
}

/// Resolves `edition` again after the texts at `changed` were replaced by new
/// versions of the same files, with the same slugs (their folders, the
/// section files and the registry are as they were): it then holds what
/// [`resolve`] of all its files would give. Gives what it replaced and the
/// problems found.
pub fn resolve_again(edition: &mut Edition, changed: &[usize]) -> (Replaced, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    // No slug is checked again: they are the same (a changed slug builds it all).
    check_note_ids(&edition.texts, &mut diagnostics);
    let (cross, problems) =
        links::cross_reference_again(&edition.texts, &edition.registry, &edition.cross, changed);
    diagnostics.extend(problems);
    let mut sections = edition.sections.clone();
    for section in &mut sections {
        if !still_in_order(&section.texts, &edition.texts, changed) {
            // From text order, as `group_into_sections` starts, so ties fall the same way.
            section.texts.sort_unstable();
            sort_in_reading_order(&mut section.texts, &edition.texts);
        }
    }
    let replaced = Replaced {
        cross: std::mem::replace(&mut edition.cross, cross),
        sections: std::mem::replace(&mut edition.sections, sections),
    };
    (replaced, diagnostics)
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
            Some(first) => {
                let d = Diagnostic::error(
                    &text.source_path,
                    format!("the slug `{slug}` is already used by {}", first.source_path.display()),
                )
                .with_help("each text needs its own slug: rename one of the files or set `slug:` in its front-matter");
                // A slug written in the front-matter has a line to point at; one from the file name has none.
                diagnostics.push(match text.meta.slug_line {
                    Some(line) => d.at_line(line),
                    None => d,
                })
            }
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
                    .at_line(note.note.id_line)
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
            sort_in_reading_order(&mut members, texts);
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

/// Texts of a section: by `weight`, then date, then title; a stable sort,
/// so texts alike in all three keep their order.
fn sort_in_reading_order(members: &mut [usize], texts: &[Text]) {
    members.sort_by_cached_key(|&i| reading_key(&texts[i]));
}

type ReadingKey = (i64, Option<(i32, u8, u8)>, String);

fn reading_key(t: &Text) -> ReadingKey {
    (
        t.meta.weight.unwrap_or(0),
        t.meta.date.as_ref().map(|d| d.sort_key()),
        t.meta.title.to_lowercase(),
    )
}

/// Whether `members`, sorted in reading order before the texts at `changed`
/// changed, still are: as a sort from text order would give them, ties in
/// text order. Only pairs of neighbours with a changed text can be out of order.
fn still_in_order(members: &[usize], texts: &[Text], changed: &[usize]) -> bool {
    let in_order = |a: usize, b: usize| (reading_key(&texts[a]), a) < (reading_key(&texts[b]), b);
    members.windows(2).all(|pair| {
        let (a, b) = (pair[0], pair[1]);
        !(changed.contains(&a) || changed.contains(&b)) || in_order(a, b)
    })
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
