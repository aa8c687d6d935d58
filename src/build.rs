//! Build: runs the pipeline — load, parse, resolve, render, write — once.
//!
//! Takes [`BuildOptions`], gives a [`BuildReport`] holding every diagnostic of
//! the run. Parsing and rendering run in parallel with rayon; each parallel
//! task returns its diagnostics, merged afterwards, so one run reports all
//! problems. The output is only swapped in when there were no errors.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{display_path, Config};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::{self, Asset};
use crate::model::{Edition, Text};
use crate::parse::entities::{self, Registry};
use crate::parse::{self, ParseContext, Parsed};
use crate::render::{annotations, cite, search, Renderer, StaticFile, StaticSource, Theme};
use crate::resolve;
use crate::write::{self, SiteSink, Staging};

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: Option<PathBuf>,
    pub base_path: Option<String>,
    /// `false` for `scholia check`: everything but writing.
    pub write: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Built,
    Checked,
    /// The edition has errors (exit code 1).
    EditionErrors,
    /// book.toml, the command line or the output folder is wrong (exit code 2).
    ConfigErrors,
}

#[derive(Debug)]
pub struct BuildReport {
    pub outcome: Outcome,
    pub diagnostics: Vec<Diagnostic>,
    pub texts: usize,
    /// Editorial notes anchored, and entities registered.
    pub notes: usize,
    pub entities: usize,
    pub pages: usize,
    pub output: Option<PathBuf>,
    pub elapsed: Duration,
}

impl BuildReport {
    fn failed(outcome: Outcome, diagnostics: Vec<Diagnostic>, started: Instant) -> Self {
        BuildReport {
            outcome,
            diagnostics,
            texts: 0,
            notes: 0,
            entities: 0,
            pages: 0,
            output: None,
            elapsed: started.elapsed(),
        }
    }

    /// The one-line summary every build ends with.
    pub fn summary(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        let errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        let warnings = self.diagnostics.len() - errors;
        let warned = match warnings {
            0 => String::new(),
            1 => ", 1 warning".into(),
            n => format!(", {n} warnings"),
        };
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut counts = vec![plural(self.pages, "page", "pages")];
        if self.notes > 0 {
            counts.push(format!("{} anchored", plural(self.notes, "note", "notes")));
        }
        if self.entities > 0 {
            counts.push(plural(self.entities, "entity", "entities"));
        }
        let counts = counts.join(", ");
        match self.outcome {
            Outcome::Built => format!(
                "Built {} ({counts}) into {} in {secs:.2} s{warned}",
                plural(self.texts, "text", "texts"),
                self.output
                    .as_deref()
                    .map(display_path)
                    .unwrap_or_default()
                    .display()
            ),
            Outcome::Checked => format!(
                "Checked {} ({counts}): no errors{warned}, in {secs:.2} s",
                plural(self.texts, "text", "texts"),
            ),
            Outcome::EditionErrors | Outcome::ConfigErrors => {
                let files = self
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| &d.path)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len();
                let kept = if self.output.is_some() {
                    "; the previous site is unchanged"
                } else {
                    ""
                };
                format!(
                    "Failed: {} in {}{warned}{kept} ({secs:.2} s)",
                    plural(errors, "error", "errors"),
                    plural(files, "file", "files")
                )
            }
        }
    }
}

