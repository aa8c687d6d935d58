//! Incremental build: the last good build ([`Prepared`]) and the paths
//! changed since in, the pages those changes affect out — the same pages a
//! whole build of the files would give, at a fraction of its cost.
//!
//! Only edits of existing texts are taken this way. Anything else — book.toml,
//! the theme, the registry, a section's `_index.md`, an asset, a file created,
//! removed or renamed, a text whose slug changed — gives
//! [`Rebuilt::NeedsFullBuild`]: those changes reach too far to be worth
//! tracking.
//!
//! The changed texts are parsed again and put in place of their old versions
//! (their indices stay: texts are ordered by path, and no path changed);
//! [`resolve::resolve_again`] redoes what spans texts. Which pages to render
//! again is then decided by comparing what each page is made of, before and
//! after, rather than by predicting it:
//!
//! - a text page shows the text, its backlinks, related texts, entities and
//!   its neighbours in reading order, and of the texts it lists only their
//!   summaries (title, authors, date …). It is rendered again if it is a
//!   changed text, if any of those lists differ, or if it lists a changed
//!   text whose summary differs;
//! - an entity page shows the mentions and notes of the texts that name it.
//!   It is rendered again if those lists differ or hold a changed text
//!   (before or after): the mention's context or the text's title may differ;
//! - the pages that span the edition (index, comparison page, the indexes of
//!   notes and entities, sitemap, 404) are few: always rendered again.
//!
//! Nothing else reads the texts (the theme's static files and the assets do
//! not change here). The test `incremental_rebuild_equals_full_build` in
//! `serve` compares every file against a whole build.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::build::{self, BuildReport, Outcome, Prepared};
use crate::config::display_path;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Edition, Text};
use crate::parse::{self, ParseContext, Parsed};
use crate::render::mentions::text_section_html;
use crate::render::views::{NoteView, TextSummaryView};
use crate::render::Renderer;
use crate::resolve::{self, Replaced};
use crate::write::SiteSink;

/// How an incremental rebuild ended.
pub enum Rebuilt {
    /// The pages rendered again are in the sink; `removed` lists the files
    /// of the old site that the new one no longer has.
    Updated {
        report: BuildReport,
        removed: Vec<String>,
    },
    /// The changed files have errors; the prepared edition is as it was.
    Failed(BuildReport),
    /// The changes are not edits of texts: build the whole site.
    NeedsFullBuild,
}

/// Rebuilds what `changed` paths affect into `sink`, updating `prepared` on success.
pub fn rebuild(prepared: &mut Prepared, changed: &[PathBuf], sink: &dyn SiteSink) -> Rebuilt {
    let started = Instant::now();
    let Some(changed) = edited_texts(prepared, changed) else {
        return Rebuilt::NeedsFullBuild;
    };
    let mut problems = Diagnostics::new();
    let Some(new_texts) = parse_again(prepared, &changed, &mut problems) else {
        return Rebuilt::NeedsFullBuild;
    };
    let parsed_at = Instant::now();
    if problems.has_errors() {
        return Rebuilt::Failed(report(problems, prepared, 0, started));
    }
    let indices: Vec<usize> = new_texts.iter().map(|(t, _)| *t).collect();
    let before = Before::of(prepared, &indices);
    let edition = &mut prepared.edition;
    let old_texts: Vec<(usize, Text)> = new_texts
        .into_iter()
        .map(|(t, text)| (t, std::mem::replace(&mut edition.texts[t], text)))
        .collect();
    let (replaced, resolve_problems) = resolve::resolve_again(edition, &indices);
    problems.extend(resolve_problems);
    let resolved_at = Instant::now();
    if problems.has_errors() {
        put_back(edition, old_texts, replaced);
        return Rebuilt::Failed(report(problems, prepared, 0, started));
    }
    let renderer = Renderer::new(&prepared.theme, &prepared.config, &prepared.edition);
    let affected = Affected::find(&renderer, &replaced, &before, &old_texts);
    let pages = render_affected(&renderer, &affected, sink, &mut problems);
    if problems.has_errors() {
        put_back(&mut prepared.edition, old_texts, replaced);
        return Rebuilt::Failed(report(problems, prepared, 0, started));
    }
    let now: HashSet<String> = indices
        .iter()
        .flat_map(|&t| build::text_outputs(&prepared.edition.texts[t], &prepared.config))
        .collect();
    let removed = before
        .outputs
        .into_iter()
        .filter(|f| !now.contains(f))
        .collect();
    if std::env::var_os("SCHOLIA_TIMINGS").is_some() {
        let ms = |from: Instant, to: Instant| (to - from).as_millis();
        eprintln!(
            "timings: parse {} ms, resolve {} ms, render {} ms ({} texts, {} entities, {pages} pages)",
            ms(started, parsed_at),
            ms(parsed_at, resolved_at),
            ms(resolved_at, Instant::now()),
            affected.texts.len(),
            affected.entities.len(),
        );
    }
    let report = report(problems, prepared, pages, started);
    Rebuilt::Updated { report, removed }
}

