//! The note form's endpoint: a note written in the browser in, the text's file rewritten out.
//!
//! A request must carry the session's token (given only to pages this server
//! served), come from a page of this server (its `Origin`), and stay under
//! [`LIMIT`]. The text is found by its slug among the edition's texts — never
//! by a path the browser sends — and the file must lie in the content folder.
//! The anchor is the selected quote with as little of the context around it
//! as makes it unique; it is checked by [`crate::edit::with_note`], the code of
//! `scholia note add`, and written by [`crate::edit::write_atomically`]. Writes
//! to one file are serialised, so two notes sent at once both land.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::State as Shared;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::{ShownError, State};
use crate::diagnostic::Diagnostic;
use crate::edit::{note_id_from, today, with_note, write_atomically, EditError};
use crate::load::{FileKind, SourceFile};
use crate::parse::notes::{NoteType, RawAnchor, RawNote};
use crate::parse::{parse_file, ParseContext, Parsed};

/// The largest request the endpoint reads.
pub const LIMIT: usize = 64 * 1024;
/// The header that carries the session's token.
pub const TOKEN_HEADER: &str = "x-scholia-token";
/// Words of context tried each side of the quote to make it unique.
const MAX_CONTEXT_WORDS: usize = 12;

/// A note as the form sends it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// The text's slug.
    pub text: String,
    pub quote: String,
    /// What precedes and follows the selection in its paragraph.
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub suffix: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub body: String,
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Added {
    id: String,
    file: String,
    /// The file written, for the rebuild.
    #[serde(skip)]
    path: PathBuf,
}

#[derive(Debug, Serialize)]
struct Refused {
    errors: Vec<ShownError>,
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    let error = ShownError {
        location: String::new(),
        message: message.into(),
        help: None,
    };
    (
        status,
        Json(Refused {
            errors: vec![error],
        }),
    )
        .into_response()
}

/// `POST /__scholia/notes`.
pub async fn add_note(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(response) = check_request(&state, &headers) {
        return response;
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > LIMIT) {
        return too_large();
    }
    let Ok(bytes) = to_bytes(body, LIMIT).await else {
        return too_large();
    };
    let request: NoteRequest = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("not a note: {e}")),
    };
    let worker = state.clone();
    let result = tokio::task::spawn_blocking(move || {
        let added = write_note(&worker, &request);
        if let Ok(added) = &added {
            worker.rebuild_after(std::slice::from_ref(&added.path));
        }
        added
    })
    .await;
    match result {
        Ok(Ok(added)) => (StatusCode::CREATED, Json(added)).into_response(),
        Ok(Err(response)) => response,
        Err(_) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the note could not be added",
        ),
    }
}

fn too_large() -> Response {
    refuse(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("a note may be at most {} KiB", LIMIT / 1024),
    )
}

/// The token, and an `Origin` that is this server as the browser reached it.
fn check_request(state: &State, headers: &HeaderMap) -> Result<(), Response> {
    if !state.editing {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "adding notes is off: the preview listens on a non-loopback address without --allow-remote-edit",
        ));
    }
    let token = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok());
    if token != Some(state.token.as_str()) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "missing or wrong session token: reload the page",
        ));
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let same_origin = match (host, origin) {
        (Some(host), Some(origin)) => origin == format!("http://{host}"),
        _ => false,
    };
    if !same_origin {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "notes are accepted only from the preview's own pages",
        ));
    }
    Ok(())
}

