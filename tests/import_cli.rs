//! `scholia import` as users meet it: the conversion of a fixture pinned as
//! golden Markdown (regenerate with `SCHOLIA_BLESS=1`), bad input with the
//! exact messages, and the exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

use scholia::import::{run, Options};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn import(files: &[PathBuf], into: &Path) -> scholia::import::Report {
    run(&Options {
        files: files.to_vec(),
        into: into.to_path_buf(),
        dry_run: false,
    })
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn every_phenomenon_converts_as_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let report = import(&[fixture("phenomena.txt")], dir.path());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(
        files_in(dir.path()),
        ["a-test-of-everything.md", "sources/phenomena.txt"]
    );
    let got = std::fs::read_to_string(dir.path().join("a-test-of-everything.md")).unwrap();
    let golden = fixture("phenomena.expected.md");
    if std::env::var_os("SCHOLIA_BLESS").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let expected = std::fs::read_to_string(&golden)
        .expect("golden file; run with SCHOLIA_BLESS=1 to create it");
    assert_eq!(
        got, expected,
        "conversion changed; if intended, regenerate with SCHOLIA_BLESS=1"
    );
    // The raw source is kept byte for byte.
    assert_eq!(
        std::fs::read(dir.path().join("sources/phenomena.txt")).unwrap(),
        std::fs::read(fixture("phenomena.txt")).unwrap()
    );
    assert!(report.out.contains("found: 2 headings"), "{}", report.out);
}

#[test]
fn crlf_converts_like_lf() {
    let dir = tempfile::tempdir().unwrap();
    let lf = dir.path().join("lf.txt");
    std::fs::write(
        &lf,
        std::fs::read_to_string(fixture("crlf.txt"))
            .unwrap()
            .replace("\r\n", "\n"),
    )
    .unwrap();
    let a =
        scholia::import::convert("crlf.txt", std::fs::read(fixture("crlf.txt")).unwrap()).unwrap();
    let b = scholia::import::convert("lf.txt", std::fs::read(&lf).unwrap()).unwrap();
    assert_eq!(a.texts[0].body, b.texts[0].body);
    assert_eq!(
        a.texts[0].body,
        "A line with Windows endings.\n\nMarx and Lenin,\nwho´s books.\n"
    );
    assert_ne!(
        a.texts[0].provenance.sha256, b.texts[0].provenance.sha256,
        "the hash is of the exact bytes"
    );
}

#[test]
fn latin1_is_converted_with_a_warning_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let report = import(&[fixture("latin1.txt")], dir.path());
    let shown = fixture("latin1.txt").display().to_string();
    assert_eq!(
        report.warnings,
        [
            format!("{shown}:1: not valid UTF-8; read as Windows-1252 (Latin-1): check the accented letters on this line"),
            format!("{shown}:3: not valid UTF-8; read as Windows-1252 (Latin-1): check the accented letters on this line"),
        ]
    );
    let text = std::fs::read_to_string(dir.path().join("vorwarts.md")).unwrap();
    assert!(text.contains("title: \"Vorwärts\""), "{text}");
    assert!(
        text.contains("A line in Latin-1: “quoted” and café.\n\nA line in UTF-8: café."),
        "{text}"
    );
}

#[test]
fn empty_binary_and_missing_files_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let empty = src.path().join("empty.txt");
    let blank = src.path().join("blank.txt");
    let binary = src.path().join("image.png");
    let missing = src.path().join("missing.txt");
    std::fs::write(&empty, b"").unwrap();
    std::fs::write(&blank, b"  \n\n\t\n").unwrap();
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let into = dir.path().join("content");
    let report = import(
        &[
            empty.clone(),
            blank.clone(),
            binary.clone(),
            missing.clone(),
        ],
        &into,
    );
    assert_eq!(
        report.errors,
        [
            format!("{}: the file is empty; there is nothing to import", empty.display()),
            format!("{}: the file is empty; there is nothing to import", blank.display()),
            format!(
                "{}:3: this looks like a binary file, not plain text (it contains a NUL byte or control characters); import reads UTF-8 or Latin-1 text",
                binary.display()
            ),
            format!("{}: cannot read the file: No such file or directory (os error 2)", missing.display()),
        ]
    );
    assert!(!into.exists(), "nothing may be written for refused files");
}

#[test]
fn a_file_without_any_heading_gets_a_provisional_title_and_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("plain.txt");
    std::fs::write(&src, "the first line is a sentence. [1]\nAnother one.\n").unwrap();
    let report = import(std::slice::from_ref(&src), &dir.path().join("content"));
    assert!(report.errors.is_empty());
    assert!(report.out.contains(&format!(
        "unclassified {}:1: no title line; title made from the first words: set `title:` by hand",
        src.display()
    )));
    let text =
        std::fs::read_to_string(dir.path().join("content/the-first-line-is-a-sentence-1.md"))
            .unwrap();
    assert!(
        text.starts_with("---\ntitle: \"the first line is a sentence. [1]…\"\n"),
        "{text}"
    );
    assert!(
        text.ends_with("---\n\nthe first line is a sentence. \\[1\\]\n\nAnother one.\n"),
        "{text}"
    );
}

#[test]
fn a_five_megabyte_text_converts_quickly() {
    let mut src = String::from("A Long Text\n\n");
    let para = "Workers of the world, unite! You have nothing to lose but your chains [1] *and* more.¹\n\n";
    while src.len() < 5_000_000 {
        src.push_str(para);
    }
    src.push_str("¹ The footnote.\n");
    let started = std::time::Instant::now();
    let converted = scholia::import::convert("long.txt", src.into_bytes()).unwrap();
    assert_eq!(converted.texts.len(), 1);
    assert!(converted.texts[0].body.len() > 5_000_000);
    // Generous, for a debug build on a busy machine; release is ~20x faster.
    assert!(
        started.elapsed().as_secs() < 30,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn the_command_reports_and_exits_with_the_right_code() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_scholia");
    let out = Command::new(bin)
        .args(["import", "--dry-run", "--into"])
        .arg(dir.path().join("content"))
        .arg(fixture("phenomena.txt"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("phenomena.txt: 1 text\n"), "{stdout}");
    assert!(
        stdout.ends_with("dry run: nothing was written\n"),
        "{stdout}"
    );
    assert!(!dir.path().join("content").exists());

    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let out = Command::new(bin)
        .args(["import", "--into"])
        .arg(dir.path())
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: {}: the file is empty; there is nothing to import\n",
            empty.display()
        )
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pieces: [&[u8]; 12] = [
        b"\n",
        b"\r\n",
        b" ",
        b"\xe4",
        b"\xff\xfe",
        b"\xc3",
        b"\xe2\x80",
        b"\x01",
        b"\xc2\xb9",
        b"Title",
        b"1. ",
        b"\xe2\x80\xa2 ",
    ];
    for _ in 0..300 {
        let mut bytes = Vec::new();
        for _ in 0..(next() % 120) {
            if next() % 3 == 0 {
                bytes.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            } else {
                bytes.push((next() % 256) as u8);
            }
        }
        bytes.retain(|&b| b != 0 || next() % 2 == 0);
        // Either a clear refusal or a conversion: never a panic.
        if let Ok(c) = scholia::import::convert("fuzz.txt", bytes) {
            for t in &c.texts {
                assert!(t.provenance.lines.contains('-'));
            }
        }
    }
}