/// The text files among `changed` paths, as (path, text index); `None` if
/// any path is something else. A path the edition was not read from that is
/// gone again (an editor's temporary file) changes nothing.
fn edited_texts(prepared: &Prepared, changed: &[PathBuf]) -> Option<Vec<(PathBuf, usize)>> {
    let mut texts = Vec::new();
    for path in changed {
        match known_text(prepared, path) {
            Some(path) if path.is_file() => {
                let index = text_index(&prepared.edition, &path)?;
                texts.push((path, index));
            }
            Some(_) => return None,
            None if is_passing_file(prepared, path) => {}
            None => return None,
        }
    }
    texts.sort();
    texts.dedup();
    Some(texts)
}

/// The text file `path` names, as the edition was read from it: the same
/// path, or the same file reached another way (the note form sends it with
/// symbolic links resolved).
fn known_text(prepared: &Prepared, path: &Path) -> Option<PathBuf> {
    let texts = &prepared.sources.texts;
    if texts.contains_key(path) {
        return Some(path.to_path_buf());
    }
    let content = &prepared.config.content_dir;
    let rel = path
        .canonicalize()
        .ok()?
        .strip_prefix(content.canonicalize().ok()?)
        .ok()?
        .to_path_buf();
    let same = content.join(rel);
    texts.contains_key(&same).then_some(same)
}

/// A file of the content folder that came and went, and holds none the edition was read from.
fn is_passing_file(prepared: &Prepared, path: &Path) -> bool {
    path.starts_with(&prepared.config.content_dir)
        && !path.exists()
        && !prepared.sources.others.contains(path)
        && !prepared.sources.reads_from(path)
}

/// Texts are sorted by the path they are shown by.
fn text_index(edition: &Edition, path: &Path) -> Option<usize> {
    let shown = display_path(path);
    edition
        .texts
        .binary_search_by(|t| t.source_path.cmp(&shown))
        .ok()
}

/// The new versions of the changed texts, or `None` if one is no longer a
/// text or changed its slug; parse errors go to `problems`.
fn parse_again(
    prepared: &Prepared,
    changed: &[(PathBuf, usize)],
    problems: &mut Diagnostics,
) -> Option<Vec<(usize, Text)>> {
    let context = ParseContext {
        registry: Some(&prepared.edition.registry),
        entity_options: prepared.config.entities,
    };
    let mut texts = Vec::new();
    for (path, index) in changed {
        let entry = &prepared.sources.texts[path];
        match entry
            .read()
            .map_err(|d| vec![d])
            .and_then(|file| parse::parse_file(&file, &context))
        {
            Ok(Parsed::Text(text)) if text.id == prepared.edition.texts[*index].id => {
                texts.push((*index, *text));
            }
            Ok(_) => return None,
            Err(errors) => problems.extend(errors),
        }
    }
    Some(texts)
}

