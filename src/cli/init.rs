//! `scholia init`: scaffold a new edition that builds at once.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const BOOK_TOML: &str = r#"[edition]
title = "A New Edition"
editors = ["Your Name"]
language = "en"
description = "An annotated edition made with scholia."
# base_url = "https://example.org/edition/"

[build]
content = "content"
output = "book"
theme = "default"
"#;

const SAMPLE_TEXT: &str = r#"---
title: "A First Text"
author: "unknown"
date: "1939-08"
genre: "essay"
summary: "A sample text. Replace it with the first text of your edition."
---

Each paragraph of a text gets a number in the margin and an anchor, so
readers can cite and link it.

## A heading

The author's own footnotes stay footnotes.[^1]

[^1]: Like this one.
"#;

/// Create a new edition: book.toml, one sample text and the default theme.
///
/// Never overwrites a file: an existing book.toml stops it.
///
/// Example: `scholia init my-edition && scholia build my-edition`
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder to create the edition in.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

pub fn run(args: &InitArgs) -> ExitCode {
    match scaffold(&args.dir) {
        Ok(()) => {
            println!(
                "Created a new edition in {}. Build it with `scholia build {}`.",
                args.dir.display(),
                args.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn scaffold(dir: &Path) -> Result<(), String> {
    if dir.join("book.toml").exists() {
        return Err(format!(
            "{} already holds an edition (book.toml exists); nothing was changed",
            dir.display()
        ));
    }
    let mut files: Vec<(PathBuf, &str)> = vec![
        (dir.join("book.toml"), BOOK_TOML),
        (dir.join("content/first-text.md"), SAMPLE_TEXT),
    ];
    files.extend(
        crate::render::default_theme::FILES
            .iter()
            .map(|(rel, body)| (dir.join("themes/default").join(rel), *body)),
    );
    if let Some((path, _)) = files.iter().find(|(p, _)| p.exists()) {
        return Err(format!(
            "{} already exists; nothing was changed",
            path.display()
        ));
    }
    for (path, body) in files {
        create_new(&path, body).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Creates a file that must not exist yet, so `init` can never overwrite anything.
fn create_new(path: &Path, body: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?
        .write_all(body.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_theme_matches_the_theme_folder() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&folder)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| crate::parse::path_to_slashes(e.path().strip_prefix(&folder).unwrap()))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = crate::render::default_theme::FILES
            .iter()
            .map(|(p, _)| p.to_string())
            .collect();
        embedded.sort();
        assert_eq!(
            embedded, on_disk,
            "update FILES in src/render/default_theme.rs"
        );
    }
}
