//! Shared helpers for scholia's integration tests: `mod support;` at the top
//! of a file under `tests/` brings them in.
//!
//! - running the binary: [`scholia_bin`], [`scholia`], [`build_site`],
//!   [`build_bundled_edition`];
//! - external tools, found or skipped: [`tool_or_skip`], [`vnu_or_skip`],
//!   [`Chromium::find_or_skip`] (a missing tool is a visible skip on a
//!   developer's machine and a failure under `CI=true`; `bash .ci/run`
//!   installs them all);
//! - the Nu Html Checker: [`Vnu::check`];
//! - headless Chromium: [`Chromium::dump_dom`], [`Chromium::screenshot`],
//!   [`Chromium::eval`], [`Chromium::axe`];
//! - a static file server on 127.0.0.1: [`serve_dir`], [`serve_dir_at`];
//! - files: [`copy_dir`], [`tree_snapshot`], [`assert_trees_equal`],
//!   [`file_url`];
//! - the site's own link checker: [`links`];
//! - words as readers see them, for faithful-import checks: [`words`].
#![allow(dead_code)]

pub mod links;
pub mod preview;
pub mod words;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

// --- the crate and its binary ------------------------------------------------

/// The repository root (it holds `book.toml` of the bundled edition).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `scholia` binary that cargo built for this integration test.
pub fn scholia_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_scholia"))
}

/// `scholia ARGS...`, ready to run, with colours off.
pub fn scholia<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new(scholia_bin());
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// An edition in a temporary folder: `book.toml` and the given files of its content folder.
pub fn edition(book_toml: &str, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    fs::write(dir.path().join("book.toml"), book_toml).expect("book.toml");
    fs::create_dir_all(dir.path().join("content")).expect("content folder");
    for (path, body) in files {
        let path = dir.path().join("content").join(path);
        fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        fs::write(path, body).expect("a content file");
    }
    dir
}

/// [`edition`] with a minimal book.toml and text files.
pub fn edition_of_texts(files: &[(&str, &str)]) -> tempfile::TempDir {
    let bytes: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_bytes())).collect();
    edition("[edition]\ntitle = \"T\"\n", &bytes)
}

/// What a command printed to stderr, split into its diagnostics and its final
/// summary line (which holds a time, so tests compare the two apart).
pub fn diagnostics(out: &Output) -> (String, String) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stderr = stderr.trim_end();
    let (body, summary) = stderr.rsplit_once('\n').unwrap_or(("", stderr));
    (format!("{body}\n"), summary.to_string())
}