/// Puts the old texts and what was resolved from them back.
fn put_back(edition: &mut Edition, old_texts: Vec<(usize, Text)>, replaced: Replaced) {
    for (t, text) in old_texts {
        edition.texts[t] = text;
    }
    edition.cross = replaced.cross;
    edition.sections = replaced.sections;
}

fn report(
    problems: Diagnostics,
    prepared: &Prepared,
    pages: usize,
    started: Instant,
) -> BuildReport {
    let outcome = match problems.has_errors() {
        true => Outcome::EditionErrors,
        false => Outcome::Built,
    };
    build::finish(problems, outcome, &prepared.edition, pages, None, started)
}

/// What the pages showed before the change, as far as the changed texts go.
struct Before {
    order: Vec<usize>,
    /// Each changed text's summary and notes as templates see them.
    summaries: Vec<(usize, String)>,
    notes: Vec<(usize, String)>,
    /// The files of the changed texts.
    outputs: Vec<String>,
}

impl Before {
    fn of(prepared: &Prepared, changed: &[usize]) -> Self {
        let edition = &prepared.edition;
        let texts = &edition.texts;
        Before {
            order: reading_order(edition),
            summaries: changed.iter().map(|&t| (t, summary(&texts[t]))).collect(),
            notes: changed.iter().map(|&t| (t, notes(&texts[t]))).collect(),
            outputs: changed
                .iter()
                .flat_map(|&t| build::text_outputs(&texts[t], &prepared.config))
                .collect(),
        }
    }
}

fn reading_order(edition: &Edition) -> Vec<usize> {
    edition
        .sections
        .iter()
        .flat_map(|s| s.texts.iter().copied())
        .collect()
}

fn summary(text: &Text) -> String {
    serde_json::to_string(&TextSummaryView::new(text)).unwrap_or_default()
}

fn notes(text: &Text) -> String {
    let views: Vec<NoteView> = text.notes.iter().map(|n| NoteView::new(text, n)).collect();
    serde_json::to_string(&views).unwrap_or_default()
}

/// For each text, the texts before and after it in reading `order`.
fn neighbours(order: &[usize]) -> Vec<(Option<usize>, Option<usize>)> {
    let mut around = vec![(None, None); order.len()];
    for (place, &t) in order.iter().enumerate() {
        let previous = place.checked_sub(1).map(|p| order[p]);
        around[t] = (previous, order.get(place + 1).copied());
    }
    around
}

/// The pages rendered again: of texts, of entities, and those that span the edition.
struct Affected {
    texts: Vec<usize>,
    entities: Vec<usize>,
    spanning: Vec<&'static str>,
}

/// What changed in the changed texts, as the pages that list them see it.
struct Differences<'a> {
    changed: &'a [usize],
    old_texts: &'a [(usize, Text)],
    /// Texts whose summary (title, authors, date …) differs.
    retitled: HashSet<usize>,
    /// Texts whose notes differ.
    renoted: HashSet<usize>,
    reordered: bool,
}

impl Affected {
    fn find(
        renderer: &Renderer,
        replaced: &Replaced,
        before: &Before,
        old_texts: &[(usize, Text)],
    ) -> Self {
        let edition = renderer.edition;
        let differs = |list: &[(usize, String)], now: fn(&Text) -> String| -> HashSet<usize> {
            (list.iter())
                .filter(|(t, old)| *old != now(&edition.texts[*t]))
                .map(|(t, _)| *t)
                .collect()
        };
        let changed: Vec<usize> = old_texts.iter().map(|(t, _)| *t).collect();
        let order = reading_order(edition);
        let differences = Differences {
            changed: &changed,
            old_texts,
            retitled: differs(&before.summaries, summary),
            renoted: differs(&before.notes, notes),
            reordered: before.order != order,
        };
        let (old, new) = (&replaced.cross, &edition.cross);
        let mentions_counted =
            (old.mentions_of.iter().zip(&new.mentions_of)).any(|(a, b)| a.len() != b.len());
        let spanning = build::SPANNING_PAGES
            .into_iter()
            .filter(|rel| match *rel {
                "index.html" | "compare/index.html" | "sitemap.xml" => {
                    differences.reordered || !differences.retitled.is_empty()
                }
                "notes/index.html" => {
                    differences.reordered
                        || !differences.retitled.is_empty()
                        || !differences.renoted.is_empty()
                }
                "entities/index.html" => mentions_counted,
                // The 404 page shows nothing of the texts.
                _ => false,
            })
            .collect();
        Affected {
            texts: texts_affected(edition, replaced, &before.order, &order, &differences),
            entities: entities_affected(edition, replaced, &differences),
            spanning,
        }
    }
}