/// Finds the text, anchors the note and writes it; the note's id and file on success.
fn write_note(state: &State, request: &NoteRequest) -> Result<Added, Response> {
    let Some(kind) = NoteType::parse(&request.kind) else {
        let names: Vec<&str> = NoteType::ALL.iter().map(|t| t.name()).collect();
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the type must be one of {}", names.join(", ")),
        ));
    };
    let body = request.body.trim_end().to_string();
    if body.trim().is_empty() {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the note's body is empty; nothing was added",
        ));
    }
    let quote = collapse_spaces(&request.quote);
    if quote.is_empty() {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "select the passage the note is about",
        ));
    }
    let Some(prepared) = state.prepared() else {
        return Err(refuse(
            StatusCode::CONFLICT,
            "the edition has errors; fix them before adding notes",
        ));
    };
    let edition = &prepared.edition;
    let Some(text) = edition.texts.iter().find(|t| t.id.0 == request.text) else {
        return Err(refuse(
            StatusCode::NOT_FOUND,
            format!("no text `{}` in this edition", request.text),
        ));
    };
    let path = content_file(
        &prepared.config.content_dir,
        state.root(),
        &text.source_path,
    )
    .ok_or_else(|| {
        refuse(
            StatusCode::FORBIDDEN,
            "this text's file is not in the content folder",
        )
    })?;
    let taken = crate::edit::note_ids_of_other_texts(edition, &text.id);
    let display = text.source_path.clone();

    let lock = state.file_lock(&path);
    let _only_writer = lock.lock().unwrap_or_else(|e| e.into_inner());
    let original = std::fs::read_to_string(&path).map_err(|e| io_error(&display, &e))?;
    let mut used = taken.clone();
    used.extend(note_ids(&original, &display));
    let mut note = RawNote {
        id: note_id_from(Some(&quote), None, &used),
        anchor: RawAnchor {
            exact: Some(quote.clone()),
            prefix: None,
            suffix: None,
            paragraph: None,
        },
        kind,
        body,
        sources: request
            .sources
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        editor: None,
        date: Some(today()),
    };
    let prefix = collapse_spaces(request.prefix.as_deref().unwrap_or(""));
    let suffix = collapse_spaces(request.suffix.as_deref().unwrap_or(""));
    let mut first_error: Option<Vec<Diagnostic>> = None;
    for (before, after) in context_candidates(&prefix, &suffix) {
        note.anchor.prefix = before;
        note.anchor.suffix = after;
        match with_note(&original, &display, &note, &taken) {
            Ok(updated) => {
                return match write_atomically(&path, &updated, &original) {
                    Ok(()) => Ok(Added {
                        id: note.id.clone(),
                        file: display.display().to_string(),
                        path: path.clone(),
                    }),
                    Err(EditError::Io(_, e)) => Err(io_error(&display, &e)),
                    Err(EditError::Invalid(problems)) => Err(invalid(&problems)),
                };
            }
            Err(problems) => {
                first_error.get_or_insert(problems);
            }
        }
    }
    Err(invalid(&first_error.unwrap_or_default()))
}

fn invalid(problems: &[Diagnostic]) -> Response {
    let errors = problems.iter().map(ShownError::of).collect();
    (StatusCode::UNPROCESSABLE_ENTITY, Json(Refused { errors })).into_response()
}

fn io_error(display: &Path, e: &std::io::Error) -> Response {
    refuse(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("cannot write {}: {e}", display.display()),
    )
}

/// The file of a text, if it is a Markdown file inside the content folder.
fn content_file(content_dir: &Path, root: &Path, source_path: &Path) -> Option<PathBuf> {
    let joined = root.join(source_path);
    let path = if joined.is_file() {
        joined
    } else {
        source_path.to_path_buf()
    };
    let path = path.canonicalize().ok()?;
    let content = content_dir.canonicalize().ok()?;
    let markdown = path.extension().is_some_and(|e| e == "md");
    (path.starts_with(&content) && markdown && path.is_file()).then_some(path)
}

/// The ids of the notes already in a text's file.
fn note_ids(source: &str, display: &Path) -> Vec<String> {
    let file = SourceFile {
        kind: FileKind::Text,
        rel: display.to_path_buf(),
        display: display.to_path_buf(),
        text: source.to_string(),
    };
    match parse_file(&file, &ParseContext::default()) {
        Ok(Parsed::Text(text)) => text.notes.iter().map(|n| n.note.id.clone()).collect(),
        _ => Vec::new(),
    }
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The quote alone first, then one more word of context each side at a time.
fn context_candidates(prefix: &str, suffix: &str) -> Vec<(Option<String>, Option<String>)> {
    let before: Vec<&str> = prefix.split(' ').filter(|w| !w.is_empty()).collect();
    let after: Vec<&str> = suffix.split(' ').filter(|w| !w.is_empty()).collect();
    let mut candidates = vec![(None, None)];
    let most = before.len().max(after.len()).min(MAX_CONTEXT_WORDS);
    for n in 1..=most {
        let b = &before[before.len().saturating_sub(n)..];
        let a = &after[..n.min(after.len())];
        let join = |words: &[&str]| (!words.is_empty()).then(|| words.join(" "));
        candidates.push((join(b), join(a)));
    }
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_grows_a_word_at_a_time() {
        let c = context_candidates("one two three", "four");
        assert_eq!(c[0], (None, None));
        assert_eq!(c[1], (Some("three".into()), Some("four".into())));
        assert_eq!(c[3], (Some("one two three".into()), Some("four".into())));
        assert_eq!(c.len(), 4);
    }
}