/// Formats a finished command's exit status and output for a panic message.
pub fn describe_output(what: &str, out: &Output) -> String {
    format!(
        "{what}: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `scholia build ROOT -o OUT EXTRA...` and panics, with its output, unless it succeeds.
#[track_caller]
pub fn build_site(root: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut cmd = scholia([
        "build".as_ref(),
        root.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    cmd.args(extra);
    let output = run_with_timeout(&mut cmd, Duration::from_secs(300));
    assert!(
        output.status.success(),
        "{}",
        describe_output(
            &format!(
                "scholia build {} -o {} {}",
                root.display(),
                out.display(),
                extra.join(" ")
            ),
            &output
        )
    );
    output
}

/// Builds the repository's bundled edition into a fresh temporary folder and
/// returns the folder; the site is in `<folder>/book`.
pub fn build_bundled_edition(extra: &[&str]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temporary folder");
    build_site(&repo_root(), &tmp.path().join("book"), extra);
    tmp
}

/// Every `*.html` file under `dir`, as paths relative to `dir`, sorted.
pub fn html_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    walk_files(dir, &mut |rel, kind| {
        if kind == EntryKind::File && rel.extension().is_some_and(|e| e == "html" || e == "htm") {
            files.push(rel.to_path_buf());
        }
    });
    files
}

// --- external tools ----------------------------------------------------------

/// True when running under CI (`CI=true`), where a missing tool is a failure.
pub fn in_ci() -> bool {
    matches!(
        std::env::var("CI")
            .map(|v| v.to_ascii_lowercase())
            .as_deref(),
        Ok("true") | Ok("1")
    )
}

/// The running test's name (libtest names each test's thread after it).
pub fn current_test_name() -> String {
    thread::current().name().unwrap_or("<test>").to_string()
}

/// Passes a found tool through. A missing one (`found == None`) makes the
/// test skip: outside CI it prints `SKIPPED: <test>: <tool> not found; run
/// bash .ci/run to install it` straight to stderr (past the test harness's
/// capture, so it shows even when the test passes) and returns `None`, for
/// the test to return early; under `CI=true` it panics.
pub fn tool_or_skip(tool: &str, found: Option<PathBuf>) -> Option<PathBuf> {
    if found.is_some() {
        return found;
    }
    let test = current_test_name();
    if in_ci() {
        panic!("{test}: {tool} not found, and CI=true: in CI a missing tool is a failure (bash .ci/run installs it)");
    }
    let line = format!("SKIPPED: {test}: {tool} not found; run bash .ci/run to install it\n");
    // io::stderr() bypasses libtest's capture, which only takes eprint!/print!.
    let _ = io::stderr().write_all(line.as_bytes());
    None
}

fn env_path(var: &str) -> Option<Option<PathBuf>> {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => {
            let p = PathBuf::from(v);
            Some(p.exists().then_some(p))
        }
        _ => None,
    }
}

fn existing(p: PathBuf) -> Option<PathBuf> {
    p.exists().then_some(p)
}

/// Looks `name` up in `PATH`.
pub fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// `target/tools/`, where `bash .ci/run` installs the npm tools.
pub fn tools_dir() -> PathBuf {
    repo_root().join("target").join("tools")
}

/// The Nu Html Checker's jar: `$SCHOLIA_VNU_JAR`, else the one `.ci/run`
/// installs in `target/tools/node_modules/vnu-jar/build/dist/vnu.jar`.
pub fn vnu_jar() -> Option<PathBuf> {
    env_path("SCHOLIA_VNU_JAR")
        .unwrap_or_else(|| existing(tools_dir().join("node_modules/vnu-jar/build/dist/vnu.jar")))
}

/// axe-core's script: `$SCHOLIA_AXE_JS`, else `target/tools/node_modules/axe-core/axe.min.js`.
pub fn axe_js() -> Option<PathBuf> {
    env_path("SCHOLIA_AXE_JS")
        .unwrap_or_else(|| existing(tools_dir().join("node_modules/axe-core/axe.min.js")))
}

/// `java`: `$SCHOLIA_JAVA`, `$JAVA_HOME/bin/java`, or `java` in `PATH`.
pub fn java() -> Option<PathBuf> {
    env_path("SCHOLIA_JAVA")
        .or_else(|| {
            std::env::var_os("JAVA_HOME")
                .map(|h| existing(PathBuf::from(h).join("bin/java")))
                .filter(Option::is_some)
        })
        .unwrap_or_else(|| find_in_path("java"))
}

/// Chromium: `$SCHOLIA_CHROMIUM`, `/usr/bin/chromium`, or `chromium` /
/// `chromium-browser` in `PATH`.
pub fn chromium() -> Option<PathBuf> {
    env_path("SCHOLIA_CHROMIUM").unwrap_or_else(|| {
        existing(PathBuf::from("/usr/bin/chromium"))
            .or_else(|| find_in_path("chromium"))
            .or_else(|| find_in_path("chromium-browser"))
    })
}

/// Node.js: `$SCHOLIA_NODE` or `node` in `PATH`.
pub fn node() -> Option<PathBuf> {
    env_path("SCHOLIA_NODE").unwrap_or_else(|| find_in_path("node"))
}

// --- processes ---------------------------------------------------------------

/// Runs `cmd` to completion with stdout and stderr captured; kills it and
/// panics if it takes longer than `timeout`.
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for a child process") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let err = err_reader.join().unwrap_or_default();
            panic!(
                "{cmd:?} did not finish within {timeout:?}; stderr:\n{}",
                String::from_utf8_lossy(&err)
            );
        }
        thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

// --- the Nu Html Checker -----------------------------------------------------

/// One message of the Nu Html Checker.
#[derive(Debug, Clone)]
pub struct VnuMessage {
    /// `error`, `non-document-error`, `info`, ...
    pub kind: String,
    /// The checked file (a `file:` URL as vnu reports it).
    pub url: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
    pub extract: Option<String>,
}

impl std::fmt::Display for VnuMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self.url.strip_prefix("file:").unwrap_or(&self.url);
        write!(f, "{file}")?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}: {}", self.kind, self.message)?;
        if let Some(x) = &self.extract {
            write!(f, "\n    {}", x.replace('\n', "\u{23CE}"))?;
        }
        Ok(())
    }
}