/// A text page shows the text, its backlinks, related texts, entities and
/// neighbours, and the summaries of the texts it lists.
fn texts_affected(
    edition: &Edition,
    replaced: &Replaced,
    old_order: &[usize],
    order: &[usize],
    differences: &Differences,
) -> Vec<usize> {
    let (was_around, is_around) = (neighbours(old_order), neighbours(order));
    let (old, new) = (&replaced.cross, &edition.cross);
    (0..edition.texts.len())
        .filter(|&t| {
            let (previous, next) = is_around[t];
            differences.changed.contains(&t)
                || was_around[t] != is_around[t]
                || old.backlinks[t] != new.backlinks[t]
                || old.related[t] != new.related[t]
                || old.entities_in[t] != new.entities_in[t]
                || previous
                    .into_iter()
                    .chain(next)
                    .chain(new.related[t].iter().map(|r| r.text))
                    .chain(new.backlinks[t].iter().map(|b| b.from))
                    .any(|u| differences.retitled.contains(&u))
        })
        .collect()
}

/// An entity page shows the mentions and the notes of the texts that name
/// it, with their titles, in reading order. Where its lists are as they were,
/// it differs only through a changed text on them: one now read elsewhere,
/// retitled, with other notes, or whose mentions of it read differently.
fn entities_affected(
    edition: &Edition,
    replaced: &Replaced,
    differences: &Differences,
) -> Vec<usize> {
    let (old, new) = (&replaced.cross, &edition.cross);
    let on_list = |list: &[(usize, usize)], t: usize| list.iter().any(|&(u, _)| u == t);
    (0..edition.registry.entities.len())
        .filter(|&e| {
            let (mentions, notes) = (&new.mentions_of[e], &new.notes_on[e]);
            if old.mentions_of[e] != *mentions || old.notes_on[e] != *notes {
                return true;
            }
            differences.old_texts.iter().any(|(t, was)| {
                let (named, noted) = (on_list(mentions, *t), on_list(notes, *t));
                let shown_again =
                    (named || noted) && (differences.reordered || differences.retitled.contains(t));
                let reads_differently = named
                    && text_section_html(was, e, Renderer::ENTITY_ROOT)
                        != text_section_html(&edition.texts[*t], e, Renderer::ENTITY_ROOT);
                shown_again || reads_differently || (noted && differences.renoted.contains(t))
            })
        })
        .collect()
}

