//! Watch: the edition's files in, a rebuild after each burst of changes out.
//!
//! Follows `content/`, the theme folder (when it is on disk) and `book.toml`
//! with native events (inotify, FSEvents, …). Only changes count — reading a
//! file, as every build does, is not one. Events are debounced: a save that
//! writes several files rebuilds once, and changes made during a rebuild
//! cause one more. The rebuild is told which paths changed, so an edit of a
//! text renders again only the pages it affects. Where native watching cannot start (too many watches, a
//! network file system) or `SCHOLIA_POLL` is set, it polls.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use notify::event::ModifyKind;
use notify::{EventKind, RecursiveMode};

use super::State;

/// How long a burst of events may last before the rebuild starts.
const DEBOUNCE: Duration = Duration::from_millis(20);
const POLL_INTERVAL: Duration = Duration::from_millis(300);

/// A running watcher; dropping it stops watching.
pub enum Watcher {
    Native(notify::RecommendedWatcher),
    Polling(notify::PollWatcher),
    Off,
}

/// Starts watching the edition of `state`; prints why if it cannot.
pub fn start(state: Arc<State>) -> Watcher {
    let paths = watched_paths(&state);
    let (changed, changes) = mpsc::channel::<Vec<PathBuf>>();
    let handler = move |result: notify::Result<notify::Event>| {
        if let Ok(event) = result {
            let paths = changed_paths(event);
            if !paths.is_empty() {
                let _ = changed.send(paths);
            }
        }
    };
    std::thread::spawn(move || rebuild_on_changes(&state, &changes));
    if std::env::var_os("SCHOLIA_POLL").is_none() {
        if let Ok(mut watcher) = notify::recommended_watcher(handler.clone()) {
            if watch_all(&mut watcher, &paths).is_ok() {
                return Watcher::Native(watcher);
            }
        }
    }
    let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
    let polling = notify::PollWatcher::new(handler, config).and_then(|mut watcher| {
        watch_all(&mut watcher, &paths)?;
        Ok(watcher)
    });
    match polling {
        Ok(watcher) => Watcher::Polling(watcher),
        Err(e) => {
            eprintln!(
                "warning: cannot watch the edition for changes ({e}); restart serve to see edits"
            );
            Watcher::Off
        }
    }
}

/// Waits for a change, lets the burst settle, rebuilds what the changed
/// paths affect; until the watcher is dropped.
fn rebuild_on_changes(state: &State, changes: &mpsc::Receiver<Vec<PathBuf>>) {
    while let Ok(mut paths) = changes.recv() {
        while let Ok(more) = changes.recv_timeout(DEBOUNCE) {
            paths.extend(more);
        }
        paths.sort();
        paths.dedup();
        report(&state.rebuild_after(&paths));
    }
}

fn watch_all(
    watcher: &mut dyn notify::Watcher,
    paths: &[(PathBuf, RecursiveMode)],
) -> notify::Result<()> {
    for (path, mode) in paths {
        watcher.watch(path, *mode)?;
    }
    Ok(())
}

/// `content/` and the theme folder recursively, and `book.toml`.
fn watched_paths(state: &State) -> Vec<(PathBuf, RecursiveMode)> {
    let root = state.root();
    let mut paths = vec![(
        root.join(crate::config::CONFIG_FILE),
        RecursiveMode::NonRecursive,
    )];
    let (content, theme) = match state.prepared() {
        Some(p) => (p.config.content_dir.clone(), p.config.theme_dir.clone()),
        None => (root.join("content"), root.join("themes")),
    };
    if content.is_dir() {
        paths.push((content, RecursiveMode::Recursive));
    }
    if theme.is_dir() {
        paths.push((theme, RecursiveMode::Recursive));
    }
    paths
}

/// The paths of a file created, changed, renamed or removed — not one read —
/// leaving out temporary files of atomic writes and editors' swap or backup files.
fn changed_paths(event: notify::Event) -> Vec<PathBuf> {
    let changes = match event.kind {
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any => true,
        EventKind::Access(_) | EventKind::Other => false,
    };
    match changes {
        true => event
            .paths
            .into_iter()
            .filter(|p| is_edition_file(p))
            .collect(),
        false => Vec::new(),
    }
}

fn is_edition_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    !(name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp"))
}

fn report(report: &crate::build::BuildReport) {
    for d in report.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    match errors {
        0 => eprintln!("Rebuilt in {} ms", report.elapsed.as_millis()),
        n => eprintln!("Rebuild failed with {n} errors; the last good site is still served"),
    }
}