/// `java` and `vnu.jar`, both found.
pub struct Vnu {
    pub java: PathBuf,
    pub jar: PathBuf,
}

/// Finds java and vnu.jar, or skips (see [`tool_or_skip`]).
pub fn vnu_or_skip() -> Option<Vnu> {
    let java = tool_or_skip("java", java())?;
    let jar = tool_or_skip(
        "vnu.jar (npm vnu-jar in target/tools, or $SCHOLIA_VNU_JAR)",
        vnu_jar(),
    )?;
    Some(Vnu { java, jar })
}

impl Vnu {
    /// Checks every HTML file under the given files or folders in one run of
    /// `java -jar vnu.jar --errors-only --format json --stdout --skip-non-html`
    /// and returns its messages (errors only; an empty list means valid).
    pub fn check(&self, paths: &[&Path]) -> Vec<VnuMessage> {
        let mut cmd = Command::new(&self.java);
        cmd.arg("-jar")
            .arg(&self.jar)
            .args([
                "--errors-only",
                "--format",
                "json",
                "--stdout",
                "--skip-non-html",
                "--no-langdetect",
            ])
            .args(paths);
        let out = run_with_timeout(&mut cmd, Duration::from_secs(300));
        let text = String::from_utf8_lossy(&out.stdout);
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "vnu printed no JSON ({e}); {}",
                describe_output("java -jar vnu.jar", &out)
            )
        });
        let messages = json["messages"]
            .as_array()
            .unwrap_or_else(|| panic!("vnu JSON without messages: {text}"));
        let msgs: Vec<VnuMessage> = messages
            .iter()
            .map(|m| VnuMessage {
                kind: m["type"].as_str().unwrap_or("?").to_string(),
                url: m["url"].as_str().unwrap_or("?").to_string(),
                line: m["firstLine"].as_u64().or_else(|| m["lastLine"].as_u64()),
                column: m["firstColumn"].as_u64(),
                message: m["message"].as_str().unwrap_or("").to_string(),
                extract: m["extract"].as_str().map(str::to_string),
            })
            .collect();
        // vnu exits 1 when it found errors; any other failure is the harness's.
        assert!(
            out.status.success() || !msgs.is_empty(),
            "{}",
            describe_output("java -jar vnu.jar", &out)
        );
        msgs
    }
}

// --- headless Chromium -------------------------------------------------------

/// Headless Chromium (and Node.js, which drives it over the DevTools protocol
/// with `tests/support/cdp.mjs`). Every run gets a fresh profile folder.
pub struct Chromium {
    pub exe: PathBuf,
    pub node: PathBuf,
}

/// The flags every headless run needs on these machines (no sandbox as root,
/// and no background connections: the network is closed).
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
];

/// One page load in headless Chromium (see [`Chromium::load`]).
#[derive(Debug, Clone)]
pub struct PageLoad {
    /// The value of the evaluated JavaScript.
    pub value: serde_json::Value,
    /// Requests that failed or got HTTP status >= 400, as `Type URL: error`
    /// (e.g. `Stylesheet file:///x/style.css: net::ERR_FILE_NOT_FOUND`).
    pub failed: Vec<String>,
    /// Console messages, as `type: text`.
    pub console: Vec<String>,
    /// Uncaught exceptions.
    pub exceptions: Vec<String>,
}

/// What the browser pretends while a page loads (see `cdp.mjs`).
#[derive(Debug, Clone, Default)]
pub struct Emulate {
    /// The page's own JavaScript is disabled (evaluated expressions still run).
    pub no_script: bool,
    /// The CSS media type, such as `print`.
    pub media: Option<&'static str>,
    /// `prefers-color-scheme`: `light` or `dark`.
    pub color_scheme: Option<&'static str>,
}

impl Emulate {
    fn add_args(&self, cmd: &mut Command) {
        if self.no_script {
            cmd.arg("--no-script");
        }
        if let Some(media) = self.media {
            cmd.args(["--media", media]);
        }
        if let Some(scheme) = self.color_scheme {
            cmd.args(["--color-scheme", scheme]);
        }
    }
}

