//! Edit: a new note in, the text file rewritten atomically out.
//!
//! Used by `scholia note add` (and later by the preview's note form). The new
//! note is validated with the same anchoring as the build, then spliced into
//! the `notes:` list of the file's front-matter as text, so every other byte
//! of the file stays as the editor wrote it — comments, key order, quoting.
//! The result is parsed again and compared before anything is written, and
//! the write is a rename of a complete temporary file: the text file is
//! always either the old version or the new one.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Position};
use crate::load::{FileKind, SourceFile};
use crate::parse::front_matter;
use crate::parse::markdown::slugify;
use crate::parse::notes::{self, RawNote};
use crate::parse::{parse_file, Parsed};

/// Why a note could not be added. Diagnostics are about the edition; `Io` about the disk.
#[derive(Debug)]
pub enum EditError {
    Invalid(Vec<Diagnostic>),
    Io(PathBuf, std::io::Error),
}

/// Adds `note` to the text at `path` and returns the new contents written.
/// `taken_ids` are the note ids used elsewhere in the edition.
pub fn add_note(
    path: &Path,
    display: &Path,
    note: &RawNote,
    taken_ids: &[String],
) -> Result<String, EditError> {
    let original = fs::read_to_string(path).map_err(|e| EditError::Io(path.to_path_buf(), e))?;
    let updated = with_note(&original, display, note, taken_ids).map_err(EditError::Invalid)?;
    write_atomically(path, &updated, &original)?;
    Ok(updated)
}

/// The file's contents with `note` added, after checking the note anchors in this text.
pub fn with_note(
    source: &str,
    display: &Path,
    note: &RawNote,
    taken_ids: &[String],
) -> Result<String, Vec<Diagnostic>> {
    let parse = |text: &str| {
        parse_file(
            &SourceFile {
                kind: FileKind::Text,
                rel: display.to_path_buf(),
                display: display.to_path_buf(),
                text: text.to_string(),
            },
            &crate::parse::ParseContext::default(),
        )
    };
    // The text must be sound before we touch it, so an error is never blamed on the new note.
    let Parsed::Text(before) = parse(source)? else {
        unreachable!("a text parses as a text")
    };
    if taken_ids.contains(&note.id) || before.notes.iter().any(|n| n.note.id == note.id) {
        return Err(vec![Diagnostic::error(
            display,
            format!("the note id `{}` is already used in this edition", note.id),
        )
        .with_help("choose another id with --id")]);
    }
    let anchor = notes::check(note).map_err(|m| vec![Diagnostic::error(display, m)])?;
    let checked = notes::Note {
        id: note.id.clone(),
        anchor,
        kind: note.kind,
        body: note.body.clone(),
        sources: note.sources.clone(),
        editor: note.editor.clone(),
        date: note.date.clone(),
        line: 0,
        id_line: 0,
    };
    if let Err(e) = crate::resolve::anchor::anchor(&checked, &before.blocks) {
        let (message, help) = e.describe(&note.id);
        return Err(vec![Diagnostic::error(display, message).with_help(help)]);
    }

    let split = front_matter::split(source, display).map_err(|d| vec![d])?;
    let updated = splice(source, &split, &yaml_item(note));

    // Check the splice: same body, same notes plus exactly the new one.
    let Parsed::Text(after) = parse(&updated)? else {
        unreachable!("a text parses as a text")
    };
    let ids = |t: &crate::model::Text| {
        t.notes
            .iter()
            .map(|n| n.note.id.clone())
            .collect::<Vec<_>>()
    };
    let mut expected = ids(&before);
    expected.push(note.id.clone());
    expected.sort();
    let mut got = ids(&after);
    got.sort();
    if got != expected || after.body_html.is_empty() != before.body_html.is_empty() {
        return Err(vec![Diagnostic::error(
            display,
            "could not add the note without changing the rest of the front-matter",
        )
        .at(source, Position::new(1, 1))
        .with_help(
            "add it by hand to the `notes:` list; please report this as a bug",
        )]);
    }
    Ok(updated)
}

