//! The site in memory: a build's files in, looked up by URL path out.
//!
//! [`MemorySink`] is the [`SiteSink`] a preview build writes into; once the
//! build has no errors its files become a [`Site`], swapped in whole, so a
//! failed rebuild leaves the last good site being served. An incremental
//! rebuild changes the served [`Site`] in place by [`Site::update`] (or a
//! copy, while a request still reads it: the files are shared, so only the
//! pages rendered again are new). URL paths are
//! decoded and normalised here: anything that tries to leave the site (`..`,
//! `%2e%2e`, backslashes, NUL) finds nothing. Nothing is read from disk while
//! serving, so a symlink cannot lead outside either.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::write::SiteSink;

/// The files of one complete build, keyed by their path in the site (`essay/index.html`).
#[derive(Debug, Default, Clone)]
pub struct Site {
    files: HashMap<Arc<str>, Arc<[u8]>>,
    /// Which build this is: the count of sites swapped in.
    pub version: u64,
}

impl Site {
    pub fn get(&self, rel: &str) -> Option<&[u8]> {
        self.files.get(rel).map(|body| &body[..])
    }

    /// This site with the files of `changes` put in and those `removed` taken
    /// out; `None` if that changes no file (an edit already built, saved again).
    pub fn updated(&self, changes: MemorySink, removed: &[String]) -> Option<Site> {
        let mut site = self.clone();
        site.update(changes, removed).then_some(site)
    }

    /// Puts the files of `changes` in and takes those `removed` out; false if
    /// that changes no file. In place: at 10,000 texts, copying the table of
    /// files for each edit cost a tenth of an incremental rebuild.
    pub fn update(&mut self, changes: MemorySink, removed: &[String]) -> bool {
        let changes = changes.into_site().files;
        let unchanged = changes
            .iter()
            .all(|(rel, body)| self.files.get(rel) == Some(body))
            && removed
                .iter()
                .all(|rel| !self.files.contains_key(rel.as_str()));
        if unchanged {
            return false;
        }
        for rel in removed {
            self.files.remove(rel.as_str());
        }
        self.files.extend(changes);
        true
    }

    /// This site with the files under `folder/` replaced by `files`.
    pub fn with_folder(&self, folder: &str, files: Vec<(String, Vec<u8>)>) -> Site {
        let mut kept = self.files.clone();
        kept.retain(|rel, _| !in_folder(rel, folder));
        kept.extend(
            files
                .into_iter()
                .map(|(rel, body)| (Arc::from(rel), Arc::from(body))),
        );
        Site {
            files: kept,
            version: self.version,
        }
    }

    /// Takes the files under `folder/` from `old` when this site has none there.
    pub fn keep_folder_of(&mut self, old: &Site, folder: &str) {
        if self.files.keys().any(|rel| in_folder(rel, folder)) {
            return;
        }
        let kept = old.files.iter().filter(|(rel, _)| in_folder(rel, folder));
        self.files
            .extend(kept.map(|(rel, body)| (rel.clone(), body.clone())));
    }

    /// Every file, by its path in the site.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(rel, body)| (&rel[..], &body[..]))
    }

    /// The same files with the same bytes: a rebuild that changed nothing a reader sees.
    pub fn same_files_as(&self, other: &Site) -> bool {
        self.files == other.files
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The file a URL path (below the base path, still percent-encoded) names:
    /// `essay/` and `essay` give `essay/index.html`. `None` for anything unsafe or absent.
    pub fn lookup(&self, url_path: &str) -> Option<(String, &[u8])> {
        let rel = site_path(url_path)?;
        let candidates = [rel.clone(), format!("{}index.html", with_slash(&rel))];
        candidates
            .into_iter()
            .find_map(|c| self.get(&c).map(|body| (c.clone(), body)))
    }
}

fn in_folder(rel: &str, folder: &str) -> bool {
    rel.strip_prefix(folder)
        .is_some_and(|rest| rest.starts_with('/'))
}