/// What axe-core found wrong on a page.
#[derive(Debug, Clone)]
pub struct AxeViolation {
    pub id: String,
    pub impact: String,
    pub help: String,
    /// CSS selectors of the offending elements.
    pub nodes: Vec<String>,
}

impl std::fmt::Display for AxeViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {} at {}",
            self.id,
            self.impact,
            self.help,
            self.nodes.join(", ")
        )
    }
}

impl Chromium {
    /// Finds Chromium and Node.js, or skips (see [`tool_or_skip`]).
    pub fn find_or_skip() -> Option<Chromium> {
        let exe = tool_or_skip("chromium", chromium())?;
        let node = tool_or_skip("node", node())?;
        Some(Chromium { exe, node })
    }

    fn command(&self, profile: &Path) -> Command {
        let mut cmd = Command::new(&self.exe);
        cmd.args(CHROMIUM_FLAGS);
        let mut dir = OsString::from("--user-data-dir=");
        dir.push(profile);
        cmd.arg(dir);
        cmd
    }

    /// The page's DOM after load (and after its scripts ran, up to a 2 s
    /// virtual-time budget), serialised as HTML.
    pub fn dump_dom(&self, url: &str) -> String {
        let profile = tempfile::tempdir().expect("profile folder");
        let mut cmd = self.command(profile.path());
        cmd.args(["--virtual-time-budget=2000", "--dump-dom", url]);
        let out = run_with_timeout(&mut cmd, Duration::from_secs(60));
        assert!(
            out.status.success(),
            "{}",
            describe_output("chromium --dump-dom", &out)
        );
        String::from_utf8(out.stdout).expect("chromium printed UTF-8")
    }

    /// A PNG screenshot of the page at a `width` x `height` window, written to `png`.
    pub fn screenshot(&self, url: &str, width: u32, height: u32, png: &Path) {
        let profile = tempfile::tempdir().expect("profile folder");
        let mut cmd = self.command(profile.path());
        let mut shot = OsString::from("--screenshot=");
        shot.push(png);
        cmd.arg(shot)
            .arg(format!("--window-size={width},{height}"))
            .args(["--virtual-time-budget=2000", url]);
        let out = run_with_timeout(&mut cmd, Duration::from_secs(60));
        assert!(
            out.status.success() && png.is_file(),
            "{}",
            describe_output("chromium --screenshot", &out)
        );
    }

    /// Loads `url` in a `width` x `height` viewport, runs the `inject`ed
    /// script files, evaluates `js` (awaiting it if it is a promise) and
    /// returns its value as JSON. Panics if loading or evaluating fails.
    pub fn eval(
        &self,
        url: &str,
        width: u32,
        height: u32,
        inject: &[&Path],
        js: &str,
    ) -> serde_json::Value {
        self.load(url, width, height, inject, js).value
    }

    /// Like [`Chromium::eval`], and also returns what went wrong while the
    /// page loaded: failed requests, console messages, uncaught exceptions.
    pub fn load(&self, url: &str, width: u32, height: u32, inject: &[&Path], js: &str) -> PageLoad {
        self.load_emulated(url, width, height, &Emulate::default(), inject, js)
    }

    /// Like [`Chromium::load`], with the page's scripts, media type or colour scheme emulated.
    pub fn load_emulated(
        &self,
        url: &str,
        width: u32,
        height: u32,
        emulate: &Emulate,
        inject: &[&Path],
        js: &str,
    ) -> PageLoad {
        let mut cmd = self.cdp_command(url, width, height, inject);
        emulate.add_args(&mut cmd);
        cmd.args(["--eval", js]);
        page_load(self.run_cdp(cmd))
    }

    /// Opens `url`, types `text` key by key into the element `selector`,
    /// presses Enter, and evaluates `js` on the page that opens.
    pub fn type_and_submit(
        &self,
        url: &str,
        (width, height): (u32, u32),
        (selector, text): (&str, &str),
        js: &str,
    ) -> PageLoad {
        let mut cmd = self.cdp_command(url, width, height, &[]);
        cmd.args([
            "--type-into",
            selector,
            "--type",
            text,
            "--enter",
            "--eval",
            js,
        ]);
        page_load(self.run_cdp(cmd))
    }

