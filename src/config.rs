//! Configuration: `book.toml` in, one resolved [`Config`] out.
//!
//! The file is first read into raw serde types that reject unknown keys, so a
//! typo is an error that names the key, its line and the closest valid key.
//! [`Config::load`] then resolves paths against the edition root and checks
//! values once, so the rest of the pipeline never sees a raw string path.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::{unknown_field, unknown_key_help, Diagnostic, Position};

pub const CONFIG_FILE: &str = "book.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBook {
    edition: RawEdition,
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    entities: RawEntities,
    #[serde(default)]
    search: RawSearch,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    enabled: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntities {
    link: Option<LinkMentions>,
    in_headings: Option<bool>,
}

/// Which mentions of a registered entity become links to its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkMentions {
    /// The first mention in each text.
    #[default]
    First,
    Every,
    None,
}

/// How mentions of entities are found and linked.
#[derive(Debug, Clone, Copy, Default)]
pub struct EntityOptions {
    pub link: LinkMentions,
    /// Also look for mentions in headings (off by default: headings stay plain).
    pub in_headings: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdition {
    title: String,
    subtitle: Option<String>,
    #[serde(default)]
    editors: Vec<String>,
    language: Option<String>,
    description: Option<String>,
    license: Option<String>,
    base_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBuild {
    content: Option<PathBuf>,
    output: Option<PathBuf>,
    theme: Option<String>,
}

/// Metadata about the edition as a whole, shown on every page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EditionMeta {
    pub title: String,
    pub subtitle: Option<String>,
    pub editors: Vec<String>,
    pub language: String,
    pub description: Option<String>,
    pub license: Option<String>,
    /// Absolute URL where the edition is published, always ending in `/`.
    pub base_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The edition folder, holding `book.toml`.
    pub root: PathBuf,
    pub edition: EditionMeta,
    pub content_dir: PathBuf,
    pub output_dir: PathBuf,
    pub theme: String,
    pub theme_dir: PathBuf,
    pub entities: EntityOptions,
    /// The path the site is served under (`/` or `/sub/path/`), used where a
    /// relative URL cannot work: the 404 page, which hosts serve at any depth.
    pub base_path: Option<String>,
    /// Build the full-text search index and the search page (`[search] enabled`, on by default).
    pub search: bool,
}

impl Config {
    /// Reads and resolves `ROOT/book.toml`. Errors are configuration errors
    /// (exit code 2), each pointing into `book.toml`.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let display = display_path(&path);
        let source = std::fs::read_to_string(&path).map_err(|e| {
            let help = if e.kind() == std::io::ErrorKind::NotFound {
                "run the command in an edition folder, pass its path, or create one with `scholia init`"
            } else {
                "check the file's permissions"
            };
            vec![Diagnostic::error(&display, format!("cannot read {CONFIG_FILE}: {e}")).with_help(help)]
        })?;
        let raw: RawBook =
            toml::from_str(&source).map_err(|e| vec![toml_error(&display, &source, &e)])?;
        resolve(root, raw, &display, &source)
    }
}

fn resolve(
    root: &Path,
    raw: RawBook,
    display: &Path,
    source: &str,
) -> Result<Config, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let at_key = |key: &str| {
        let offset = find_key(source, key).unwrap_or(0);
        (offset, key.len())
    };
    let mut error_at = |key: &str, message: String, help: &str| {
        let (offset, len) = at_key(key);
        errors.push(
            Diagnostic::error(display, message)
                .at_offset(source, offset, len)
                .with_help(help),
        );
    };

    if raw.edition.title.trim().is_empty() {
        error_at(
            "title",
            "the edition title is empty".into(),
            "give the edition a title, e.g. `title = \"Collected Essays\"`",
        );
    }
    let base_url = raw.edition.base_url.map(|url| {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            error_at(
                "base_url",
                format!("`base_url` must be an absolute http(s) URL, found `{url}`"),
                "write it in full, e.g. `base_url = \"https://example.org/edition/\"`",
            );
        }
        if url.ends_with('/') {
            url
        } else {
            format!("{url}/")
        }
    });
    let language = raw.edition.language.unwrap_or_else(|| "en".into());
    if !is_language_tag(&language) {
        error_at(
            "language",
            format!(
                "`language` must be a language tag such as `en` or `de-AT`, found `{language}`"
            ),
            "use a BCP 47 language tag",
        );
    }
    let theme = raw.build.theme.unwrap_or_else(|| "default".into());
    let theme_dir = root.join("themes").join(&theme);
    // The built-in themes need no folder; an edition only needs one to change them.
    let builtin = crate::render::BUILTIN_THEMES
        .iter()
        .any(|(name, _)| *name == theme);
    if !builtin && !theme_dir.join("templates").is_dir() {
        error_at(
            "theme",
            format!(
                "theme `{theme}` not found: there is no folder {}",
                display_path(&theme_dir.join("templates")).display()
            ),
            &available_themes(root),
        );
    }
    let content_dir = root.join(raw.build.content.unwrap_or_else(|| "content".into()));
    if !content_dir.is_dir() {
        error_at(
            "content",
            format!(
                "the content folder {} does not exist",
                display_path(&content_dir).display()
            ),
            "create it, or point `[build] content` at the folder that holds your texts",
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Config {
        root: root.to_path_buf(),
        edition: EditionMeta {
            title: raw.edition.title,
            subtitle: raw.edition.subtitle,
            editors: raw.edition.editors,
            language,
            description: raw.edition.description,
            license: raw.edition.license,
            base_url: base_url.clone(),
        },
        content_dir,
        output_dir: root.join(raw.build.output.unwrap_or_else(|| "book".into())),
        theme,
        theme_dir,
        entities: EntityOptions {
            link: raw.entities.link.unwrap_or_default(),
            in_headings: raw.entities.in_headings.unwrap_or(false),
        },
        base_path: base_url.as_deref().map(url_path),
        search: raw.search.enabled.unwrap_or(true),
    })
}

