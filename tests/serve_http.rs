//! `scholia serve` over plain HTTP: nothing outside the site is ever served,
//! content types and the base path are right, the note endpoint refuses what
//! it must and writes what it should, and a change on disk reaches the pages.

mod support;

use std::fs;
use std::time::Duration;

use support::edition_of_texts;
use support::preview::{eventually, Preview};

const A: &str = "---\ntitle: First text\n---\n\nThe comradely coherence of the antifascist workers became stronger.\n\nBoth the front and the front.\n";
const B: &str = "---\ntitle: Second text\n---\n\nA second text, about the weather.\n";

fn edition() -> tempfile::TempDir {
    edition_of_texts(&[("a.md", A), ("b.md", B)])
}

fn note_json(text: &str, quote: &str, body: &str) -> String {
    serde_json::json!({
        "text": text, "quote": quote, "type": "context", "body": body, "sources": ["A source"]
    })
    .to_string()
}

#[test]
fn requests_that_try_to_leave_the_site_get_404() {
    let dir = edition();
    fs::write(dir.path().join("secret.txt"), "SECRET outside the content").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        dir.path().join("secret.txt"),
        dir.path().join("content/leak.txt"),
    )
    .unwrap();
    let preview = Preview::start(dir.path(), &[]);
    for path in [
        "/../book.toml",
        "/../secret.txt",
        "/a/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/a/..%5c..%5csecret.txt",
        "//etc/passwd",
        "/%2fetc/passwd",
        "/etc/passwd",
        "/a%00/index.html",
        "/leak.txt",
        "/content/a.md",
        "/book.toml",
    ] {
        let response = preview.get(path);
        assert_eq!(response.status, 404, "{path}");
        assert!(!response.text().contains("SECRET"), "{path}");
        assert!(!response.text().contains("title = "), "{path}");
    }
    let absolute = preview.request(&format!(
        "GET http://127.0.0.1:{}/../secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        preview.port
    ));
    assert_eq!(absolute.status, 404);
    assert!(preview.get("/a/").status == 200, "a real page is served");
}

