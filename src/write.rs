//! Write: rendered pages in, the output folder replaced atomically out.
//!
//! Pages go into a staging folder beside the output. Only when the whole
//! build succeeded is it swapped in — with one `renameat2(RENAME_EXCHANGE)` on
//! Linux, so a build killed at any moment leaves either the old site or the
//! new one, never a mix. Then the old site is removed file by file, following
//! the list of files scholia wrote (kept in the marker file): files someone
//! else put in the output folder (a `CNAME`, say) are carried into the new
//! site, never deleted. Folders we must not replace are refused up front.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};

use crate::config::display_path;
use crate::diagnostic::Diagnostic;

/// The file that marks a folder as scholia's output and lists what scholia wrote there.
pub const MARKER: &str = ".scholia-output";
const MARKER_HEADER: &str = "# Written by scholia. This folder is replaced at each build;\n# files not listed here are kept.\n";

/// A staging folder being filled by a build.
#[derive(Debug)]
pub struct Staging {
    pub dir: PathBuf,
    output: PathBuf,
}

/// Refuses output folders that a build must never replace; returns the checked path.
pub fn check_output_dir(output: &Path, root: &Path, content: &Path) -> Result<PathBuf, Diagnostic> {
    let output_abs = absolute(output);
    let root_abs = absolute(root);
    let content_abs = absolute(content);
    let shown = display_path(output);
    let refuse =
        |why: String, help: &str| Err(Diagnostic::error(&shown, why).with_help(help.to_string()));
    let other = "choose another output folder with `--output` or `[build] output` in book.toml";

    if output_abs.parent().is_none() {
        return refuse(
            "refusing to use the root folder `/` as the output folder".into(),
            other,
        );
    }
    if let Some(home) = std::env::var_os("HOME")
        .map(PathBuf::from)
        .map(|h| absolute(&h))
    {
        if output_abs == home {
            return refuse(
                "refusing to use your home folder as the output folder".into(),
                other,
            );
        }
    }
    if root_abs.starts_with(&output_abs) {
        return refuse(
            "refusing to write the site over the edition folder that holds it".into(),
            other,
        );
    }
    if content_abs.starts_with(&output_abs) || output_abs.starts_with(&content_abs) {
        return refuse(
            "refusing an output folder that is, contains or lies inside the content folder".into(),
            other,
        );
    }
    match fs::symlink_metadata(&output_abs) {
        Ok(meta) if !meta.is_dir() => {
            return refuse("the output path exists and is not a folder".into(), other);
        }
        Ok(meta) if meta.permissions().readonly() => {
            // Someone made it read-only on purpose: replacing it would undo that.
            return refuse(
                "the output folder is read-only".into(),
                &format!(
                    "make it writable (`chmod u+w {}`), or {other}",
                    shown.display()
                ),
            );
        }
        Ok(_) => {
            let mut entries = fs::read_dir(&output_abs).map_err(|e| {
                Diagnostic::error(&shown, format!("cannot read the output folder: {e}"))
            })?;
            let empty = entries.next().is_none();
            if !empty && !output_abs.join(MARKER).is_file() {
                return refuse(
                    "the output folder is not empty and was not written by scholia".into(),
                    "scholia replaces its output folder at each build and will not touch one it did not create; \
                     empty it, or choose another with `--output`",
                );
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Diagnostic::error(
                &shown,
                format!("cannot inspect the output folder: {e}"),
            ))
        }
    }
    Ok(output_abs)
}

/// `path` made absolute and lexically normalised, resolving symlinks of the parts that exist.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    if let Ok(real) = joined.canonicalize() {
        return real;
    }
    let mut normal = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    match (normal.parent(), normal.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map(|p| p.join(name))
            .unwrap_or(normal),
        _ => normal,
    }
}

/// Where a build puts the files of a site: a staging folder, or the preview server's memory.
pub trait SiteSink: Sync {
    /// Stores one file; `rel` uses `/` and stays inside the site.
    fn write(&self, rel: &str, contents: &[u8]) -> io::Result<()>;
    /// Stores a copy of the file at `from` as `rel`.
    fn copy(&self, from: &Path, rel: &Path) -> io::Result<()>;
    /// Where the files go, for messages.
    fn location(&self) -> &Path;
}

impl SiteSink for Staging {
    fn write(&self, rel: &str, contents: &[u8]) -> io::Result<()> {
        Staging::write(self, rel, contents)
    }

    fn copy(&self, from: &Path, rel: &Path) -> io::Result<()> {
        Staging::copy(self, from, rel)
    }

    /// The output folder, not the staging one: a message names a file where
    /// the user will look for it (`book/a/index.html`), not a temporary name.
    fn location(&self) -> &Path {
        &self.output
    }
}

