//! `scholia serve` as tests meet it: the binary started on a free port, and
//! raw HTTP/1.1 requests (so `..` and `%2e%2e` reach the server as written).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `scholia serve`; stopped when dropped.
pub struct Preview {
    child: Child,
    pub port: u16,
    /// `http://127.0.0.1:PORT/base/`, as the server printed it.
    pub url: String,
    /// What the server printed on stderr is collected here after it stops.
    stderr_lines: std::sync::Mutex<mpsc::Receiver<String>>,
}

impl Preview {
    /// `scholia serve . -p 0 EXTRA...` in `dir`; waits for the line with its URL.
    pub fn start(dir: &Path, extra: &[&str]) -> Preview {
        let mut child = super::scholia(["serve", ".", "-p", "0"])
            .args(extra)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("scholia serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (line_tx, line_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = line_tx.send(line);
            }
        });
        let (err_tx, err_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = err_tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut printed = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match line_rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix("Serving the edition at ") {
                        let url = rest.split_whitespace().next().unwrap().to_string();
                        let port = url
                            .trim_start_matches("http://")
                            .split(['/', ':'])
                            .nth(1)
                            .and_then(|p| p.parse().ok())
                            .expect("a port in the URL");
                        eprintln!("scholia serve listens on port {port}");
                        std::thread::spawn(move || for _ in line_rx {});
                        return Preview {
                            child,
                            port,
                            url,
                            stderr_lines: std::sync::Mutex::new(err_rx),
                        };
                    }
                    printed.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let errors: Vec<String> = err_rx.try_iter().collect();
                    panic!(
                        "scholia serve printed no URL within 60 s\nstdout: {}\nstderr: {}",
                        printed.join("\n"),
                        errors.join("\n")
                    );
                }
            }
        }
    }

    /// The server's process id (to read its memory from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The lines the server printed on stderr so far.
    pub fn stderr(&self) -> Vec<String> {
        self.stderr_lines.lock().unwrap().try_iter().collect()
    }

    /// `GET path` with a plain `Host`.
    pub fn get(&self, path: &str) -> Response {
        self.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        ))
    }

    /// A request written out in full.
    pub fn request(&self, raw: &str) -> Response {
        send(self.port, raw.as_bytes())
    }

    /// The session token the server put into its pages.
    pub fn token(&self) -> String {
        let page = self.get(&format!("{}index.html", self.base_path())).text();
        let at = page
            .find("data-token=\"")
            .expect("the page carries a token")
            + 12;
        page[at..at + page[at..].find('"').unwrap()].to_string()
    }

    /// `/` or `/sub/`.
    pub fn base_path(&self) -> String {
        let after_host = self.url.trim_start_matches("http://");
        after_host[after_host.find('/').unwrap()..].to_string()
    }

    /// `POST /__scholia/notes` with the given token and Origin (`None` leaves the header out).
    pub fn post_note(&self, json: &str, token: Option<&str>, origin: Option<&str>) -> Response {
        let mut raw = format!(
            "POST /__scholia/notes HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            self.port,
            json.len()
        );
        if let Some(token) = token {
            raw.push_str(&format!("X-Scholia-Token: {token}\r\n"));
        }
        if let Some(origin) = origin {
            raw.push_str(&format!("Origin: {origin}\r\n"));
        }
        raw.push_str("\r\n");
        raw.push_str(json);
        self.request(&raw)
    }

    /// The Origin of the server's own pages.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response: status, headers (lower-cased names) and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn send(port: u16, raw: &[u8]) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the preview");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream.write_all(raw).expect("send the request");
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    parse(&bytes)
}

fn parse(bytes: &[u8]) -> Response {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response: {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = bytes[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..line_end]).trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&body[start..(start + size).min(body.len())]);
        body = &body[(start + size + 2).min(body.len())..];
    }
    out
}

/// Polls `check` every 50 ms until it holds or `timeout` passes; true if it held.
pub fn eventually(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if check() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