/// Renders the affected pages and those that span the edition into `sink`; gives how many.
fn render_affected(
    renderer: &Renderer,
    affected: &Affected,
    sink: &dyn SiteSink,
    problems: &mut Diagnostics,
) -> usize {
    let order = renderer.reading_order();
    let mut place = vec![0; order.len()];
    for (p, &t) in order.iter().enumerate() {
        place[t] = p;
    }
    let write = |rel: &str, page| build::write_page(Some(sink), rel, page);
    let mut results: Vec<Result<(), Diagnostic>> = affected
        .texts
        .par_iter()
        .map(|&t| build::write_text(renderer, Some(sink), &order, place[t]))
        .collect();
    results.par_extend(affected.entities.par_iter().filter_map(|&e| {
        let id = &renderer.edition.registry.entities[e].id;
        renderer
            .entity(e)
            .map(|page| write(&format!("entities/{id}/index.html"), page))
    }));
    let mut spanning = build::spanning_pages(renderer, |rel| affected.spanning.contains(&rel));
    results.extend(spanning.drain(..).map(|(rel, page)| write(&rel, page)));
    let pages = results.len();
    for result in results {
        if let Err(d) = result {
            problems.push(d);
        }
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{build_into, BuildOptions};
    use crate::serve::site::{MemorySink, Site};
    use std::fs;

    const PEOPLE: &str = "\
- { id: bukharin, type: person, name: Nikolai Bukharin, aliases: [Bukharin], description: D. }
- { id: yezhov, type: person, name: Nikolai Yezhov, aliases: [Yezhov], description: D. }
- { id: rykov, type: person, name: Alexei Rykov, aliases: [Rykov], description: D. }
- { id: radek, type: person, name: Karl Radek, aliases: [Radek], description: D. }
";
    const A: &str = "---\ntitle: Alpha\ndate: \"1936\"\nnotes:\n  - id: on-yezhov\n    anchor: { exact: \"Yezhov\" }\n    type: context\n    body: \"Head of the NKVD; see [Beta](@/b).\"\n---\n\nBukharin wrote to Yezhov in the spring.\n\nA second paragraph about [the trial](@/b).\n";
    const B: &str =
        "---\ntitle: Beta\n---\n\nBukharin and Radek were tried together.\n\nRadek spoke first.\n";
    const C: &str = "---\ntitle: Gamma\nrelated:\n  - text: d\n    reason: the same year\n---\n\nYezhov and Radek, in a letter.\n";
    const D: &str = "---\ntitle: Delta\n---\n\nRykov alone, in a letter.\n";
    const E: &str = "---\ntitle: Epsilon\n---\n\nBukharin, Rykov, Radek and Yezhov.\n\nBukharin again, and Radek.\n";

    fn edition() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let book = "[edition]\ntitle = \"Incremental\"\nbase_url = \"https://example.org/ed/\"\n";
        fs::write(dir.path().join("book.toml"), book).unwrap();
        let content = dir.path().join("content");
        fs::create_dir_all(content.join("entities")).unwrap();
        fs::create_dir_all(content.join("letters")).unwrap();
        let files = [
            ("entities/people.yaml", PEOPLE),
            ("a.md", A),
            ("b.md", B),
            ("letters/_index.md", "---\ntitle: Letters\n---\n"),
            ("letters/c.md", C),
            ("letters/d.md", D),
            ("e.md", E),
        ];
        for (rel, body) in files {
            fs::write(content.join(rel), body).unwrap();
        }
        dir
    }

    fn options(root: &Path) -> BuildOptions {
        BuildOptions {
            root: root.to_path_buf(),
            ..BuildOptions::default()
        }
    }

    fn full_build(root: &Path) -> (Site, Prepared) {
        let sink = MemorySink::default();
        let (report, prepared) = build_into(&options(root), &sink);
        let errors: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(
            !report.diagnostics.iter().any(|d| d.is_error()),
            "{errors:?}"
        );
        (sink.into_site(), prepared.unwrap())
    }

    type Edit = dyn Fn(&str) -> String;

    /// Edits `rel` with `edit`, rebuilds incrementally, and checks every file
    /// of the site against a whole build of the same files.
    fn edit_and_compare(
        root: &Path,
        site: Site,
        prepared: &mut Prepared,
        rel: &str,
        edit: &dyn Fn(&str) -> String,
    ) -> Site {
        let path = prepared.config.content_dir.join(rel);
        let before = fs::read_to_string(&path).unwrap();
        fs::write(&path, edit(&before)).unwrap();
        let sink = MemorySink::default();
        let (report, removed) = match rebuild(prepared, &[path], &sink) {
            Rebuilt::Updated { report, removed } => (report, removed),
            Rebuilt::Failed(report) => panic!("{rel}: {:?}", report.diagnostics),
            Rebuilt::NeedsFullBuild => panic!("{rel}: an edit of a text needs no full build"),
        };
        assert!(
            report.pages < site.len(),
            "{rel}: not every page is rendered again"
        );
        let updated = site
            .updated(sink, &removed)
            .unwrap_or_else(|| panic!("{rel}: the edit changes the site"));
        let (full, _) = full_build(root);
        let names = |s: &Site| {
            let mut names: Vec<String> = s.files().map(|(rel, _)| rel.to_string()).collect();
            names.sort();
            names
        };
        assert_eq!(names(&updated), names(&full), "{rel}: the same files");
        for (file, body) in full.files() {
            assert!(
                updated.get(file) == Some(body),
                "{rel}: {file} differs from a whole build"
            );
        }
        updated
    }

    #[test]
    fn incremental_rebuild_equals_full_build() {
        let dir = edition();
        let root = dir.path();
        let (mut site, mut prepared) = full_build(root);
        let edits: [(&str, &Edit); 7] = [
            ("a.md", &|s| s.replace("spring", "autumn")),
            // Moves Beta first in reading order: its neighbours, backlinks and entities see the title.
            ("b.md", &|s| s.replace("title: Beta", "title: Aardvark")),
            // A new mention: Rykov's page, and the related texts of texts naming Rykov.
            ("letters/c.md", &|s| {
                s.replace("in a letter", "in a letter to Rykov")
            }),
            // A new link: Epsilon's backlinks and related texts.
            ("letters/d.md", &|s| {
                s.replace("alone", "alone, see [Epsilon](@/e)")
            }),
            // No notes left: the annotations file goes.
            ("a.md", &|_| {
                "---\ntitle: Alpha\ndate: \"1936\"\n---\n\nBukharin wrote in the spring.\n".into()
            }),
            // A note again, on an entity.
            ("e.md", &|s| {
                s.replace("title: Epsilon\n", "title: Epsilon\nnotes:\n  - id: on-radek\n    anchor: { exact: \"Radek and\" }\n    type: dispute\n    body: \"Which Radek?\"\n")
            }),
            ("letters/c.md", &|s| {
                s.replace("related:\n  - text: d\n    reason: the same year\n", "")
            }),
        ];
        for (rel, edit) in edits {
            site = edit_and_compare(root, site, &mut prepared, rel, edit);
        }
    }

    #[test]
    fn an_edit_with_errors_leaves_the_edition_as_it_was() {
        let dir = edition();
        let root = dir.path();
        let (site, mut prepared) = full_build(root);
        let path = prepared.config.content_dir.join("b.md");
        fs::write(
            &path,
            B.replace("Radek spoke first.", "See [x](@/nowhere)."),
        )
        .unwrap();
        let sink = MemorySink::default();
        assert!(matches!(
            rebuild(&mut prepared, std::slice::from_ref(&path), &sink),
            Rebuilt::Failed(_)
        ));
        fs::write(&path, B.replace("---\ntitle", "---\ntitle: [")).unwrap();
        assert!(matches!(
            rebuild(&mut prepared, std::slice::from_ref(&path), &sink),
            Rebuilt::Failed(_)
        ));
        // Fixed: compared with a whole build, as if the errors had never been.
        edit_and_compare(root, site, &mut prepared, "b.md", &|_| {
            B.replace("first", "last")
        });
    }

    #[test]
    fn other_changes_need_a_full_build() {
        let dir = edition();
        let root = dir.path();
        let (_, mut prepared) = full_build(root);
        let content = prepared.config.content_dir.clone();
        fs::write(content.join("new.md"), "---\ntitle: New\n---\n\nNew.\n").unwrap();
        let sink = MemorySink::default();
        for changed in [
            content.join("new.md"),
            content.join("letters/_index.md"),
            content.join("entities/people.yaml"),
            root.join("book.toml"),
        ] {
            assert!(
                matches!(
                    rebuild(&mut prepared, std::slice::from_ref(&changed), &sink),
                    Rebuilt::NeedsFullBuild
                ),
                "{}",
                changed.display()
            );
        }
        // A temporary file that came and went changes nothing.
        let gone = content.join("a.md.tmp1234");
        assert!(matches!(
            rebuild(&mut prepared, &[gone], &sink),
            Rebuilt::Updated { .. }
        ));
    }
}