fn with_slash(rel: &str) -> String {
    if rel.is_empty() || rel.ends_with('/') {
        rel.to_string()
    } else {
        format!("{rel}/")
    }
}

/// Percent-decodes a URL path and checks every segment; `None` if it could leave the site.
pub fn site_path(url_path: &str) -> Option<String> {
    let decoded = percent_decode(url_path)?;
    if decoded.contains(['\\', '\0']) || decoded.starts_with("//") {
        return None;
    }
    let trimmed = decoded.trim_start_matches('/');
    for segment in trimmed.split('/') {
        if segment == ".." || segment == "." || segment.contains(':') {
            return None;
        }
    }
    if trimmed.contains("//") {
        return None;
    }
    Some(trimmed.to_string())
}

/// `%2e%2e` -> `..`; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Collects the files of a build in memory; [`MemorySink::into_site`] when it succeeded.
///
/// Files copied into the site (assets, theme files) must lie inside the
/// content or theme folder once symbolic links are followed; one linked from
/// elsewhere is left out of the preview, so it is a 404, and named in
/// [`MemorySink::left_out`].
#[derive(Debug, Default)]
pub struct MemorySink {
    files: Mutex<HashMap<String, Vec<u8>>>,
    inside: Vec<PathBuf>,
    left_out: Mutex<Vec<PathBuf>>,
}

impl MemorySink {
    /// A sink that takes copies only of files inside the `folders`.
    pub fn confined_to(folders: &[&Path]) -> Self {
        MemorySink {
            inside: folders
                .iter()
                .filter_map(|f| f.canonicalize().ok())
                .collect(),
            ..MemorySink::default()
        }
    }

    /// The files not copied because they lie outside the edition.
    pub fn left_out(&self) -> Vec<PathBuf> {
        self.left_out
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn into_site(self) -> Site {
        Site {
            files: (self.files.into_inner().unwrap_or_else(|e| e.into_inner()))
                .into_iter()
                .map(|(rel, body)| (Arc::from(rel), Arc::from(body)))
                .collect(),
            version: 0,
        }
    }

    fn store(&self, rel: String, contents: Vec<u8>) {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel, contents);
    }
}

impl SiteSink for MemorySink {
    fn write(&self, rel: &str, contents: &[u8]) -> io::Result<()> {
        self.store(rel.to_string(), contents.to_vec());
        Ok(())
    }

    fn copy(&self, from: &Path, rel: &Path) -> io::Result<()> {
        let inside = from
            .canonicalize()
            .is_ok_and(|real| self.inside.iter().any(|folder| real.starts_with(folder)));
        if !inside {
            self.left_out
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(from.to_path_buf());
            return Ok(());
        }
        let rel = rel.to_string_lossy().replace('\\', "/");
        self.store(rel, std::fs::read(from)?);
        Ok(())
    }

    fn location(&self) -> &Path {
        Path::new("(the preview's memory)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_site() {
        for bad in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2fx",
            "/a%5c..%5cx",
            "//etc/passwd",
            "/a%00b",
            "/%zz",
            "/c:/x",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
        assert_eq!(
            site_path("/essay/index.html").as_deref(),
            Some("essay/index.html")
        );
        assert_eq!(site_path("/caf%C3%A9/").as_deref(), Some("café/"));
    }

    #[test]
    fn folders_serve_their_index() {
        let sink = MemorySink::confined_to(&[Path::new(".")]);
        sink.write("essay/index.html", b"E").unwrap();
        sink.write("index.html", b"H").unwrap();
        let site = sink.into_site();
        assert_eq!(site.lookup("/essay/").unwrap().0, "essay/index.html");
        assert_eq!(site.lookup("/essay").unwrap().0, "essay/index.html");
        assert_eq!(site.lookup("/").unwrap().0, "index.html");
        assert!(site.lookup("/missing").is_none());
    }
}