    /// Like [`Chromium::screenshot`] but through the DevTools protocol, after
    /// evaluating `js` (e.g. to open a popover) — pass `""` for none.
    pub fn screenshot_after(&self, url: &str, width: u32, height: u32, js: &str, png: &Path) {
        let mut cmd = self.cdp_command(url, width, height, &[]);
        if !js.is_empty() {
            cmd.args(["--eval", js]);
        }
        cmd.arg("--screenshot").arg(png);
        self.run_cdp(cmd);
    }

    /// Runs axe-core on the page against WCAG 2.1 A and AA and returns the
    /// violations. Skips (see [`tool_or_skip`]) without axe-core.
    pub fn axe(&self, url: &str, width: u32, height: u32) -> Option<Vec<AxeViolation>> {
        self.axe_emulated(url, width, height, &Emulate::default())
    }

    /// Like [`Chromium::axe`], with the page's media emulated (e.g. dark mode).
    pub fn axe_emulated(
        &self,
        url: &str,
        width: u32,
        height: u32,
        emulate: &Emulate,
    ) -> Option<Vec<AxeViolation>> {
        self.axe_when_ready(url, (width, height), emulate, "null")
    }

    /// Like [`Chromium::axe_emulated`], checking the page only once the promise
    /// `ready` (a JavaScript expression, e.g. results the page fetches) settles.
    pub fn axe_when_ready(
        &self,
        url: &str,
        (width, height): (u32, u32),
        emulate: &Emulate,
        ready: &str,
    ) -> Option<Vec<AxeViolation>> {
        let axe = tool_or_skip(
            "axe-core (npm axe-core in target/tools, or $SCHOLIA_AXE_JS)",
            axe_js(),
        )?;
        let run = r#"axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                // axe fetches stylesheets with XHR, which file:// refuses
                preload: location.protocol !== "file:"})
            .then(r => r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
                nodes: v.nodes.map(n => n.target.join(" "))})))"#;
        let js = format!("Promise.resolve({ready}).then(() => {run})");
        let value = self
            .load_emulated(url, width, height, emulate, &[&axe], &js)
            .value;
        let list = value.as_array().expect("axe returned a list");
        Some(
            list.iter()
                .map(|v| AxeViolation {
                    id: v["id"].as_str().unwrap_or("").into(),
                    impact: v["impact"].as_str().unwrap_or("").into(),
                    help: v["help"].as_str().unwrap_or("").into(),
                    nodes: v["nodes"]
                        .as_array()
                        .map(|n| {
                            n.iter()
                                .filter_map(|s| s.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect(),
        )
    }

    /// Opens `url`, evaluates `js`, then calls `while_open` (to change files
    /// on disk, say) with the page still open, and waits — across reloads —
    /// until `wait_for` is truthy; then evaluates `then`. Returns the JSON of
    /// cdp.mjs: `value` (of `js`), `waitedMs`, `then`, `console`, `exceptions`.
    pub fn watch(
        &self,
        url: &str,
        js: &str,
        while_open: impl FnOnce(),
        wait_for: &str,
        then: &str,
    ) -> serde_json::Value {
        let ready = tempfile::tempdir().expect("a folder for the ready file");
        let ready_file = ready.path().join("ready");
        let mut cmd = self.cdp_command(url, 1280, 800, &[]);
        cmd.args(["--eval", js, "--wait-for", wait_for, "--then-eval", then])
            .arg("--ready-file")
            .arg(&ready_file)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = cmd.spawn().expect("node cdp.mjs starts");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !ready_file.exists() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        if ready_file.exists() {
            while_open();
        }
        let out = child.wait_with_output().expect("node cdp.mjs ends");
        cdp_report(&out)
    }

    fn cdp_command(&self, url: &str, width: u32, height: u32, inject: &[&Path]) -> Command {
        let mut cmd = Command::new(&self.node);
        cmd.arg(repo_root().join("tests/support/cdp.mjs"))
            .arg("--chromium")
            .arg(&self.exe)
            .args(["--url", url])
            .args([
                "--width",
                &width.to_string(),
                "--height",
                &height.to_string(),
            ]);
        for f in inject {
            cmd.arg("--inject").arg(f);
        }
        cmd
    }

    fn run_cdp(&self, mut cmd: Command) -> serde_json::Value {
        let out = run_with_timeout(&mut cmd, Duration::from_secs(90));
        cdp_report(&out)
    }
}

/// The JSON object cdp.mjs printed; panics with its output if it failed.
fn cdp_report(out: &Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "cdp.mjs printed no JSON ({e}); {}",
            describe_output("node cdp.mjs", out)
        )
    });
    assert!(
        json["ok"] == true,
        "headless Chromium failed: {}\n{}",
        json["error"],
        String::from_utf8_lossy(&out.stderr)
    );
    json
}