impl Staging {
    /// Creates a fresh staging folder beside `output` (already checked), clearing
    /// staging folders that earlier, killed builds left behind.
    pub fn create(output: &Path) -> io::Result<Staging> {
        let parent = output.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(parent)?;
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.scholia-");
        remove_leftovers(parent, &prefix);
        let dir = parent.join(format!("{prefix}staging-{}", std::process::id()));
        if dir.exists() {
            remove_our_tree(&dir)?;
        }
        fs::create_dir(&dir)?;
        // The marker goes in first, so a killed build's leftovers are recognisably ours.
        fs::write(dir.join(MARKER), MARKER_HEADER)?;
        Ok(Staging {
            dir,
            output: output.to_path_buf(),
        })
    }

    /// Writes one file of the site; `rel` uses `/` and stays inside the site.
    pub fn write(&self, rel: &str, contents: &[u8]) -> io::Result<()> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, contents)
    }

    pub fn copy(&self, from: &Path, rel: &Path) -> io::Result<()> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::copy(from, path).map(|_| ())
    }

    /// Swaps the finished site in; the previous one is removed, keeping files
    /// scholia did not write. Once the swap is done the build has succeeded:
    /// a previous site that cannot be removed is a warning that says where it is.
    pub fn commit(self) -> Result<Option<Diagnostic>, Diagnostic> {
        let fail = |what: &str, e: io::Error| {
            Diagnostic::error(display_path(&self.output), format!("{what}: {e}"))
                .with_help("the previous site is unchanged; fix the problem and build again")
        };
        let ours = list_files(&self.dir).map_err(|e| fail("cannot list the new site", e))?;
        let carried = self.carry_foreign_files(&ours)?;
        self.write_manifest(&ours)
            .map_err(|e| fail("cannot write the output marker", e))?;
        if self.output.exists() {
            swap(&self.dir, &self.output).map_err(|e| fail("cannot swap the new site in", e))?;
            // `self.dir` now holds the previous site.
            let old_manifest = read_manifest(&self.dir);
            if let Err(e) = remove_listed(&self.dir, old_manifest.iter().chain(&carried)) {
                let left = display_path(&self.dir);
                return Ok(Some(
                    Diagnostic::warning(
                        display_path(&self.output),
                        format!("the new site is in place, but removing the previous one failed: {e}"),
                    )
                    .with_help(format!(
                        "the previous site is left in {}: make it writable (`chmod -R u+w`) and remove it",
                        left.display()
                    )),
                ));
            }
        } else {
            fs::rename(&self.dir, &self.output)
                .map_err(|e| fail("cannot move the new site into place", e))?;
        }
        Ok(None)
    }

    /// Links (or copies) files of the current output that scholia did not write into the new site.
    fn carry_foreign_files(&self, ours: &BTreeSet<PathBuf>) -> Result<Vec<PathBuf>, Diagnostic> {
        if !self.output.is_dir() {
            return Ok(Vec::new());
        }
        let written_before = read_manifest(&self.output);
        let present = list_files(&self.output).unwrap_or_default();
        let mut carried = Vec::new();
        for rel in present.difference(&written_before) {
            if rel == Path::new(MARKER) {
                continue;
            }
            if ours.contains(rel) {
                return Err(Diagnostic::error(
                    display_path(&self.output.join(rel)),
                    "this file was not written by scholia, and the new build writes a file of the same name",
                )
                .with_help("move the file out of the output folder (scholia never overwrites files it did not write)"));
            }
            let (from, to) = (self.output.join(rel), self.dir.join(rel));
            if let Some(parent) = to.parent() {
                let _ = fs::create_dir_all(parent);
            }
            fs::hard_link(&from, &to)
                .or_else(|_| fs::copy(&from, &to).map(|_| ()))
                .map_err(|e| {
                    Diagnostic::error(
                        display_path(&from),
                        format!("cannot keep this file in the new site: {e}"),
                    )
                })?;
            carried.push(rel.clone());
        }
        Ok(carried)
    }

    /// Replaces the marker with the full list at once: a build killed while
    /// writing it must not leave a partial list that would strand files.
    fn write_manifest(&self, ours: &BTreeSet<PathBuf>) -> io::Result<()> {
        let mut list = String::from(MARKER_HEADER);
        for rel in ours.iter().filter(|rel| *rel != Path::new(MARKER)) {
            list.push_str(&rel.to_string_lossy());
            list.push('\n');
        }
        let partial = self.dir.join(format!("{MARKER}.partial"));
        fs::File::create(&partial)?.write_all(list.as_bytes())?;
        fs::rename(partial, self.dir.join(MARKER))
    }

    /// Removes the staging folder of a build that failed.
    pub fn abandon(self) {
        let _ = remove_our_tree(&self.dir);
    }
}

