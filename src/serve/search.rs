//! Search in the preview: the edition served in, its search index
//! (`search-index/`) put into the served site out, in the background.
//!
//! Indexing 10,000 texts takes about 2 s, far longer than a one-text
//! rebuild, so it never holds one up: after each rebuild the indexer copies
//! the documents under the build lock (quick), indexes without it, and puts
//! the files into the site then served. Until it is done the previous index
//! is served. Search files are not what a page shows, so no tab reloads.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

use super::State;
use crate::build;
use crate::render::search::DIR;

/// Starts the indexer for `state` and indexes once.
pub fn start(state: Arc<State>) {
    let (wanted, requests) = mpsc::channel();
    let _ = wanted.send(());
    *state
        .search_wanted
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Some(wanted);
    std::thread::spawn(move || {
        while requests.recv().is_ok() {
            // Requests made while indexing fold into one more run.
            while requests.try_recv().is_ok() {}
            index_once(&state);
        }
    });
}

fn index_once(state: &State) {
    let documents = {
        let _no_rebuild = state.building.lock().unwrap_or_else(|e| e.into_inner());
        state
            .prepared()
            .and_then(|prepared| build::search_documents(&prepared))
    };
    let Some(documents) = documents else {
        return;
    };
    let started = Instant::now();
    let files = build::search_index(&documents);
    let _no_rebuild = state.building.lock().unwrap_or_else(|e| e.into_inner());
    let site = state.site().with_folder(DIR, files);
    *state.site.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(site);
    if std::env::var_os("SCHOLIA_TIMINGS").is_some() {
        eprintln!("search index in {} ms", started.elapsed().as_millis());
    }
}