/// What the DevTools driver reported about a page.
fn page_load(mut json: serde_json::Value) -> PageLoad {
    let strings = |v: &serde_json::Value, f: &dyn Fn(&serde_json::Value) -> String| {
        v.as_array()
            .map(|a| a.iter().map(f).collect())
            .unwrap_or_default()
    };
    let field = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or("").to_string();
    PageLoad {
        value: json["value"].take(),
        failed: strings(&json["failed"], &|f| {
            format!(
                "{} {}: {}",
                field(f, "type"),
                field(f, "url"),
                field(f, "error")
            )
        }),
        console: strings(&json["console"], &|c| {
            format!("{}: {}", field(c, "type"), field(c, "text"))
        }),
        exceptions: strings(&json["exceptions"], &|e| {
            e.as_str().unwrap_or("").to_string()
        }),
    }
}

// --- a static file server on loopback ----------------------------------------

/// A static file server for a folder on 127.0.0.1 (port chosen by the OS),
/// stopped when dropped. Folders are served from their `index.html`; a folder
/// asked for without its trailing slash is redirected (301) as real hosts do;
/// a missing file gets status 404 with the site's `404.html` if it has one.
pub struct StaticServer {
    /// `http://127.0.0.1:PORT/PREFIX` — always ends with `/`.
    pub base_url: String,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

/// Serves `root` at the server's root.
pub fn serve_dir(root: &Path) -> StaticServer {
    serve_dir_at(root, "/")
}

/// Serves `root` under the sub-path `prefix` (such as `/sub/path/`); every
/// other path is a 404.
pub fn serve_dir_at(root: &Path, prefix: &str) -> StaticServer {
    let prefix = format!("/{}/", prefix.trim_matches('/')).replace("//", "/");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (root, stop2, prefix2) = (root.to_path_buf(), stop.clone(), prefix.clone());
    let handle = thread::spawn(move || {
        for stream in listener.incoming() {
            if stop2.load(Ordering::SeqCst) {
                break;
            }
            if let Ok(stream) = stream {
                let (root, prefix) = (root.clone(), prefix2.clone());
                thread::spawn(move || {
                    let _ = handle_request(stream, &root, &prefix);
                });
            }
        }
    });
    StaticServer {
        base_url: format!("http://{addr}{prefix}"),
        addr,
        stop,
        handle: Some(handle),
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wake the accept loop
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

fn handle_request(mut stream: TcpStream, root: &Path, prefix: &str) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let head_only = method == "HEAD";
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let respond = |stream: &mut TcpStream, status: &str, ctype: &str, extra: &str, body: &[u8]| {
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes())?;
        if !head_only {
            stream.write_all(body)?;
        }
        stream.flush()
    };
    if method != "GET" && !head_only {
        return respond(&mut stream, "405 Method Not Allowed", "text/plain", "", b"");
    }
    let not_found = |stream: &mut TcpStream| {
        let page = fs::read(root.join("404.html")).unwrap_or_else(|_| b"not found".to_vec());
        respond(
            stream,
            "404 Not Found",
            "text/html; charset=utf-8",
            "",
            &page,
        )
    };
    let Some(rel) = path
        .strip_prefix(prefix)
        .or_else(|| (path.to_owned() + "/" == prefix).then_some(""))
    else {
        return not_found(&mut stream);
    };
    let rel = links::percent_decode(rel);
    let rel_path = Path::new(&rel);
    if rel_path
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return not_found(&mut stream);
    }
    let mut file = root.join(rel_path);
    if file.is_dir() {
        if !path.ends_with('/') {
            let location = format!("Location: {path}/\r\n");
            return respond(
                &mut stream,
                "301 Moved Permanently",
                "text/plain",
                &location,
                b"",
            );
        }
        file = file.join("index.html");
    }
    match fs::read(&file) {
        Ok(body) => respond(&mut stream, "200 OK", content_type(&file), "", &body),
        Err(_) => not_found(&mut stream),
    }
}

