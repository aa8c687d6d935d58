//! Serve: an edition folder in, a live HTTP preview of its site out.
//!
//! The edition is built into memory ([`site`]) and served by axum
//! ([`http`]). A watcher ([`watch`]) rebuilds when `content/`, the theme or
//! `book.toml` change; only a build without errors replaces the site, so the
//! last good site stays up while the editor fixes a mistake. Open pages learn
//! of each build over server-sent events ([`reload`]): they reload, or show
//! the build's errors in an overlay. [`edit`] takes notes written in the
//! browser and adds them to the text's file with the code of `scholia note add`.
//! None of this reaches `scholia build`: the script is added to pages as they
//! are served.

pub mod edit;
pub mod http;
pub mod reload;
pub mod search;
pub mod site;
pub mod watch;

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use serde::Serialize;
use tokio::sync::watch as channel;

use crate::build::{build_into, BuildOptions, BuildReport, Prepared};
use crate::diagnostic::Diagnostic;
use crate::incremental::{self, Rebuilt};
use site::{MemorySink, Site};

/// What `scholia serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub port: u16,
    pub bind: IpAddr,
    pub base_path: Option<String>,
    pub open: bool,
    pub allow_remote_edit: bool,
}

/// What open pages are told after each build.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    /// Counts the sites swapped in; a page showing an older one reloads.
    pub site: u64,
    /// The last build's errors; empty when it succeeded.
    pub errors: Vec<ShownError>,
}

/// One error as the overlay shows it: `content/essay.md:3:7` and the message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ShownError {
    pub location: String,
    pub message: String,
    pub help: Option<String>,
}

impl ShownError {
    pub fn of(d: &Diagnostic) -> Self {
        let mut location = d.path.display().to_string();
        if let Some(p) = d.position {
            location.push_str(&format!(":{}:{}", p.line, p.col));
        }
        ShownError {
            location,
            message: d.message.clone(),
            help: d.help.clone(),
        }
    }
}

/// Everything the server shares between requests, the watcher and rebuilds.
pub struct State {
    build_options: BuildOptions,
    site: RwLock<Arc<Site>>,
    prepared: RwLock<Option<Arc<Prepared>>>,
    base_path: RwLock<String>,
    status: channel::Sender<Status>,
    /// One rebuild at a time; a change during a build waits and rebuilds after
    /// it. Holds the paths changed since the site served was built: a rebuild
    /// that fails keeps them for the next.
    building: Mutex<BTreeSet<PathBuf>>,
    /// Asks the background indexer for a new search index, once it runs.
    search_wanted: Mutex<Option<std::sync::mpsc::Sender<()>>>,
    /// One note write at a time per text file.
    file_locks: Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>,
    pub token: String,
    pub editing: bool,
}

impl State {
    pub fn new(options: &ServeOptions) -> Arc<State> {
        let (status, _) = channel::channel(Status::default());
        Arc::new(State {
            build_options: BuildOptions {
                root: options.root.clone(),
                output: None,
                base_path: options.base_path.clone(),
                write: false,
            },
            site: RwLock::new(Arc::new(Site::default())),
            prepared: RwLock::new(None),
            base_path: RwLock::new("/".into()),
            status,
            building: Mutex::new(BTreeSet::new()),
            search_wanted: Mutex::new(None),
            file_locks: Mutex::new(HashMap::new()),
            token: session_token(),
            editing: options.bind.is_loopback() || options.allow_remote_edit,
        })
    }

