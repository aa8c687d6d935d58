//! Import: plain-text sources in, Markdown texts with YAML front-matter out.
//!
//! The side door of the pipeline. For each source file:
//! [`decode`] reads its bytes into lines; [`split`] finds the texts it holds;
//! [`structure`] turns each text's lines into a title, metadata, residue and
//! typed blocks by the rules in [`classify`]; [`markdown`] writes the body,
//! escaped so it renders to the source's words exactly; [`provenance`] and
//! [`front_matter`] write the front-matter. When the edition already holds
//! texts imported from the same source (found by their `provenance.file`,
//! wherever an editor moved them), the importer replaces only their body
//! and its own front-matter keys, keeping paragraph anchors ([`anchors`]).
//! All files of a source are computed first and written only if the whole
//! source converted; each write is atomic ([`write_atomic`]).

pub mod anchors;
pub mod classify;
pub mod decode;
pub mod front_matter;
pub mod markdown;
pub mod provenance;
pub mod split;
pub mod structure;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub use decode::DecodeError;
use structure::{Block, Text};

/// What to import, and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub files: Vec<PathBuf>,
    /// The content folder of the edition.
    pub into: PathBuf,
    /// Report what would change, write nothing.
    pub dry_run: bool,
}

/// One converted text, before it is placed in the edition.
#[derive(Debug, Clone)]
pub struct Converted {
    pub text: Text,
    pub rule: split::Rule,
    pub body: String,
    pub provenance: provenance::Provenance,
}

/// A converted source file.
#[derive(Debug, Clone)]
pub struct ConvertedSource {
    pub source: decode::Source,
    pub texts: Vec<Converted>,
}

/// Converts the bytes of the source file `name` (no file system involved).
pub fn convert(name: &str, bytes: Vec<u8>) -> Result<ConvertedSource, DecodeError> {
    let source = decode::decode(name, bytes)?;
    let lines: Vec<&str> = source.lines.iter().map(|l| l.text.as_str()).collect();
    let mut texts = Vec::new();
    for (span, rule) in split::split(&lines) {
        let text = structure::build(&lines, span);
        if text.blocks.is_empty() && text.title_line.is_none() && text.residue.is_empty() {
            continue; // only blank lines
        }
        let body = markdown::body(&text);
        let provenance = provenance::of(&source, text.first, text.last);
        texts.push(Converted {
            text,
            rule,
            body,
            provenance,
        });
    }
    Ok(ConvertedSource { source, texts })
}

/// The plain text of each numbered block, as the build numbers them.
fn block_texts(markdown: &str) -> Vec<String> {
    crate::parse::markdown::block_texts(markdown)
}