// --- files -------------------------------------------------------------------

/// `file://` URL of a local path (made absolute; bytes outside the URL-safe
/// set percent-encoded).
pub fn file_url(path: &Path) -> String {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap().join(path)
    };
    let mut url = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Copies the folder `src` into `dst` (created if needed), recursively;
/// symbolic links are recreated as links.
pub fn copy_dir(src: &Path, dst: &Path) -> io::Result<()> {
    fs::create_dir_all(dst)?;
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        let ty = entry.file_type()?;
        if ty.is_dir() {
            copy_dir(&from, &to)?;
        } else if ty.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&from)?, &to)?;
        } else {
            fs::copy(&from, &to)?;
        }
    }
    Ok(())
}

/// What [`walk_files`] found at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Symlink,
    EmptyDir,
}

/// Calls `visit` with the path (relative to `dir`) of every file, symbolic
/// link and empty folder under `dir`, recursively, in sorted order. A
/// missing `dir` has no entries.
pub fn walk_files(dir: &Path, visit: &mut dyn FnMut(&Path, EntryKind)) {
    fn walk(root: &Path, dir: &Path, visit: &mut dyn FnMut(&Path, EntryKind)) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|e| e.expect("directory entry"))
            .collect();
        entries.sort_by_key(|e| e.file_name());
        if entries.is_empty() && dir != root {
            visit(dir.strip_prefix(root).unwrap(), EntryKind::EmptyDir);
        }
        for e in entries {
            let path = e.path();
            let ty = e.file_type().unwrap();
            if ty.is_dir() {
                walk(root, &path, visit);
            } else {
                let kind = if ty.is_symlink() {
                    EntryKind::Symlink
                } else {
                    EntryKind::File
                };
                visit(path.strip_prefix(root).unwrap(), kind);
            }
        }
    }
    if dir.exists() {
        walk(dir, dir, visit);
    }
}

/// Every file under `dir` (recursively) with its bytes, keyed by its path
/// relative to `dir`, for byte-identical comparisons of whole trees. An empty
/// folder appears as `<path>/` with no bytes, and a symbolic link as its
/// target prefixed by `symlink -> `. A missing `dir` gives an empty map.
pub fn tree_snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    walk_files(dir, &mut |rel, kind| {
        let path = dir.join(rel);
        match kind {
            EntryKind::EmptyDir => {
                let mut key = rel.as_os_str().to_owned();
                key.push("/");
                out.insert(PathBuf::from(key), Vec::new());
            }
            EntryKind::Symlink => {
                let mut bytes = b"symlink -> ".to_vec();
                let target = fs::read_link(&path).unwrap();
                bytes.extend_from_slice(target.as_os_str().as_encoded_bytes());
                out.insert(rel.to_path_buf(), bytes);
            }
            EntryKind::File => {
                let bytes =
                    fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
                out.insert(rel.to_path_buf(), bytes);
            }
        }
    });
    out
}

/// Panics, listing every missing, extra and changed file, unless the two
/// snapshots (from [`tree_snapshot`]) are identical.
#[track_caller]
pub fn assert_trees_equal(
    expected: &BTreeMap<PathBuf, Vec<u8>>,
    actual: &BTreeMap<PathBuf, Vec<u8>>,
    what: &str,
) {
    let mut problems = Vec::new();
    for (path, bytes) in expected {
        match actual.get(path) {
            None => problems.push(format!("  missing: {}", path.display())),
            Some(b) if b != bytes => problems.push(format!(
                "  changed: {} ({} -> {} bytes)",
                path.display(),
                bytes.len(),
                b.len()
            )),
            Some(_) => {}
        }
    }
    for path in actual.keys().filter(|p| !expected.contains_key(*p)) {
        problems.push(format!("  extra:   {}", path.display()));
    }
    assert!(
        problems.is_empty(),
        "{what}: the trees differ in {} place(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