#[test]
fn files_have_their_content_types_and_folders_their_index() {
    let dir = edition();
    let preview = Preview::start(dir.path(), &[]);
    let page = preview.get("/a/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.text().contains("First text"));
    assert_eq!(preview.get("/a/index.html").status, 200);
    let bare = preview.get("/a");
    assert_eq!((bare.status, bare.header("location")), (302, Some("/a/")));
    // The search box works in the preview too: the index is built into
    // memory, on a thread of its own, so it arrives a moment after the pages.
    assert!(
        eventually(Duration::from_secs(30), || preview
            .get("/search-index/meta.json")
            .status
            == 200),
        "the search index is served"
    );
    for (path, content_type) in [
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/cite.js", "text/javascript; charset=utf-8"),
        ("/a/cite.json", "application/json; charset=utf-8"),
        ("/__scholia/live.js", "text/javascript; charset=utf-8"),
        ("/search-index/meta.json", "application/json; charset=utf-8"),
        ("/search-index/d/0.json", "application/json; charset=utf-8"),
        ("/search-index/t/0.bin", "application/octet-stream"),
    ] {
        let response = preview.get(path);
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(
            response.header("content-type"),
            Some(content_type),
            "{path}"
        );
    }
    let missing = preview.get("/no-such-page/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(missing.text().contains("<html"), "the site's 404 page");
}

#[test]
fn the_reload_script_is_added_by_serve_only() {
    let dir = edition();
    let preview = Preview::start(dir.path(), &[]);
    assert!(preview.get("/a/").text().contains("/__scholia/live.js"));
    drop(preview);
    let out = support::build_site(dir.path(), &dir.path().join("book"), &[]);
    assert!(
        out.status.success(),
        "{}",
        support::describe_output("build", &out)
    );
    let files = support::html_files(&dir.path().join("book"));
    assert!(files.len() >= 3, "{files:?}");
    for file in files {
        let html = fs::read_to_string(dir.path().join("book").join(&file)).unwrap();
        assert!(!html.contains("__scholia"), "{}", file.display());
        assert!(!html.contains("scholia-preview"), "{}", file.display());
    }
}

#[test]
fn the_site_is_served_under_its_base_path() {
    let dir = edition();
    let preview = Preview::start(dir.path(), &["--base-path", "/edition/"]);
    assert!(preview.url.ends_with("/edition/"), "{}", preview.url);
    let root = preview.get("/");
    assert_eq!(
        (root.status, root.header("location")),
        (302, Some("/edition/"))
    );
    let bare = preview.get("/edition");
    assert_eq!(bare.header("location"), Some("/edition/"));
    assert_eq!(preview.get("/edition/").status, 200);
    assert!(preview.get("/edition/a/").text().contains("First text"));
    assert_eq!(preview.get("/edition/static/style.css").status, 200);
    assert_eq!(
        preview.get("/a/").status,
        404,
        "nothing outside the base path"
    );
    assert_eq!(preview.get("/editionx/a/").status, 404);
}

#[test]
fn the_base_path_comes_from_base_url_in_book_toml() {
    let dir = support::edition(
        "[edition]\ntitle = \"T\"\nbase_url = \"https://example.org/ed/\"\n",
        &[("a.md", A.as_bytes())],
    );
    let preview = Preview::start(dir.path(), &[]);
    assert!(preview.url.ends_with("/ed/"), "{}", preview.url);
    assert_eq!(preview.get("/ed/a/").status, 200);
}

#[test]
fn the_note_endpoint_wants_the_token_and_its_own_origin() {
    let dir = edition();
    let preview = Preview::start(dir.path(), &[]);
    let token = preview.token();
    assert_eq!(token.len(), 32);
    let origin = preview.origin();
    let json = note_json("a", "comradely coherence", "A note.");
    let refused = [
        preview.post_note(&json, None, Some(&origin)),
        preview.post_note(
            &json,
            Some("0123456789abcdef0123456789abcdef"),
            Some(&origin),
        ),
        preview.post_note(&json, Some(&token), None),
        preview.post_note(&json, Some(&token), Some("http://evil.example")),
        preview.post_note(&json, Some(&token), Some(&format!("{origin}.evil.example"))),
    ];
    for (i, response) in refused.iter().enumerate() {
        assert_eq!(response.status, 403, "request {i}: {}", response.text());
    }
    assert_eq!(
        fs::read_to_string(dir.path().join("content/a.md")).unwrap(),
        A
    );
}

#[test]
fn an_oversized_note_gets_413_and_changes_nothing() {
    let dir = edition();
    let preview = Preview::start(dir.path(), &[]);
    let token = preview.token();
    let json = note_json("a", "comradely coherence", &"x".repeat(70 * 1024));
    let response = preview.post_note(&json, Some(&token), Some(&preview.origin()));
    assert_eq!(response.status, 413, "{}", response.text());
    assert_eq!(
        fs::read_to_string(dir.path().join("content/a.md")).unwrap(),
        A
    );
}

#[test]
fn a_note_lands_in_the_file_and_on_the_page() {
    let dir = edition();
    let preview = Preview::start(dir.path(), &[]);
    let token = preview.token();
    let json = note_json(
        "a",
        "comradely coherence",
        "Coherence, *as the KPD used it*.",
    );
    let response = preview.post_note(&json, Some(&token), Some(&preview.origin()));
    assert_eq!(response.status, 201, "{}", response.text());
    let answer: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(answer["id"], "comradely-coherence");
    let file = fs::read_to_string(dir.path().join("content/a.md")).unwrap();
    assert!(file.contains("  - id: comradely-coherence\n    anchor:\n      exact: comradely coherence\n    type: context\n"), "{file}");
    assert!(
        file.ends_with(&A[A.find("---\n\n").unwrap()..]),
        "the text is untouched"
    );
    // The response comes after the rebuild: the page already shows the note.
    assert!(preview.get("/a/").text().contains("as the KPD used it"));
    let check = support::scholia(["check"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        support::describe_output("check", &check)
    );
}

#[test]
fn a_quote_that_occurs_twice_is_anchored_with_the_words_around_it() {
    let dir = edition();
    let preview = Preview::start(dir.path(), &[]);
    let token = preview.token();
    let json = serde_json::json!({
        "text": "a", "quote": "the front", "prefix": "Both ", "suffix": " and the front.",
        "type": "dispute", "body": "Which front?", "sources": []
    })
    .to_string();
    let response = preview.post_note(&json, Some(&token), Some(&preview.origin()));
    assert_eq!(response.status, 201, "{}", response.text());
    let file = fs::read_to_string(dir.path().join("content/a.md")).unwrap();
    assert!(
        file.contains("      exact: the front\n      prefix: Both\n      suffix: and\n"),
        "{file}"
    );
}

#[test]
fn a_note_the_build_would_refuse_is_refused_with_its_message() {
    let dir = edition();
    let preview = Preview::start(dir.path(), &[]);
    let token = preview.token();
    let origin = preview.origin();
    let missing = preview.post_note(
        &note_json("a", "comradly coherence", "B"),
        Some(&token),
        Some(&origin),
    );
    assert_eq!(missing.status, 422);
    assert!(
        missing
            .text()
            .contains("its quote does not occur in the text"),
        "{}",
        missing.text()
    );
    let no_text = preview.post_note(&note_json("../book", "x", "B"), Some(&token), Some(&origin));
    assert_eq!(no_text.status, 404);
    assert!(no_text.text().contains("no text `../book` in this edition"));
    assert_eq!(
        fs::read_to_string(dir.path().join("content/a.md")).unwrap(),
        A
    );
}

#[test]
fn two_notes_sent_at_once_to_one_file_both_land() {
    let dir = edition();
    let preview = Preview::start(dir.path(), &[]);
    let token = preview.token();
    let origin = preview.origin();
    let notes = [
        note_json("a", "comradely coherence", "First note."),
        note_json("a", "antifascist workers", "Second note."),
        note_json("a", "became stronger", "Third note."),
        note_json("a", "comradely coherence", "Fourth, on the same words."),
    ];
    let responses: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = notes
            .iter()
            .map(|json| scope.spawn(|| preview.post_note(json, Some(&token), Some(&origin))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &responses {
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let file = fs::read_to_string(dir.path().join("content/a.md")).unwrap();
    for body in [
        "First note.",
        "Second note.",
        "Third note.",
        "Fourth, on the same words.",
    ] {
        assert!(file.contains(body), "{body} is in the file:\n{file}");
    }
    let list = support::scholia(["note", "list"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("4 notes anchored"), "{listed}");
    assert!(listed.contains("comradely-coherence-2"), "{listed}");
    let leftovers: Vec<_> = fs::read_dir(dir.path().join("content"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "no temporary files: {leftovers:?}");
}

fn page_shows(preview: &Preview, path: &str, words: &str) -> bool {
    preview.get(path).text().contains(words)
}

fn status(preview: &Preview) -> serde_json::Value {
    serde_json::from_slice(&preview.get("/__scholia/status").body).unwrap()
}

#[test]
fn an_edit_on_disk_reaches_the_page_and_an_error_keeps_the_last_good_site() {
    let dir = edition();
    let preview = Preview::start(dir.path(), &[]);
    let file = dir.path().join("content/a.md");
    let wait = Duration::from_secs(20);
    fs::write(&file, A.replace("became stronger", "grew firmer")).unwrap();
    assert!(
        eventually(wait, || page_shows(&preview, "/a/", "grew firmer")),
        "the edit is served"
    );

    let broken = "---\ntitle: First text\nnotes:\n  - id: n\n    anchor: {exact: \"no such words\"}\n    type: context\n    body: B\n---\n\nThe coherence grew weaker.\n";
    fs::write(&file, broken).unwrap();
    assert!(eventually(wait, || !status(&preview)["errors"]
        .as_array()
        .unwrap()
        .is_empty()));
    let errors = status(&preview)["errors"].clone();
    assert_eq!(errors[0]["location"], "content/a.md:5:5", "{errors}");
    assert_eq!(
        errors[0]["message"],
        "note `n`: its quote does not occur in the text"
    );
    assert!(
        page_shows(&preview, "/a/", "grew firmer"),
        "the last good page is still served"
    );
    assert!(!page_shows(&preview, "/a/", "grew weaker"));

    fs::write(&file, A.replace("became stronger", "held together")).unwrap();
    assert!(eventually(wait, || status(&preview)["errors"]
        .as_array()
        .unwrap()
        .is_empty()));
    assert!(eventually(wait, || page_shows(
        &preview,
        "/a/",
        "held together"
    )));
}

#[test]
fn events_tell_open_pages_of_each_build() {
    use std::io::{BufRead, BufReader, Write};
    let dir = edition();
    let preview = Preview::start(dir.path(), &[]);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", preview.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /__scholia/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut next_data = || loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("an event within 30 s");
        if let Some(data) = line.strip_prefix("data: ") {
            return serde_json::from_str::<serde_json::Value>(data.trim()).unwrap();
        }
    };
    let first = next_data();
    assert_eq!(first["errors"], serde_json::json!([]));
    let site = first["site"].as_u64().unwrap();
    fs::write(
        dir.path().join("content/b.md"),
        B.replace("weather", "wind"),
    )
    .unwrap();
    let second = next_data();
    assert_eq!(second["site"].as_u64().unwrap(), site + 1, "{second}");
}

#[test]
fn editing_is_off_on_a_network_address_unless_allowed() {
    let dir = edition();
    let mut child = support::scholia(["serve", ".", "-p", "0", "--bind", "0.0.0.0"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    let mut said = String::new();
    for line in lines.by_ref().take(4) {
        let line = line.unwrap();
        said.push_str(&line);
        said.push('\n');
        if line.starts_with("Adding notes") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        said.contains("Adding notes from the browser is off on a non-loopback address; pass --allow-remote-edit to turn it on."),
        "{said}"
    );
}

#[test]
fn a_port_in_use_is_named_with_a_way_out() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = edition();
    let out = support::scholia(["serve", ".", "-p", &port])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "error: port {port} is already in use on 127.0.0.1; choose another with -p"
        )),
        "{stderr}"
    );
}
