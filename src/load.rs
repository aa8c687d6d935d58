//! Load: the content folder in, its files out.
//!
//! Every `*.md` file is a text, except `_index.md`, which describes the folder
//! it sits in (a section, or the edition itself at the top). `entities/*.yaml`
//! is the entity registry. Every other file is an asset, copied to the site as it is. Hidden files and folders are
//! skipped. [`load`] only lists the files; each is read by [`SourceEntry::read`]
//! in the parallel task that parses it, so a large edition is never held in
//! memory as source and as HTML at once. A file that cannot be read, or is
//! not UTF-8, becomes a diagnostic rather than stopping the build.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::config::display_path;
use crate::diagnostic::{Diagnostic, Position};

pub const SECTION_FILE: &str = "_index.md";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Text,
    SectionIndex,
    /// A registry file: `entities/*.yaml` at the top of the content folder.
    Registry,
    Asset,
}

/// A Markdown file of the content folder, not read yet.
#[derive(Debug, Clone)]
pub struct SourceEntry {
    pub kind: FileKind,
    pub path: PathBuf,
    /// Path relative to the content folder.
    pub rel: PathBuf,
}

impl SourceEntry {
    pub fn read(&self) -> Result<SourceFile, Diagnostic> {
        read_source(self.kind, &self.path, self.rel.clone())
    }
}

/// A Markdown file of the content folder, read into memory.
#[derive(Debug)]
pub struct SourceFile {
    pub kind: FileKind,
    /// Path relative to the content folder, with `/` separators.
    pub rel: PathBuf,
    /// Path as users should see it in messages.
    pub display: PathBuf,
    pub text: String,
}

/// A file copied to the site unchanged.
#[derive(Debug, Clone)]
pub struct Asset {
    pub source: PathBuf,
    pub rel: PathBuf,
}

/// The files an edition was read from, by path: how a rebuild tells an edit
/// of a text from any other change.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    pub texts: HashMap<PathBuf, SourceEntry>,
    /// Section files, registry files and assets.
    pub others: HashSet<PathBuf>,
}

impl Sources {
    pub fn of(loaded: &Loaded) -> Self {
        let mut sources = Sources::default();
        for entry in &loaded.files {
            match entry.kind {
                FileKind::Text => {
                    sources.texts.insert(entry.path.clone(), entry.clone());
                }
                _ => {
                    sources.others.insert(entry.path.clone());
                }
            }
        }
        sources
            .others
            .extend(loaded.assets.iter().map(|a| a.source.clone()));
        sources
    }

    /// Whether the edition was read from `path` or from a file inside it.
    pub fn reads_from(&self, path: &Path) -> bool {
        let inside = |p: &PathBuf| p.starts_with(path);
        self.texts.keys().any(inside) || self.others.iter().any(inside)
    }
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<SourceEntry>,
    pub assets: Vec<Asset>,
}

/// Lists the files of `content_dir`. A symbolic link is followed only to a
/// file inside the edition folder `root` or the content folder: a build must
/// not publish what lies elsewhere on the disk (`/etc/passwd`, a home folder).
pub fn load(content_dir: &Path, root: &Path) -> (Loaded, Vec<Diagnostic>) {
    let inside: Vec<PathBuf> = [root, content_dir]
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let mut diagnostics = Vec::new();
    let mut loaded = Loaded::default();
    let walker = WalkDir::new(content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e
                    .path()
                    .map(display_path)
                    .unwrap_or_else(|| display_path(content_dir));
                // walkdir's own message repeats the path the diagnostic already names.
                let cause = e.io_error().map_or(e.to_string(), |io| io.to_string());
                diagnostics.push(
                    Diagnostic::error(
                        path,
                        format!("cannot read this part of the content folder: {cause}"),
                    )
                    .with_help(
                        "check that the folder exists and that you may read it (`chmod u+rx`)",
                    ),
                );
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(content_dir)
            .unwrap_or(entry.path())
            .to_path_buf();
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            match check_link(entry.path(), &inside) {
                Ok(Link::File) => {}
                Ok(Link::Folder) => {
                    diagnostics.push(
                        Diagnostic::warning(
                            display_path(entry.path()),
                            "symbolic link to a folder not followed",
                        )
                        .with_help("move the folder into the content folder instead of linking it"),
                    );
                    continue;
                }
                Err(problem) => {
                    diagnostics.push(problem);
                    continue;
                }
            }
        } else if file_type.is_dir() {
            continue;
        }
        match kind_of(&rel) {
            FileKind::Asset => loaded.assets.push(Asset {
                source: entry.path().to_path_buf(),
                rel,
            }),
            kind => loaded.files.push(SourceEntry {
                kind,
                path: entry.path().to_path_buf(),
                rel,
            }),
        }
    }
    (loaded, diagnostics)
}