fn available_themes(root: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(root.join("themes"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("templates").is_dir())
        .map(|e| format!("`{}`", e.file_name().to_string_lossy()))
        .collect();
    names.sort();
    let builtin: Vec<String> = crate::render::BUILTIN_THEMES
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    let builtin = format!("built in: {}", builtin.join(", "));
    if names.is_empty() {
        format!("{builtin}; this edition has no themes/ folder of its own")
    } else {
        format!("{builtin}; in themes/: {}", names.join(", "))
    }
}

/// `https://example.org/a/b/` -> `/a/b/`.
fn url_path(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].to_string(),
        None => "/".into(),
    }
}

fn is_language_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.split('-').all(|part| {
            !part.is_empty() && part.len() <= 8 && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// Byte offset of `key =` at the start of a line, for pointing at a value we rejected.
fn find_key(source: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                return Some(offset + line.len() - trimmed.len());
            }
        }
        offset += line.len();
    }
    None
}

/// Turns a TOML error into a diagnostic; for an unknown key, suggests the closest valid one.
fn toml_error(display: &Path, source: &str, error: &toml::de::Error) -> Diagnostic {
    let message = error.message().trim();
    let span = error.span().unwrap_or(0..0);
    let mut diagnostic = match unknown_field(message) {
        Some((field, expected)) => {
            Diagnostic::error(display, format!("unknown key `{field}` in {CONFIG_FILE}"))
                .with_help(unknown_key_help(&field, &expected))
        }
        None => Diagnostic::error(display, format!("{CONFIG_FILE} is not valid: {message}")),
    };
    if error.span().is_some() {
        diagnostic = diagnostic.at_offset(source, span.start, span.len());
    } else {
        diagnostic = diagnostic.at(source, Position::new(1, 1));
    }
    diagnostic
}

/// A path as users should see it: relative to the current folder when it is inside it.
pub fn display_path(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().ok();
    let relative = cwd.as_deref().and_then(|cwd| path.strip_prefix(cwd).ok());
    let shown = relative.unwrap_or(path);
    let cleaned: PathBuf = shown
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if cleaned.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(toml: &str) -> Result<Config, Vec<Diagnostic>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::create_dir_all(dir.path().join("themes/default/templates")).unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), toml).unwrap();
        Config::load(dir.path())
    }

    #[test]
    fn resolves_defaults() {
        let config = load("[edition]\ntitle = \"T\"\n").unwrap();
        assert_eq!(config.theme, "default");
        assert_eq!(config.edition.language, "en");
        assert!(config.output_dir.ends_with("book"));
        assert!(config.base_path.is_none());
        assert!(config.search, "search is on unless book.toml turns it off");
    }

    #[test]
    fn search_can_be_turned_off() {
        let config = load("[edition]\ntitle = \"T\"\n[search]\nenabled = false\n").unwrap();
        assert!(!config.search);
        let errors = load("[edition]\ntitle = \"T\"\n[search]\nenable = false\n").unwrap_err();
        assert_eq!(errors[0].message, "unknown key `enable` in book.toml");
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `enabled`?"));
    }

    #[test]
    fn base_url_gets_a_trailing_slash_and_a_path() {
        let config = load("[edition]\ntitle = \"T\"\nbase_url = \"https://x.org/ed\"\n").unwrap();
        assert_eq!(
            config.edition.base_url.as_deref(),
            Some("https://x.org/ed/")
        );
        assert_eq!(config.base_path.as_deref(), Some("/ed/"));
    }

    #[test]
    fn unknown_key_names_line_and_closest_key() {
        let errors = load("[edition]\ntitle = \"T\"\nsubtitel = \"S\"\n").unwrap_err();
        let d = &errors[0];
        assert_eq!(d.message, "unknown key `subtitel` in book.toml");
        assert_eq!(d.position, Some(Position::new(3, 1)));
        assert_eq!(d.help.as_deref(), Some("did you mean `subtitle`?"));
    }

    #[test]
    fn built_in_themes_need_no_folder_and_a_missing_one_names_them() {
        assert_eq!(
            load("[edition]\ntitle = \"T\"\n[build]\ntheme = \"plain\"\n")
                .unwrap()
                .theme,
            "plain"
        );
        let errors = load("[edition]\ntitle = \"T\"\n[build]\ntheme = \"plane\"\n").unwrap_err();
        assert!(
            errors[0].message.starts_with("theme `plane` not found"),
            "{}",
            errors[0].message
        );
        assert_eq!(
            errors[0].help.as_deref(),
            Some("built in: `default`, `plain`; in themes/: `default`")
        );
    }

    #[test]
    fn rejects_bad_values_all_at_once() {
        let errors = load("[edition]\ntitle = \"T\"\nbase_url = \"x.org\"\nlanguage = \"en us\"\n[build]\ntheme = \"nope\"\n")
            .unwrap_err();
        let lines: Vec<_> = errors.iter().map(|d| d.position.unwrap().line).collect();
        assert_eq!(lines, [3, 4, 6]);
    }
}