/// The note as one item of a YAML block sequence indented by two spaces.
fn yaml_item(note: &RawNote) -> String {
    let yaml = serde_yaml::to_string(note).unwrap_or_default();
    let mut item = String::new();
    for (i, line) in yaml.lines().enumerate() {
        item.push_str(if i == 0 { "  - " } else { "    " });
        item.push_str(line);
        item.push('\n');
    }
    item
}

/// Inserts `item` at the end of the top-level `notes:` list, or adds the list.
fn splice(source: &str, split: &front_matter::Split, item: &str) -> String {
    let yaml = split.yaml;
    let mut offset = 0;
    let mut notes_key: Option<(usize, usize)> = None; // (start of the `notes:` line, its end)
    let mut list_end: Option<usize> = None;
    for line in yaml.split_inclusive('\n') {
        let top_level = !line.starts_with([' ', '\t', '-', '#']) && !line.trim().is_empty();
        if notes_key.is_some() && list_end.is_none() && top_level {
            list_end = Some(offset);
        }
        if top_level && line.starts_with("notes:") {
            notes_key = Some((offset, offset + line.len()));
        }
        offset += line.len();
    }
    let base = split.yaml_offset;
    let ensure_newline = |s: &str| {
        if s.is_empty() || s.ends_with('\n') {
            String::new()
        } else {
            "\n".into()
        }
    };
    match notes_key {
        Some((start, end)) if yaml[start..end].trim() == "notes:" => {
            let at = base + list_end.unwrap_or(yaml.len());
            let before = &source[..at];
            format!("{before}{}{item}{}", ensure_newline(before), &source[at..])
        }
        Some((start, end)) => {
            // `notes: []` or another inline form: only the empty list can be replaced safely.
            let line = &yaml[start..end];
            if line.trim_end().trim_start_matches("notes:").trim() == "[]" {
                format!(
                    "{}notes:\n{item}{}",
                    &source[..base + start],
                    &source[base + end..]
                )
            } else {
                source.to_string()
            }
        }
        None => {
            let at = base + yaml.len();
            let before = &source[..at];
            format!(
                "{before}{}notes:\n{item}{}",
                ensure_newline(before),
                &source[at..]
            )
        }
    }
}

