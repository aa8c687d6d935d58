//! Live reload: each build's [`Status`] in, open pages told over server-sent events out.
//!
//! [`inject`] adds, to every HTML page as it is served (never to `build`
//! output), the session's token, the site version the page shows and the
//! preview script. The script listens on `/__scholia/events`: a newer site
//! reloads the page, errors show in an overlay, with `file:line:col`, until a
//! build succeeds.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State as Shared;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::Json;
use futures_util::stream::{self, Stream};

use super::{State, Status};

/// The preview's script: live reload, the error overlay and the note form.
const SCRIPT: &str = include_str!("live.js");

pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        SCRIPT,
    )
}

/// The last build's status, as JSON.
pub async fn status(Shared(state): Shared<Arc<State>>) -> Json<Status> {
    Json(state.status())
}

/// The current status at once, then one event per build.
pub async fn events(
    Shared(state): Shared<Arc<State>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.subscribe();
    let updates = stream::unfold((receiver, true), |(mut receiver, first)| async move {
        if !first && receiver.changed().await.is_err() {
            return None;
        }
        let status = receiver.borrow_and_update().clone();
        let event = Event::default()
            .json_data(&status)
            .unwrap_or_else(|_| Event::default().data("{}"));
        Some((Ok(event), (receiver, false)))
    });
    Sse::new(updates).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// The page with the preview's tags added before `</head>`: the token, the
/// version of the site it comes from and the script.
pub fn inject(state: &State, version: u64, rel: &str, html: &[u8]) -> Vec<u8> {
    let html = String::from_utf8_lossy(html);
    let token = match state.editing {
        true => state.token.as_str(),
        false => "",
    };
    let tags = format!(
        "<meta name=\"scholia-preview\" data-site=\"{}\" data-page=\"{}\" data-token=\"{token}\">\n<script src=\"/__scholia/live.js\" defer></script>\n",
        version,
        attribute(rel),
    );
    let at = html.find("</head>").unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + tags.len());
    out.push_str(&html[..at]);
    out.push_str(&tags);
    out.push_str(&html[at..]);
    out.into_bytes()
}

fn attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}