pub fn build(options: &BuildOptions) -> BuildReport {
    let started = Instant::now();
    let mut config = match Config::load(&options.root) {
        Ok(config) => config,
        Err(errors) => return BuildReport::failed(Outcome::ConfigErrors, errors, started),
    };
    if let Some(output) = &options.output {
        config.output_dir = output.clone();
    }
    if let Some(base) = &options.base_path {
        config.base_path = Some(normalise_base_path(base));
    }
    let output = if options.write {
        match write::check_output_dir(&config.output_dir, &config.root, &config.content_dir) {
            Ok(path) => Some(path),
            Err(d) => return BuildReport::failed(Outcome::ConfigErrors, vec![d], started),
        }
    } else {
        None
    };
    let progress = Progress::new();
    let mut sink = Diagnostics::new();
    let mut timings = Timings::new();

    let theme = Theme::load(&config);
    progress.stage("reading the edition");
    let (edition, assets, _) = read_edition_timed(&config, &mut sink, &mut timings);
    let theme = match theme {
        Ok(theme) => theme,
        Err(errors) => {
            sink.extend(errors);
            return finish(sink, Outcome::EditionErrors, &edition, 0, output, started);
        }
    };

    let staging = match &output {
        Some(out) if !sink.has_errors() => match Staging::create(out) {
            Ok(s) => Some(s),
            Err(e) => {
                sink.push(
                    Diagnostic::error(
                        display_path(out),
                        format!("cannot create a staging folder beside the output: {e}"),
                    )
                    .with_help("check that the output's parent folder is writable"),
                );
                return finish(sink, Outcome::ConfigErrors, &edition, 0, output, started);
            }
        },
        _ => None,
    };
    let renderer = Renderer::new(&theme, &config, &edition);
    progress.stage(&format!("rendering {} texts", edition.texts.len()));
    // The indexer shares the cores with rendering; beside it, neither waits for the other's last task.
    let (pages, indexed) = rayon::join(
        || {
            render_all(
                &renderer,
                staging.as_ref().map(|s| s as &dyn SiteSink),
                &assets,
                &progress,
                &mut sink,
            )
        },
        || write_search_index(&renderer, staging.as_ref().map(|s| s as &dyn SiteSink)),
    );
    timings.mark("render and write");
    if let Some((result, took)) = indexed {
        timings.record("search index (beside rendering)", took);
        if let Err(d) = result {
            sink.push(d);
        }
    }

    let outcome = match staging {
        Some(staging) if !sink.has_errors() => match staging.commit() {
            Ok(warning) => {
                sink.extend(warning);
                Outcome::Built
            }
            Err(d) => {
                sink.push(d);
                Outcome::EditionErrors
            }
        },
        Some(staging) => {
            staging.abandon();
            Outcome::EditionErrors
        }
        None if sink.has_errors() => Outcome::EditionErrors,
        None => Outcome::Checked,
    };
    timings.mark("swap in and clean up");
    progress.clear();
    timings.report();
    finish(sink, outcome, &edition, pages, output, started)
}

/// An edition read and resolved, with the theme and configuration it was
/// rendered with: what the preview server keeps between rebuilds.
pub struct Prepared {
    pub config: Config,
    pub theme: Theme,
    pub edition: Edition,
    pub assets: Vec<Asset>,
    /// The files read, for telling what a change on disk touches.
    pub sources: load::Sources,
}

/// Runs the whole pipeline like [`build`], but puts the site into `site`
/// (the preview server's memory) instead of an output folder. Gives the
/// report and, when nothing stopped the pipeline before rendering, what it
/// rendered from; `site` holds a complete site only if the report has no errors.
pub fn build_into(options: &BuildOptions, site: &dyn SiteSink) -> (BuildReport, Option<Prepared>) {
    let started = Instant::now();
    let mut config = match Config::load(&options.root) {
        Ok(config) => config,
        Err(errors) => {
            return (
                BuildReport::failed(Outcome::ConfigErrors, errors, started),
                None,
            )
        }
    };
    if let Some(base) = &options.base_path {
        config.base_path = Some(normalise_base_path(base));
    }
    let mut sink = Diagnostics::new();
    let theme = Theme::load(&config);
    let (edition, assets, sources) = read_edition_timed(&config, &mut sink, &mut Timings::new());
    let theme = match theme {
        Ok(theme) => theme,
        Err(errors) => {
            sink.extend(errors);
            let report = finish(sink, Outcome::EditionErrors, &edition, 0, None, started);
            return (report, None);
        }
    };
    let mut pages = 0;
    if !sink.has_errors() {
        let renderer = Renderer::new(&theme, &config, &edition);
        // No search index here: at 10,000 texts it takes about 2 s, so the
        // preview builds it in the background with [`search_index`].
        pages = render_all(
            &renderer,
            Some(site),
            &assets,
            &Progress { enabled: false },
            &mut sink,
        );
    }
    let outcome = match sink.has_errors() {
        true => Outcome::EditionErrors,
        false => Outcome::Built,
    };
    let report = finish(sink, outcome, &edition, pages, None, started);
    let prepared = Prepared {
        config,
        theme,
        edition,
        assets,
        sources,
    };
    (report, Some(prepared))
}

/// Loads, parses and resolves the edition: everything a command needs before rendering.
pub fn read_edition(config: &Config, sink: &mut Diagnostics) -> (Edition, Vec<Asset>) {
    let (edition, assets, _) = read_edition_timed(config, sink, &mut Timings::new());
    (edition, assets)
}