/// Writes `contents` to `path` through a temporary file in the same folder and a rename.
/// Refuses if the file changed since it was read (someone else saved in between).
pub fn write_atomically(
    path: &Path,
    contents: &str,
    expected_current: &str,
) -> Result<(), EditError> {
    let io = |e| EditError::Io(path.to_path_buf(), e);
    let folder = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = folder.join(format!(".{name}.scholia-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&temp, meta.permissions())?;
        }
        if fs::read_to_string(path)? != expected_current {
            return Err(std::io::Error::other(
                "the file changed on disk while the note was being added; try again",
            ));
        }
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map_err(io)
}

/// The ids of the notes of every text but `text_id`: a new note's id must differ from them.
pub fn note_ids_of_other_texts(
    edition: &crate::model::Edition,
    text_id: &crate::model::TextId,
) -> Vec<String> {
    edition
        .texts
        .iter()
        .filter(|t| &t.id != text_id)
        .flat_map(|t| t.notes.iter().map(|n| n.note.id.clone()))
        .collect()
}

/// `west-wall` from the quote "the West Wall" (or `paragraph-3`), unlike every id in `used`.
pub fn note_id_from(quote: Option<&str>, paragraph: Option<u32>, used: &[String]) -> String {
    let from = match (quote, paragraph) {
        (Some(q), _) => q.split_whitespace().take(4).collect::<Vec<_>>().join(" "),
        (None, Some(p)) => format!("paragraph {p}"),
        (None, None) => "note".into(),
    };
    let mut base: String = slugify(&from)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
        base = format!("note-{base}").trim_end_matches('-').to_string();
    }
    let used = |id: &str| used.iter().any(|t| t == id);
    let mut id = base.clone();
    let mut n = 2;
    while used(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Today's date, UTC, as `YYYY-MM-DD` (days since 1970 to a civil date).
pub fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::notes::{NoteType, RawAnchor};

    fn note(id: &str, exact: &str) -> RawNote {
        RawNote {
            id: id.into(),
            anchor: RawAnchor {
                exact: Some(exact.into()),
                prefix: None,
                suffix: None,
                paragraph: None,
            },
            kind: NoteType::Context,
            body: "A *note*,\nover two lines: with a colon.".into(),
            sources: vec!["A source".into()],
            editor: None,
            date: None,
        }
    }

    const TEXT: &str = "---\n# the editor's comment\ntitle: 'Quoted: title'\nnotes:\n  - id: first\n    anchor: {exact: \"One\"}\n    type: context\n    body: B\ntags: [a]\n---\n\nOne paragraph.\n\nTwo paragraph.\n";

    #[test]
    fn adds_to_the_existing_list_changing_no_other_byte() {
        let updated = with_note(TEXT, Path::new("a.md"), &note("second", "Two"), &[]).unwrap();
        let inserted_at = TEXT.find("tags:").unwrap();
        assert_eq!(&updated[..inserted_at], &TEXT[..inserted_at]);
        let tail = &TEXT[inserted_at..];
        assert!(updated.ends_with(tail));
        let inserted = &updated[inserted_at..updated.len() - tail.len()];
        assert_eq!(
            inserted,
            "  - id: second\n    anchor:\n      exact: Two\n    type: context\n    body: |-\n      A *note*,\n      over two lines: with a colon.\n    sources:\n    - A source\n"
        );
    }

    #[test]
    fn adds_a_list_when_there_is_none() {
        let text = "---\ntitle: T\n---\nOne.\n";
        let updated = with_note(text, Path::new("a.md"), &note("n", "One"), &[]).unwrap();
        assert!(
            updated.starts_with("---\ntitle: T\nnotes:\n  - id: n\n"),
            "{updated}"
        );
        assert!(updated.ends_with("---\nOne.\n"));
        let empty_list = "---\ntitle: T\nnotes: []\n---\nOne.\n";
        let updated = with_note(empty_list, Path::new("a.md"), &note("n", "One"), &[]).unwrap();
        assert!(
            updated.starts_with("---\ntitle: T\nnotes:\n  - id: n\n"),
            "{updated}"
        );
    }

    #[test]
    fn refuses_what_the_build_would_refuse() {
        let missing = with_note(TEXT, Path::new("a.md"), &note("x", "Three"), &[]).unwrap_err();
        assert_eq!(
            missing[0].message,
            "note `x`: its quote does not occur in the text"
        );
        let ambiguous =
            with_note(TEXT, Path::new("a.md"), &note("x", "paragraph"), &[]).unwrap_err();
        assert_eq!(
            ambiguous[0].message,
            "note `x`: its quote occurs 2 times, in paragraphs 1 and 2"
        );
        let taken = with_note(TEXT, Path::new("a.md"), &note("first", "Two"), &[]).unwrap_err();
        assert_eq!(
            taken[0].message,
            "the note id `first` is already used in this edition"
        );
        let elsewhere = with_note(
            TEXT,
            Path::new("a.md"),
            &note("other", "Two"),
            &["other".into()],
        )
        .unwrap_err();
        assert_eq!(
            elsewhere[0].message,
            "the note id `other` is already used in this edition"
        );
    }

    #[test]
    fn writes_atomically_and_refuses_a_file_changed_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        fs::write(&path, TEXT).unwrap();
        add_note(&path, Path::new("a.md"), &note("second", "Two"), &[]).unwrap();
        assert!(fs::read_to_string(&path).unwrap().contains("id: second"));
        let current = fs::read_to_string(&path).unwrap();
        let err = write_atomically(&path, "new", "stale").unwrap_err();
        assert!(matches!(err, EditError::Io(_, _)));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            current,
            "unchanged after a refused write"
        );
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }
}
