//! `scholia serve` under load: client threads of this test process request
//! pages over loopback as fast as the server answers while another thread
//! edits a text on disk again and again. Every answer must be whole and right
//! (no error, no half-written page), the edits must reach the pages, and the
//! server's resident memory must stay flat once it has warmed up.
//!
//! `SCHOLIA_LOAD_SECS` sets how long the load runs (10 s by default).

mod support;

use std::fs;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::edition_of_texts;
use support::preview::{eventually, Preview};

const CLIENTS: usize = 4;
const TEXTS: usize = 40;
/// How much the server's memory may grow between the end of the warm-up and
/// the end of the load. Keeping one stale copy of the site per rebuild (about
/// 150 rebuilds of a site of 40 pages) would grow it by far more.
const FLAT_MB: u64 = 24;

fn load_secs() -> u64 {
    std::env::var("SCHOLIA_LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
}

/// Text `i` of the edition, its first paragraph saying `word`.
fn text(i: usize, word: &str) -> String {
    let paragraph = "The comradely coherence of the antifascist workers grew stronger with every meeting of the committee. ";
    format!(
        "---\ntitle: Text {i}\n---\n\nThis text says {word}.\n\n{}\n\n## Later\n\n{}\n",
        paragraph.repeat(20),
        paragraph.repeat(10)
    )
}

fn edition() -> tempfile::TempDir {
    let files: Vec<(String, String)> = (0..TEXTS)
        .map(|i| (format!("t{i:02}.md"), text(i, "edit-0")))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .collect();
    edition_of_texts(&refs)
}

/// Resident memory of process `pid` in MB, from `/proc/PID/status`.
fn rss_mb(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS in /proc/PID/status");
    kb / 1024
}

/// What one request should get: a path and the status it must answer with.
const PATHS: &[(&str, u16)] = &[
    ("/t00/", 200),
    ("/t01/index.html", 200),
    ("/", 200),
    ("/static/style.css", 200),
    ("/__scholia/status", 200),
    ("/no-such-page/", 404),
    ("/../../etc/passwd", 404),
];

/// Checks one answer; `Err` says what was wrong with it.
fn check(path: &str, want: u16, response: &support::preview::Response) -> Result<(), String> {
    if response.status != want {
        return Err(format!(
            "{path}: status {} instead of {want}",
            response.status
        ));
    }
    let is_page = want == 200 && (path.ends_with('/') || path.ends_with(".html"));
    if is_page {
        let page = response.text();
        if !page.trim_end().ends_with("</html>") {
            return Err(format!(
                "{path}: the page is cut off ({} bytes)",
                page.len()
            ));
        }
        if path.starts_with("/t00/") && !page.contains("This text says edit-") {
            return Err(format!("{path}: the page lacks its first paragraph"));
        }
    }
    Ok(())
}

#[test]
fn serve_answers_every_request_and_stays_flat_while_a_text_is_edited() {
    let dir = edition();
    let preview = Arc::new(Preview::start(dir.path(), &[]));
    let file = dir.path().join("content/t00.md");
    let stop = Arc::new(AtomicBool::new(false));
    let requests = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));

    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (preview, stop) = (preview.clone(), stop.clone());
            let (requests, failures) = (requests.clone(), failures.clone());
            std::thread::spawn(move || {
                let mut n = c;
                while !stop.load(Ordering::Relaxed) {
                    let (path, want) = PATHS[n % PATHS.len()];
                    n += 1;
                    if let Err(e) = check(path, want, &preview.get(path)) {
                        failures.lock().unwrap().push(e);
                    }
                    requests.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    // The editor: a new word in t00.md every 60 ms, as an editor saving often
    // would (a plain write, truncate then fill, not an atomic rename).
    let secs = load_secs();
    let started = Instant::now();
    let warm_up = Duration::from_secs(secs / 4);
    let mut edits = 0;
    let mut rss_after_warm_up = None;
    let mut rss_peak = 0;
    while started.elapsed() < Duration::from_secs(secs) {
        edits += 1;
        fs::write(&file, text(0, &format!("edit-{edits}"))).unwrap();
        std::thread::sleep(Duration::from_millis(60));
        let rss = rss_mb(preview.pid());
        if started.elapsed() >= warm_up {
            rss_after_warm_up.get_or_insert(rss);
            rss_peak = rss_peak.max(rss);
        }
    }
    let last = format!("This text says edit-{edits}.");
    let reached = eventually(Duration::from_secs(30), || {
        preview.get("/t00/").text().contains(&last)
    });
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().expect("a client thread panicked");
    }

    let failures = failures.lock().unwrap();
    let requests = requests.load(Ordering::Relaxed);
    let rss_start = rss_after_warm_up.expect("a memory reading after the warm-up");
    eprintln!(
        "{requests} requests and {edits} edits in {secs} s; resident memory {rss_start} MB after the warm-up, at most {rss_peak} MB after"
    );
    assert!(
        failures.is_empty(),
        "{} of {requests} requests went wrong, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
    assert!(reached, "the last edit ({last}) never reached /t00/");
    assert!(
        requests >= 50 * secs as usize,
        "only {requests} requests in {secs} s: the server hardly answered"
    );
    assert!(
        rss_peak <= rss_start + FLAT_MB,
        "resident memory grew from {rss_start} MB to {rss_peak} MB under load"
    );
    let status: serde_json::Value =
        serde_json::from_slice(&preview.get("/__scholia/status").body).unwrap();
    assert_eq!(status["errors"], serde_json::json!([]), "{status}");
}