fn read_edition_timed(
    config: &Config,
    sink: &mut Diagnostics,
    timings: &mut Timings,
) -> (Edition, Vec<Asset>, load::Sources) {
    let (loaded, load_problems) = load::load(&config.content_dir, &config.root);
    sink.extend(load_problems);
    let sources = load::Sources::of(&loaded);
    timings.mark("list files");
    let (registry_files, text_files): (Vec<_>, Vec<_>) = loaded
        .files
        .into_iter()
        .partition(|f| f.kind == load::FileKind::Registry);
    // The registry comes first: every text's mentions are found while it is parsed.
    let registry = read_registry(&registry_files, sink);
    timings.mark("read registry");
    let context = ParseContext {
        registry: Some(&registry),
        entity_options: config.entities,
    };
    let parsed = parse_all(&text_files, &context, sink);
    timings.mark("read and parse");
    let (edition, resolve_problems) = resolve::resolve(parsed, registry);
    sink.extend(resolve_problems);
    timings.mark("resolve");
    if text_files.is_empty() {
        sink.push(
            Diagnostic::warning(
                display_path(&config.content_dir),
                "the content folder holds no texts",
            )
            .with_help(
                "add Markdown files with front-matter, or convert sources with `scholia import`",
            ),
        );
    }
    (edition, loaded.assets, sources)
}

fn read_registry(files: &[load::SourceEntry], sink: &mut Diagnostics) -> Registry {
    let mut entities = Vec::new();
    for entry in files {
        match entry
            .read()
            .and_then(|file| entities::parse_file(&file.text, &file.display))
        {
            Ok(found) => entities.extend(found),
            Err(d) => sink.push(d),
        }
    }
    let (registry, problems) = Registry::new(entities);
    sink.extend(problems);
    registry
}

pub(crate) fn finish(
    sink: Diagnostics,
    outcome: Outcome,
    edition: &Edition,
    pages: usize,
    output: Option<PathBuf>,
    started: Instant,
) -> BuildReport {
    BuildReport {
        outcome,
        diagnostics: sink.into_sorted(),
        texts: edition.texts.len(),
        notes: edition.texts.iter().map(|t| t.notes.len()).sum(),
        entities: edition.registry.entities.len(),
        pages,
        output,
        elapsed: started.elapsed(),
    }
}

fn parse_all(
    files: &[load::SourceEntry],
    context: &ParseContext,
    sink: &mut Diagnostics,
) -> Vec<Parsed> {
    let results: Vec<_> = files
        .par_iter()
        .map(|entry| parse::parse_file(&entry.read().map_err(|d| vec![d])?, context))
        .collect();
    let mut parsed = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(p) => parsed.push(p),
            Err(errors) => sink.extend(errors),
        }
    }
    parsed
}

/// Renders every page and, when `staging` is given, writes it. Returns the number of pages.
fn render_all(
    renderer: &Renderer,
    staging: Option<&dyn SiteSink>,
    assets: &[Asset],
    progress: &Progress,
    sink: &mut Diagnostics,
) -> usize {
    let write = |rel: &str, html: Result<String, Diagnostic>| write_page(staging, rel, html);
    let order = renderer.reading_order();
    let done = AtomicUsize::new(0);
    let text_results: Vec<Result<(), Diagnostic>> = order
        .par_iter()
        .enumerate()
        .map(|(position, _)| {
            let result = write_text(renderer, staging, &order, position);
            progress.tick(done.fetch_add(1, Ordering::Relaxed) + 1, order.len());
            result
        })
        .collect();
    let mut pages = order.len();
    let mut results = text_results;
    let entity_pages: Vec<Result<(), Diagnostic>> = (0..renderer.edition.registry.entities.len())
        .into_par_iter()
        .filter_map(|e| {
            let id = &renderer.edition.registry.entities[e].id;
            renderer
                .entity(e)
                .map(|page| write(&format!("entities/{id}/index.html"), page))
        })
        .collect();
    pages += entity_pages.len();
    results.extend(entity_pages);
    for (rel, page) in spanning_pages(renderer, |_| true) {
        pages += usize::from(rel.ends_with(".html"));
        results.push(write(&rel, page));
    }
    if let Some(staging) = staging {
        results.extend(copy_static(
            staging,
            &renderer.theme.static_files,
            assets,
            renderer.edition,
        ));
    }
    for result in results {
        if let Err(d) = result {
            sink.push(d);
            pages -= 1;
        }
    }
    pages
}