/// Where a symbolic link of the content folder leads.
enum Link {
    File,
    Folder,
}

/// Resolves a link: a file or a folder inside `inside`, or an error that
/// says why it cannot be used (it loops, it leads nowhere or out of the edition).
fn check_link(link: &Path, inside: &[PathBuf]) -> Result<Link, Diagnostic> {
    let display = display_path(link);
    let written = std::fs::read_link(link).unwrap_or_default();
    let written = written.display();
    let target = link.canonicalize().map_err(|e| {
        let message = match e.raw_os_error() {
            Some(40) => format!("this symbolic link (to `{written}`) leads round in a circle and never reaches a file"),
            _ if e.kind() == std::io::ErrorKind::NotFound => {
                format!("this symbolic link points to `{written}`, which does not exist")
            }
            _ => format!("cannot follow this symbolic link (to `{written}`): {e}"),
        };
        Diagnostic::error(&display, message).with_help("point the link at a file of the edition, or remove it")
    })?;
    if !inside.iter().any(|dir| target.starts_with(dir)) {
        return Err(Diagnostic::error(
            &display,
            format!(
                "this symbolic link leads out of the edition, to {}",
                target.display()
            ),
        )
        .with_help(
            "copy what it points to into the content folder: scholia publishes only files of the edition",
        ));
    }
    if !target.is_dir() {
        return Ok(Link::File);
    }
    let parent = link.parent().and_then(|p| p.canonicalize().ok());
    if parent.is_some_and(|p| p.starts_with(&target)) {
        return Err(Diagnostic::error(
            &display,
            format!(
                "this symbolic link (to `{written}`) points to a folder that holds it: a cycle"
            ),
        )
        .with_help("remove the link; a folder of the edition needs no link to be read"));
    }
    Ok(Link::Folder)
}

fn kind_of(rel: &Path) -> FileKind {
    let in_registry = rel.parent() == Some(Path::new("entities"));
    let yaml = rel.extension().is_some_and(|e| e == "yaml" || e == "yml");
    if in_registry && yaml {
        return FileKind::Registry;
    }
    match rel.file_name().and_then(|n| n.to_str()) {
        Some(SECTION_FILE) => FileKind::SectionIndex,
        Some(name) if name.ends_with(".md") => FileKind::Text,
        _ => FileKind::Asset,
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

fn read_source(kind: FileKind, path: &Path, rel: PathBuf) -> Result<SourceFile, Diagnostic> {
    let display = display_path(path);
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(&display, format!("cannot read this file: {e}"))
            .with_help("check that it exists and that you may read it")
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = &bytes[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let position = Position::of_offset(valid, valid.len());
        let lossy = String::from_utf8_lossy(bytes);
        Diagnostic::error(&display, "this file is not valid UTF-8")
            .at(&lossy, position)
            .with_help("save it as UTF-8 (for example `iconv -f latin1 -t utf-8`)")
    })?;
    // A byte-order mark is invisible to editors; drop it so front-matter still starts at `---`.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok(SourceFile {
        kind,
        rel,
        display,
        text,
    })
}