    pub fn site(&self) -> Arc<Site> {
        self.site.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn prepared(&self) -> Option<Arc<Prepared>> {
        self.prepared
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn base_path(&self) -> String {
        self.base_path
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn root(&self) -> &Path {
        &self.build_options.root
    }

    pub fn subscribe(&self) -> channel::Receiver<Status> {
        self.status.subscribe()
    }

    pub fn status(&self) -> Status {
        self.status.borrow().clone()
    }

    /// Builds the edition into memory; swaps the site in if there were no errors,
    /// and tells open pages either way. Blocks: call it off the async workers.
    pub fn rebuild(&self) -> BuildReport {
        let mut pending = self.building.lock().unwrap_or_else(|e| e.into_inner());
        self.full_rebuild(&mut pending)
    }

    /// Rebuilds after `changed` paths changed: only the pages they affect when
    /// they are edits of texts, else the whole site. Blocks like [`State::rebuild`].
    pub fn rebuild_after(&self, changed: &[PathBuf]) -> BuildReport {
        let mut pending = self.building.lock().unwrap_or_else(|e| e.into_inner());
        pending.extend(changed.iter().cloned());
        let started = Instant::now();
        let paths: Vec<PathBuf> = pending.iter().cloned().collect();
        let sink = MemorySink::default();
        let rebuilt = {
            let mut prepared = self.prepared.write().unwrap_or_else(|e| e.into_inner());
            // Shared only while a note is being written; then build it all.
            match prepared.as_mut().and_then(Arc::get_mut) {
                Some(prepared) => incremental::rebuild(prepared, &paths, &sink),
                None => Rebuilt::NeedsFullBuild,
            }
        };
        match rebuilt {
            Rebuilt::NeedsFullBuild => self.full_rebuild(&mut pending),
            Rebuilt::Failed(report) => {
                self.tell_failed(&report);
                log_time("incremental, failed", report.pages, started);
                report
            }
            Rebuilt::Updated { report, removed } => {
                self.update_served(sink, &removed, &report);
                pending.clear();
                log_time("incremental", report.pages, started);
                report
            }
        }
    }

    fn full_rebuild(&self, pending: &mut BTreeSet<PathBuf>) -> BuildReport {
        let started = Instant::now();
        let sink = match crate::config::Config::load(&self.build_options.root) {
            Ok(c) => MemorySink::confined_to(&[&c.content_dir, &c.theme_dir]),
            Err(_) => MemorySink::default(),
        };
        let (report, prepared) = build_into(&self.build_options, &sink);
        for outside in sink.left_out() {
            eprintln!(
                "warning: {} links to a file outside the edition; the preview does not serve it",
                crate::config::display_path(&outside).display()
            );
        }
        match (has_errors(&report), prepared) {
            (false, Some(prepared)) => {
                let base = prepared
                    .config
                    .base_path
                    .clone()
                    .unwrap_or_else(|| "/".into());
                *self.base_path.write().unwrap_or_else(|e| e.into_inner()) = base;
                *self.prepared.write().unwrap_or_else(|e| e.into_inner()) =
                    Some(Arc::new(prepared));
                let mut site = sink.into_site();
                site.keep_folder_of(&self.site(), crate::render::search::DIR);
                self.swap_in(site, &report);
                pending.clear();
            }
            (false, None) => {
                self.swap_in(sink.into_site(), &report);
                pending.clear();
            }
            (true, _) => self.tell_failed(&report),
        }
        log_time("full", report.pages, started);
        report
    }

    /// Serves `site` from now on, and tells open pages to reload — unless it
    /// is the site already served: a rebuild that changed nothing (the watcher
    /// seeing a note the server already built) must not reload every tab again.
    fn swap_in(&self, site: Site, report: &BuildReport) {
        match site.same_files_as(&self.site()) {
            true => self.tell_failed(report),
            false => self.swap_in_new(site, report),
        }
    }

    /// Serves `site`, known to differ from the one served, and tells open pages to reload.
    fn swap_in_new(&self, mut site: Site, report: &BuildReport) {
        let version = self.status.borrow().site + 1;
        site.version = version;
        *self.site.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(site);
        self.served_new(version, report);
    }

    /// Puts an incremental rebuild's pages into the site served and tells
    /// open pages to reload, unless no file changed. In place, unless a
    /// request still reads the site: then into a copy.
    fn update_served(&self, changes: MemorySink, removed: &[String], report: &BuildReport) {
        let version = self.status.borrow().site + 1;
        let changed = {
            let mut served = self.site.write().unwrap_or_else(|e| e.into_inner());
            let site = Arc::make_mut(&mut served);
            let changed = site.update(changes, removed);
            if changed {
                site.version = version;
            }
            changed
        };
        match changed {
            true => self.served_new(version, report),
            false => self.tell_failed(report),
        }
    }

    /// Tells open pages that site `version` is served, and asks for its search index.
    fn served_new(&self, version: u64, report: &BuildReport) {
        self.tell(version, report);
        if let Some(indexer) = &*self.search_wanted.lock().unwrap_or_else(|e| e.into_inner()) {
            let _ = indexer.send(());
        }
    }

    /// Tells open pages the errors of a build; the site served stays.
    fn tell_failed(&self, report: &BuildReport) {
        // Read apart from the send: a borrow held across it would deadlock.
        let served = self.status.borrow().site;
        self.tell(served, report);
    }

    /// Tells open pages which site is served and the errors of the last build.
    fn tell(&self, site: u64, report: &BuildReport) {
        let errors = report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(ShownError::of)
            .collect();
        self.status.send_replace(Status { site, errors });
    }

    /// The lock that serialises writes to one text file.
    pub fn file_lock(&self, path: &Path) -> Arc<Mutex<()>> {
        let mut locks = self.file_locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(path.to_path_buf()).or_default().clone()
    }
}

fn has_errors(report: &BuildReport) -> bool {
    report.diagnostics.iter().any(|d| d.is_error())
}

/// `rebuilt in N ms (incremental: P pages)`, with `SCHOLIA_TIMINGS` set (benchmarks read it).
fn log_time(kind: &str, pages: usize, started: Instant) {
    if std::env::var_os("SCHOLIA_TIMINGS").is_some() {
        eprintln!(
            "rebuilt in {} ms ({kind}: {pages} pages)",
            started.elapsed().as_millis()
        );
    }
}

/// 128 random bits from the kernel, as hex; falls back to the clock and process id.
fn session_token() -> String {
    use std::io::Read as _;
    let mut bytes = [0u8; 16];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if random.is_err() {
        use sha2::Digest as _;
        let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
        bytes.copy_from_slice(&sha2::Sha256::digest(seed.as_bytes())[..16]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// book.toml or the theme is unusable: exit code 2.
    Config(Vec<Diagnostic>),
    /// The address could not be bound, or the runtime not started.
    Start(String),
}

/// Builds the edition, then serves it until the process is stopped.
pub fn serve(options: &ServeOptions) -> Result<(), ServeError> {
    let address = SocketAddr::new(options.bind, options.port);
    let listener = std::net::TcpListener::bind(address).map_err(|e| {
        ServeError::Start(match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "port {} is already in use on {}; choose another with -p, e.g. `scholia serve -p {}`",
                options.port,
                options.bind,
                options.port.wrapping_add(1).max(1024)
            ),
            _ => format!("cannot listen on {address}: {e}"),
        })
    })?;
    let address = listener
        .local_addr()
        .map_err(|e| ServeError::Start(e.to_string()))?;
    let state = State::new(options);
    let report = state.rebuild();
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    if report.outcome == crate::build::Outcome::ConfigErrors {
        return Err(ServeError::Config(Vec::new()));
    }
    if state.prepared().is_none() {
        eprintln!("The edition has errors: the preview shows them until they are fixed.");
    } else {
        println!("{}", report.summary().replace(" into  ", " "));
    }
    let _watcher = watch::start(state.clone());
    search::start(state.clone());
    let url = format!("http://{}{}", shown_host(address), state.base_path());
    println!("Serving the edition at {url} (Ctrl-C to stop)");
    if !state.editing {
        println!("Adding notes from the browser is off on a non-loopback address; pass --allow-remote-edit to turn it on.");
    } else if !options.bind.is_loopback() {
        println!("Adding notes from the browser is on for anyone who can reach {address} (--allow-remote-edit).");
    }
    if options.open {
        open_browser(&url);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ServeError::Start(format!("cannot start the server: {e}")))?;
    runtime.block_on(async move {
        listener
            .set_nonblocking(true)
            .map_err(|e| ServeError::Start(e.to_string()))?;
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| ServeError::Start(e.to_string()))?;
        axum::serve(listener, http::router(state))
            .await
            .map_err(|e| ServeError::Start(format!("the server stopped: {e}")))
    })
}

/// `127.0.0.1:3000`, with `localhost` for loopback so the URL is the one to type.
fn shown_host(address: SocketAddr) -> String {
    match address.ip() {
        ip if ip.is_unspecified() => format!("127.0.0.1:{}", address.port()),
        ip if ip.is_loopback() && ip.is_ipv4() => format!("127.0.0.1:{}", address.port()),
        _ => address.to_string(),
    }
}

/// Opens `url` in the desktop's browser, if there is one; never fails the server.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_err()
    {
        eprintln!("Could not open a browser ({opener} is missing); open {url} yourself.");
    }
}