/// The pages that span the edition — the index, the 404 page, the indexes of
/// entities and notes, the comparison page and the sitemap (the last four if
/// the theme and config call for them) — by their path in the site; those
/// of [`SPANNING_PAGES`] that `wanted` takes.
pub fn spanning_pages(
    renderer: &Renderer,
    wanted: impl Fn(&str) -> bool,
) -> Vec<(String, Result<String, Diagnostic>)> {
    SPANNING_PAGES
        .iter()
        .filter(|rel| wanted(rel))
        .filter_map(|&rel| {
            let page = match rel {
                "index.html" => Some(renderer.index()),
                "404.html" => Some(renderer.not_found()),
                "entities/index.html" => renderer.entities_index(),
                "notes/index.html" => renderer.notes_index(),
                "compare/index.html" => renderer.compare(),
                "search/index.html" => renderer.search_page(),
                "sitemap.xml" => renderer.sitemap().map(Ok),
                _ => None,
            };
            Some((rel.to_string(), page?))
        })
        .collect()
}

/// The paths of the pages that span the edition.
pub const SPANNING_PAGES: [&str; 7] = [
    "index.html",
    "404.html",
    "entities/index.html",
    "notes/index.html",
    "compare/index.html",
    "search/index.html",
    "sitemap.xml",
];

/// What the search index of a prepared edition is made of, if its site has
/// search, copied so the preview can index without holding the edition.
pub fn search_documents(prepared: &Prepared) -> Option<Vec<search::Document<'static>>> {
    let renderer = Renderer::new(&prepared.theme, &prepared.config, &prepared.edition);
    renderer.has_search_page().then(|| {
        search::documents(&prepared.edition, renderer.has_template("entity.html"))
            .into_iter()
            .map(search::Document::into_owned)
            .collect()
    })
}

/// The files of the search index, by their path in the site (`search-index/…`).
pub fn search_index(documents: &[search::Document]) -> Vec<(String, Vec<u8>)> {
    search::build_index(documents)
        .into_iter()
        .map(|file| (format!("{}/{}", search::DIR, file.rel), file.contents))
        .collect()
}

/// Builds the search index and writes it under `search-index/`, when the site
/// has search and is being written; returns how long it took.
fn write_search_index(
    renderer: &Renderer,
    staging: Option<&dyn SiteSink>,
) -> Option<(Result<(), Diagnostic>, Duration)> {
    let staging = staging.filter(|_| renderer.has_search_page())?;
    let started = Instant::now();
    let documents = search::documents(renderer.edition, renderer.has_template("entity.html"));
    let result = search_index(&documents)
        .par_iter()
        .try_for_each(|(rel, contents)| {
            staging
                .write(rel, contents)
                .map_err(|e| write_error(staging.location(), rel, e))
        });
    Some((result, started.elapsed()))
}

/// Writes one rendered page into `staging`, if there is one.
pub fn write_page(
    staging: Option<&dyn SiteSink>,
    rel: &str,
    html: Result<String, Diagnostic>,
) -> Result<(), Diagnostic> {
    let html = html?;
    match staging {
        Some(s) => s
            .write(rel, html.as_bytes())
            .map_err(|e| write_error(s.location(), rel, e)),
        None => Ok(()),
    }
}

/// Renders and writes the files of the text at `position` in reading `order`:
/// its page, its annotations (if it has notes) and its citation exports.
pub fn write_text(
    renderer: &Renderer,
    staging: Option<&dyn SiteSink>,
    order: &[usize],
    position: usize,
) -> Result<(), Diagnostic> {
    let write = |rel: &str, html: Result<String, Diagnostic>| write_page(staging, rel, html);
    let index = order[position];
    let previous = position.checked_sub(1).map(|p| order[p]);
    let next = order.get(position + 1).copied();
    let text = &renderer.edition.texts[index];
    let slug = &text.id;
    write(
        &format!("{slug}/index.html"),
        renderer.text(index, (previous, next)),
    )
    .and_then(|()| match text.notes.is_empty() {
        true => Ok(()),
        false => write(
            &format!("{slug}/{}", annotations::FILE_NAME),
            Ok(annotations::annotation_page(text, renderer.config).to_string()),
        ),
    })
    .and_then(|()| {
        cite::exports(text, renderer.config)
            .into_iter()
            .try_for_each(|(rel, body)| write(&rel, Ok(body)))
    })
}

/// The paths in the site of the files [`write_text`] writes for `text`.
pub fn text_outputs(text: &Text, config: &Config) -> Vec<String> {
    let slug = &text.id;
    let mut files = vec![format!("{slug}/index.html")];
    if !text.notes.is_empty() {
        files.push(format!("{slug}/{}", annotations::FILE_NAME));
    }
    files.extend(cite::exports(text, config).into_iter().map(|(rel, _)| rel));
    files
}