/// The outcome of an import: what to print, and whether anything failed.
#[derive(Debug, Default)]
pub struct Report {
    pub out: String,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

/// A text already in the edition.
struct Existing {
    path: PathBuf,
    content: String,
    range: (usize, usize),
}

/// Runs `scholia import`.
pub fn run(options: &Options) -> Report {
    let mut report = Report::default();
    let Scanned {
        by_source: existing,
        stems,
        broken,
    } = match scan(&options.into) {
        Ok(found) => found,
        Err(e) => {
            report.errors.push(e);
            return report;
        }
    };
    let mut taken: HashSet<String> = stems;
    let mut names_seen = HashSet::new();
    for path in &options.files {
        let shown = path.display().to_string();
        let name = match path.file_name().and_then(|n| n.to_str()) {
            Some(n) => n.to_string(),
            None => {
                report.errors.push(format!(
                    "{shown}: not a file name scholia can use (it must be valid UTF-8)"
                ));
                continue;
            }
        };
        if !names_seen.insert(name.clone()) {
            report.errors.push(format!(
                "{shown}: another source given is also called {name}; source names must be unique"
            ));
            continue;
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                report
                    .errors
                    .push(format!("{shown}: cannot read the file: {e}"));
                continue;
            }
        };
        let converted = match convert(&name, bytes) {
            Ok(c) => c,
            Err(e) => {
                report.errors.push(e.message(&shown));
                continue;
            }
        };
        for (line, w) in &converted.source.warnings {
            report.warnings.push(format!("{shown}:{line}: {w}"));
        }
        let provenance_file = format!("sources/{name}");
        let damaged: Vec<&String> = broken
            .iter()
            .filter(|(content, _)| content.contains(&provenance_file))
            .map(|(_, m)| m)
            .collect();
        if !damaged.is_empty() {
            report.errors.extend(damaged.into_iter().cloned());
            continue;
        }
        let olds = existing
            .get(&provenance_file)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        // The copy of the source is ours only if texts were imported from it.
        let source_copy = options.into.join("sources").join(&name);
        if olds.is_empty() && std::fs::read(&source_copy).is_ok_and(|b| b != converted.source.bytes)
        {
            report.errors.push(format!(
                "{}: a different file of this name is already in the edition, and no text was imported from it; \
                 rename {shown} or move that file away, then import again",
                source_copy.display()
            ));
            continue;
        }
        match plan(&converted, olds, &options.into, &mut taken) {
            Ok((writes, lines)) => {
                let _ = writeln!(
                    report.out,
                    "{shown}: {} text{}",
                    converted.texts.len(),
                    plural(converted.texts.len())
                );
                for (t, l) in converted.texts.iter().zip(&lines) {
                    report.out.push_str(&describe(&shown, t, l));
                }
                if !options.dry_run {
                    let mut all = vec![(source_copy, converted.source.bytes.clone())];
                    all.extend(writes.into_iter().map(|(p, s)| (p, s.into_bytes())));
                    for (p, bytes) in all {
                        if std::fs::read(&p).is_ok_and(|old| old == bytes) {
                            continue; // unchanged: leave the file (and its time) alone
                        }
                        if let Err(e) = write_atomic(&p, &bytes) {
                            report
                                .errors
                                .push(format!("{}: cannot write: {e}", p.display()));
                        }
                    }
                }
            }
            Err(e) => report.errors.push(e),
        }
    }
    if options.dry_run {
        report.out.push_str("dry run: nothing was written\n");
    }
    report
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The files to write (path, content) and one report line per text.
type Plan = (Vec<(PathBuf, String)>, Vec<String>);

/// Decides the file of each text and its content. Gives the writes and, per
/// text, a line for the report (`new`, `updated`, `unchanged`, anchors).
fn plan(
    converted: &ConvertedSource,
    olds: &[Existing],
    into: &Path,
    taken: &mut HashSet<String>,
) -> Result<Plan, String> {
    // Match each new text to the earlier import whose line range overlaps it most.
    let mut used = vec![false; olds.len()];
    let mut matches = Vec::new();
    for t in &converted.texts {
        let (a, b) = (t.text.first + 1, t.text.last + 1);
        let best = olds
            .iter()
            .enumerate()
            .filter(|(k, _)| !used[*k])
            .map(|(k, o)| (k, (b.min(o.range.1) + 1).saturating_sub(a.max(o.range.0))))
            .filter(|&(_, overlap)| overlap > 0)
            .max_by_key(|&(k, overlap)| (overlap, std::cmp::Reverse(k)));
        if let Some((k, _)) = best {
            used[k] = true;
        }
        matches.push(best.map(|(k, _)| k));
    }
    // Texts that overlap nothing take the unused earlier imports in order.
    let mut spare = (0..olds.len()).filter(|k| !used[*k]);
    for m in matches.iter_mut().filter(|m| m.is_none()) {
        *m = spare.next();
    }

    let mut writes = Vec::new();
    let mut lines = Vec::new();
    for (t, m) in converted.texts.iter().zip(matches) {
        let residue: Vec<String> = t.text.residue.iter().map(|(_, l)| l.clone()).collect();
        let new_blocks = block_texts(&t.body);
        match m {
            None => {
                let owned = front_matter::Owned {
                    provenance: t.provenance.yaml(),
                    residue: (!residue.is_empty())
                        .then(|| format!("residue: {}\n", front_matter::quote_list(&residue))),
                    paragraphs: None,
                };
                let (title, author) = match classify::byline_title(&t.text.title) {
                    Some((title, author, _)) => (title, Some(author)),
                    None => (t.text.title.clone(), t.text.author.clone()),
                };
                let editorial = front_matter::editorial(
                    &t.text.title,
                    t.text.subtitle.as_ref().map(|s| s.1.as_str()),
                    author.as_deref(),
                    t.text.date.as_deref(),
                );
                let slug = unique_slug(&slugify(&title), taken);
                let path = into.join(format!("{slug}.md"));
                let yaml = front_matter::new_front_matter(&editorial, &owned);
                writes.push((path.clone(), front_matter::assemble(&yaml, &t.body)));
                lines.push(format!(
                    "{} (new, {} paragraphs)",
                    path.display(),
                    new_blocks.len()
                ));
            }
            Some(k) => {
                let old = &olds[k];
                let parts = front_matter::split_file(&old.content).ok_or_else(|| {
                    format!("{}:1: the front-matter of this earlier import has no closing `---`; fix it, then import again", old.path.display())
                })?;
                let value: serde_yaml::Value = serde_yaml::from_str(parts.yaml).map_err(|e| {
                    let line = e.location().map_or(1, |l| l.line() + 1);
                    format!("{}:{line}: cannot read the front-matter of this earlier import ({e}); fix it, then import again", old.path.display())
                })?;
                let old_numbers: Option<Vec<u32>> = value
                    .get("paragraphs")
                    .and_then(|p| serde_yaml::from_value(p.clone()).ok());
                let numbering = anchors::renumber(
                    &block_texts(parts.body),
                    old_numbers.as_deref(),
                    &new_blocks,
                );
                let owned = front_matter::Owned {
                    provenance: t.provenance.yaml(),
                    residue: (!residue.is_empty())
                        .then(|| format!("residue: {}\n", front_matter::quote_list(&residue))),
                    paragraphs: (!numbering.is_plain()).then(|| {
                        let n: Vec<String> = numbering.numbers.iter().map(u32::to_string).collect();
                        format!("paragraphs: [{}]\n", n.join(", "))
                    }),
                };
                let yaml = front_matter::replace_owned(parts.yaml, &owned);
                let content = front_matter::assemble(&yaml, &t.body);
                let state = if content == old.content {
                    "unchanged".to_string()
                } else if numbering.added.is_empty() && numbering.removed.is_empty() {
                    "updated, paragraphs unchanged".to_string()
                } else {
                    format!(
                        "updated; paragraphs new or changed: {}; gone or changed: {}",
                        anchor_list(&numbering.added),
                        anchor_list(&numbering.removed)
                    )
                };
                lines.push(format!("{} ({state})", old.path.display()));
                writes.push((old.path.clone(), content));
            }
        }
    }
    Ok((writes, lines))
}

fn anchor_list(n: &[u32]) -> String {
    if n.is_empty() {
        return "none".into();
    }
    let shown: Vec<String> = n.iter().take(12).map(|n| format!("p-{n}")).collect();
    let more = if n.len() > 12 {
        format!(" and {} more", n.len() - 12)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

/// The report lines for one text.
fn describe(shown: &str, t: &Converted, placed: &str) -> String {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut count = |b: &Block| {
        let kind = match b {
            Block::Heading { .. } => "headings",
            Block::Para(_) => "paragraphs",
            Block::Speaker { .. } => "speaker turns",
            Block::Caption(_) => "image captions",
            Block::Quote { .. } => "quotes",
            Block::Bullets(_) | Block::Ordered { .. } => "lists",
            Block::Table { .. } => "tables",
            Block::Sources(_) => "source lists",
            Block::Footnote { .. } => "footnotes",
        };
        *counts.entry(kind).or_default() += 1;
    };
    for b in &t.text.blocks {
        count(&b.block);
        if let Block::Quote { body, .. } = &b.block {
            for inner in body {
                if matches!(inner.block, Block::Speaker { .. } | Block::Footnote { .. }) {
                    count(&inner.block);
                }
            }
        }
    }
    let order = [
        "headings",
        "paragraphs",
        "footnotes",
        "lists",
        "quotes",
        "speaker turns",
        "tables",
        "image captions",
        "source lists",
    ];
    let found: Vec<String> = order
        .iter()
        .filter_map(|k| counts.get(k).map(|n| format!("{n} {k}")))
        .collect();
    let mut out = format!(
        "  lines {} ({}): “{}”\n    -> {placed}\n    found: {}\n",
        t.provenance.lines,
        t.rule.describe(),
        t.text.title,
        found.join(", ")
    );
    for (line, r) in &t.text.residue {
        let _ = writeln!(out, "    residue {shown}:{}: {r}", line + 1);
    }
    for (line, note) in &t.text.notes {
        let _ = writeln!(out, "    unclassified {shown}:{}: {note}", line + 1);
    }
    out
}

/// Every earlier import in `into` by source, and every slug in use.
fn scan(into: &Path) -> Result<Scanned, String> {
    let mut by_source: HashMap<String, Vec<Existing>> = HashMap::new();
    let mut stems = HashSet::new();
    let mut broken = Vec::new();
    if !into.exists() {
        return Ok(Scanned {
            by_source,
            stems,
            broken,
        });
    }
    for entry in walkdir::WalkDir::new(into).sort_by_file_name() {
        let entry =
            entry.map_err(|e| format!("{}: cannot read the folder: {e}", into.display()))?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
            stems.insert(stem.to_string());
        }
        let Ok(content) = std::fs::read_to_string(path) else {
            continue;
        };
        let Some(parts) = front_matter::split_file(&content) else {
            continue;
        };
        let value = match serde_yaml::from_str::<serde_yaml::Value>(parts.yaml) {
            Ok(v) => v,
            Err(e) => {
                // Perhaps an earlier import an editor broke: keep it, so that
                // importing its source stops instead of making a duplicate.
                let line = e.location().map_or(1, |l| l.line() + 1);
                let message = format!(
                    "{}:{line}: cannot read the front-matter of this earlier import ({e}); fix it, then import again",
                    path.display()
                );
                broken.push((content.clone(), message));
                continue;
            }
        };
        let Some(p) = value.get("provenance") else {
            continue;
        };
        let (Some(file), Some(range)) = (
            p.get("file").and_then(|f| f.as_str()),
            p.get("lines")
                .and_then(|l| l.as_str())
                .and_then(provenance::parse_range),
        ) else {
            continue;
        };
        by_source
            .entry(file.to_string())
            .or_default()
            .push(Existing {
                path: path.to_path_buf(),
                content: content.clone(),
                range,
            });
    }
    Ok(Scanned {
        by_source,
        stems,
        broken,
    })
}

/// What [`scan`] found in the content folder.
struct Scanned {
    by_source: HashMap<String, Vec<Existing>>,
    /// Every file stem in use (slugs must stay unique).
    stems: HashSet<String>,
    /// Files whose front-matter does not parse: content and the message.
    broken: Vec<(String, String)>,
}

/// A slug: lowercase ASCII letters, digits and hyphens, at most 60 characters.
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        let mapped = match c {
            'a'..='z' | '0'..='9' => Some(c.to_string()),
            'ä' | 'á' | 'à' | 'â' | 'å' | 'ã' => Some("a".into()),
            'ö' | 'ó' | 'ò' | 'ô' | 'ø' | 'õ' => Some("o".into()),
            'ü' | 'ú' | 'ù' | 'û' => Some("u".into()),
            'é' | 'è' | 'ê' | 'ë' => Some("e".into()),
            'í' | 'ì' | 'î' | 'ï' => Some("i".into()),
            'ß' => Some("ss".into()),
            'ç' => Some("c".into()),
            'ñ' => Some("n".into()),
            '’' | '\'' => Some(String::new()),
            _ => None,
        };
        match mapped {
            Some(s) => out.push_str(&s),
            None if !out.ends_with('-') && !out.is_empty() => out.push('-'),
            None => {}
        }
    }
    let mut slug = out.trim_end_matches('-').to_string();
    if slug.len() > 60 {
        let cut = slug[..60].rfind('-').unwrap_or(60);
        slug.truncate(cut);
    }
    if slug.is_empty() {
        slug = "text".into();
    }
    slug
}

fn unique_slug(base: &str, taken: &mut HashSet<String>) -> String {
    let mut slug = base.to_string();
    let mut n = 2;
    while taken.contains(&slug) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(slug.clone());
    slug
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// flushed to disk, then renamed over the target. A reader (or a crash)
/// sees the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.scholia-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        let table = [
            (
                "Masses Need Communism, Not Democracy",
                "masses-need-communism-not-democracy",
            ),
            ("Bolshevism vs. Stalinism", "bolshevism-vs-stalinism"),
            ("Thoughts on Hoxha & Hoxhaism", "thoughts-on-hoxha-hoxhaism"),
            (
                "Why do we need Marxism-Leninism?",
                "why-do-we-need-marxism-leninism",
            ),
            ("Vorwärts’ Ständesozialismus", "vorwarts-standesozialismus"),
            ("“—”", "text"),
        ];
        for (title, slug) in table {
            assert_eq!(slugify(title), slug);
        }
        let mut taken: HashSet<String> = ["a".to_string()].into();
        assert_eq!(unique_slug("a", &mut taken), "a-2");
        assert_eq!(unique_slug("a", &mut taken), "a-3");
    }
}
