//! HTTP: requests in, files of the in-memory site (or the preview's own endpoints) out.
//!
//! Pages live under the base path (`/` or `/sub/`); `/` redirects to it. The
//! preview's own endpoints live under `/__scholia/`. A path that is unsafe or
//! names no file gets the site's 404 page with status 404. HTML gets the
//! live-reload script as it is served.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State as Shared};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::{edit, reload, State};

/// Everything the preview answers.
pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/__scholia/live.js", get(reload::script))
        .route("/__scholia/events", get(reload::events))
        .route("/__scholia/status", get(reload::status))
        .route("/__scholia/notes", post(edit::add_note))
        .fallback(site_file)
        .with_state(state)
}

/// A file of the site, by its URL path below the base path.
async fn site_file(Shared(state): Shared<Arc<State>>, request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = request.uri().path();
    let base = state.base_path();
    let below_base = match path.strip_prefix(base.trim_end_matches('/')) {
        Some(rest) if rest.starts_with('/') => rest,
        Some("") => return redirect(&base),
        _ if path == "/" => return redirect(&base),
        _ => return not_found(&state),
    };
    let site = state.site();
    match site.lookup(below_base) {
        Some((rel, _))
            if rel.ends_with("index.html")
                && !below_base.ends_with('/')
                && !below_base.ends_with("index.html") =>
        {
            redirect(&format!("{path}/"))
        }
        Some((rel, body)) => file_response(&state, site.version, StatusCode::OK, &rel, body),
        None => not_found(&state),
    }
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

/// The site's 404 page with status 404, or a plain page while there is no good site yet.
fn not_found(state: &State) -> Response {
    let site = state.site();
    match site.get("404.html") {
        Some(body) => file_response(state, site.version, StatusCode::NOT_FOUND, "404.html", body),
        None => {
            let page = b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><main><h1>Not found</h1><p>No page here yet: the edition has not built without errors.</p></main></body></html>";
            file_response(state, site.version, StatusCode::NOT_FOUND, "404.html", page)
        }
    }
}

fn file_response(
    state: &State,
    version: u64,
    status: StatusCode,
    rel: &str,
    body: &[u8],
) -> Response {
    let content_type = content_type(rel);
    let body = if content_type.starts_with("text/html") {
        Body::from(reload::inject(state, version, rel, body))
    } else {
        Body::from(body.to_vec())
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The Content-Type for a file of the site, with `charset=utf-8` for text.
pub fn content_type(rel: &str) -> String {
    let mime = mime_guess::from_path(rel).first_or_octet_stream();
    let essence = mime.essence_str();
    let textual = mime.type_() == "text"
        || matches!(
            essence,
            "application/javascript" | "application/json" | "application/xml" | "image/svg+xml"
        )
        || rel.ends_with(".jsonld");
    match (essence, textual) {
        _ if rel.ends_with(".jsonld") => "application/ld+json; charset=utf-8".into(),
        ("application/javascript", _) => "text/javascript; charset=utf-8".into(),
        (essence, true) => format!("{essence}; charset=utf-8"),
        (essence, false) => essence.to_string(),
    }
}