fn copy_static(
    staging: &dyn SiteSink,
    theme_static: &[StaticFile],
    assets: &[Asset],
    edition: &Edition,
) -> Vec<Result<(), Diagnostic>> {
    let mut results = Vec::new();
    for file in theme_static {
        let rel = Path::new("static").join(&file.rel);
        let written = match &file.source {
            StaticSource::Disk(from) => staging.copy(from, &rel),
            StaticSource::Builtin(body) => staging.write(&rel.to_string_lossy(), body.as_bytes()),
        };
        results
            .push(written.map_err(|e| write_error(staging.location(), &rel.to_string_lossy(), e)));
    }
    let slugs: std::collections::HashSet<&str> =
        edition.texts.iter().map(|t| t.id.0.as_str()).collect();
    let content_files = assets.iter().map(|a| (a.source.clone(), a.rel.clone()));
    results.extend(content_files.map(|(from, rel)| {
        let clashes = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .is_some_and(|first| {
                let site_folder = slugs.contains(first) || resolve::RESERVED_SLUGS.contains(&first);
                site_folder && rel.file_name().is_some_and(|n| n == "index.html")
            });
        if clashes || rel == Path::new("index.html") || rel == Path::new("404.html") {
            return Err(Diagnostic::error(
                display_path(&from),
                "this file would overwrite a page of the site",
            )
            .with_help("rename or move it"));
        }
        staging
            .copy(&from, &rel)
            .map_err(|e| write_error(staging.location(), &rel.to_string_lossy(), e))
    }));
    results
}

fn write_error(dir: &Path, rel: &str, e: std::io::Error) -> Diagnostic {
    // The causes users meet: each has its own remedy.
    use std::io::ErrorKind;
    let cause = match e.kind() {
        ErrorKind::FileTooLarge => "the file is larger than this process may write (a file size limit, see `ulimit -f`): raise the limit",
        ErrorKind::StorageFull => "the disk is full: free some space",
        ErrorKind::QuotaExceeded => "your disk quota is used up: free some space or ask for a larger quota",
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only: build into a writable folder with `--output`",
        ErrorKind::PermissionDenied => "you may not write here: check the permissions of the output folder and the folder that holds it",
        _ => "check free space and permissions",
    };
    Diagnostic::error(
        display_path(&dir.join(rel)),
        format!("cannot write this file of the new site: {e}"),
    )
    .with_help(format!("{cause}; the previous site is unchanged"))
}

/// `sub/path` -> `/sub/path/`.
pub fn normalise_base_path(base: &str) -> String {
    let trimmed = base.trim_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        format!("/{trimmed}/")
    }
}

/// Stage durations, printed to stderr when `SCHOLIA_TIMINGS` is set (for benchmarks and profiling).
pub(crate) struct Timings {
    enabled: bool,
    last: Instant,
    stages: Vec<(&'static str, Duration)>,
}

impl Timings {
    pub(crate) fn new() -> Self {
        Timings {
            enabled: std::env::var_os("SCHOLIA_TIMINGS").is_some(),
            last: Instant::now(),
            stages: Vec::new(),
        }
    }

    pub(crate) fn mark(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.stages.push((stage, now - self.last));
        self.last = now;
    }

    /// A stage that ran beside the others, timed on its own.
    fn record(&mut self, stage: &'static str, took: Duration) {
        self.stages.push((stage, took));
    }

    pub(crate) fn report(&self) {
        if self.enabled {
            let parts: Vec<String> = self
                .stages
                .iter()
                .map(|(name, d)| format!("{name} {:.2} s", d.as_secs_f64()))
                .collect();
            eprintln!("timings: {}", parts.join(", "));
        }
    }
}

/// Progress on a terminal: stage names, and a counter for long renders.
struct Progress {
    enabled: bool,
}

impl Progress {
    fn new() -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal(),
        }
    }

    fn stage(&self, what: &str) {
        if self.enabled {
            eprint!("\r\x1b[2K{what}…");
        }
    }

    fn tick(&self, done: usize, total: usize) {
        if self.enabled && total >= 1000 && done % 250 == 0 {
            eprint!("\r\x1b[2Krendering {done}/{total} texts…");
        }
    }

    fn clear(&self) {
        if self.enabled {
            eprint!("\r\x1b[2K");
        }
    }
}