fn read_manifest(dir: &Path) -> BTreeSet<PathBuf> {
    fs::read_to_string(dir.join(MARKER))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(PathBuf::from)
        .collect()
}

fn list_files(dir: &Path) -> io::Result<BTreeSet<PathBuf>> {
    let mut files = BTreeSet::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        let entry = entry.map_err(io::Error::other)?;
        if !entry.file_type().is_dir() {
            files.insert(
                entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap_or(entry.path())
                    .to_path_buf(),
            );
        }
    }
    Ok(files)
}

/// Removes the listed files, then the folders left empty, then the marker
/// and `dir` itself if nothing else is left. Anything else stays where it is.
/// The marker goes last, so a removal killed midway can be finished later.
fn remove_listed<'a>(dir: &Path, files: impl Iterator<Item = &'a PathBuf>) -> io::Result<()> {
    use rayon::prelude::*;
    let files: Vec<&PathBuf> = files.collect();
    // Unlinking ten thousand pages one by one was a tenth of a build: in parallel.
    files.par_iter().try_for_each(|rel| {
        // A manifest line that climbs out of the folder (`..`, `/x`) is never followed.
        if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            return Ok(());
        }
        match fs::remove_file(dir.join(rel)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    })?;
    remove_empty_dirs(dir);
    let _ = fs::remove_file(dir.join(MARKER));
    let _ = fs::remove_dir(dir);
    Ok(())
}

fn remove_empty_dirs(dir: &Path) {
    let dirs: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .contents_first(true)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_dir())
        .map(|e| e.into_path())
        .collect();
    for d in dirs {
        let _ = fs::remove_dir(d);
    }
}

/// Removes a folder that scholia created (a staging folder): only if it carries the marker.
fn remove_our_tree(dir: &Path) -> io::Result<()> {
    if dir.join(MARKER).is_file() {
        fs::remove_dir_all(dir)
    } else {
        Ok(())
    }
}

/// Clears `.book.scholia-*` folders of earlier, killed builds.
fn remove_leftovers(parent: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(prefix) {
            let path = entry.path();
            // A swapped-out old site lists its files; remove just those.
            let manifest = read_manifest(&path);
            if !manifest.is_empty() {
                let _ = remove_listed(&path, manifest.iter());
            } else if path.join(MARKER).is_file() {
                let _ = remove_our_tree(&path);
            } else {
                // Killed before its marker was written: only empty folders can be in it.
                remove_empty_dirs(&path);
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn swap(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// Without an atomic exchange: two renames, the window between them as short as we can make it.
#[cfg(not(target_os = "linux"))]
fn swap(a: &Path, b: &Path) -> io::Result<()> {
    let tmp = a.with_extension("swap");
    fs::rename(b, &tmp)?;
    fs::rename(a, b)?;
    fs::rename(&tmp, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_folders_it_must_not_replace() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ed");
        let content = root.join("content");
        fs::create_dir_all(&content).unwrap();
        let foreign = root.join("notes");
        fs::create_dir_all(&foreign).unwrap();
        fs::write(foreign.join("mine.txt"), "x").unwrap();
        let cases = [
            (PathBuf::from("/"), "refusing to use the root folder"),
            (root.clone(), "over the edition folder"),
            (dir.path().to_path_buf(), "over the edition folder"),
            (content.clone(), "content folder"),
            (content.join("book"), "content folder"),
            (foreign.clone(), "not empty and was not written by scholia"),
            (foreign.join("mine.txt"), "not a folder"),
        ];
        for (output, expected) in cases {
            let err = check_output_dir(&output, &root, &content).unwrap_err();
            assert!(
                err.message.contains(expected),
                "{}: {}",
                output.display(),
                err.message
            );
        }
        assert!(check_output_dir(&root.join("book"), &root, &content).is_ok());
    }

    #[test]
    fn commit_replaces_our_files_and_keeps_foreign_ones() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("book");
        let first = Staging::create(&output).unwrap();
        first.write("a/index.html", b"old a").unwrap();
        first.write("gone.html", b"old").unwrap();
        first.commit().unwrap();
        fs::write(output.join("CNAME"), "example.org").unwrap();

        let second = Staging::create(&output).unwrap();
        second.write("a/index.html", b"new a").unwrap();
        second.commit().unwrap();

        assert_eq!(
            fs::read_to_string(output.join("a/index.html")).unwrap(),
            "new a"
        );
        assert!(!output.join("gone.html").exists());
        assert_eq!(
            fs::read_to_string(output.join("CNAME")).unwrap(),
            "example.org"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, ["book"], "no staging folder is left behind");
    }
}
