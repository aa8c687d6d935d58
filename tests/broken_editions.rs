//! The corpus of broken editions: every folder under `tests/fixtures/broken/`
//! is a small edition with one kind of fault, and its `expected.txt` holds the
//! exit code and the exact stderr of `scholia check`, then the exit code and
//! the last line of `scholia build`, whose messages must be the same as
//! check's (only its summary differs). A new case folder is picked up without code changes; create
//! or refresh its `expected.txt` with `SCHOLIA_BLESS=1 cargo test --test
//! broken_editions`, then review every message it holds.
//!
//! Each case is built in a temporary copy, so a failing build is also checked
//! to write nothing. Only the build's timing figure is normalised.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::{assert_trees_equal, copy_dir, repo_root, scholia, tree_snapshot};

fn cases() -> Vec<PathBuf> {
    let root = repo_root().join("tests/fixtures/broken");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("book.toml").is_file())
        .collect();
    cases.sort();
    cases
}

/// What one command gave: its exit code and its stderr, normalised.
fn run(case: &Path, command: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("edition");
    copy_dir(case, &work).unwrap();
    fs::remove_file(work.join("expected.txt")).ok();
    let before = tree_snapshot(&work);
    let out = scholia([command]).current_dir(&work).output().unwrap();
    // A broken edition leaves its folder as it was: no book/, no staging folder.
    assert_trees_equal(
        &before,
        &tree_snapshot(&work),
        &format!("{}: {command} changed the edition", case.display()),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stderr = normalise(&stderr, &work);
    (out.status.code(), stderr)
}

/// The temporary path and the build's time (`(0.07 s)`) are the only things that vary.
fn normalise(stderr: &str, work: &Path) -> String {
    let stderr = stderr.replace(&work.display().to_string(), "<edition>");
    stderr
        .lines()
        .map(|line| match line.rfind(" (") {
            Some(i) if line.ends_with(" s)") && line.starts_with("Failed: ") => {
                format!("{} (T s)", &line[..i])
            }
            _ => line.to_string(),
        })
        .map(|line| line + "\n")
        .collect()
}

/// A stderr's messages and its summary line (the last).
fn split_summary(stderr: &str) -> (&str, &str) {
    let body = stderr.trim_end_matches('\n');
    body.rsplit_once('\n')
        .map_or(("", body), |(m, s)| (&stderr[..m.len() + 1], s))
}

fn render_expected(check: &(Option<i32>, String), build: &(Option<i32>, String)) -> String {
    let code = |c: Option<i32>| c.map_or("killed by a signal".to_string(), |c| c.to_string());
    format!(
        "# scholia check: exit {} (times normalised to T)\n{}\
         # scholia build: exit {}, the same messages, then\n{}\n",
        code(check.0),
        check.1,
        code(build.0),
        split_summary(&build.1).1
    )
}

/// A line diff good enough for a few dozen lines: `-` expected, `+` actual.
fn diff(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    (0..e.len().max(a.len()))
        .map(|i| match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => format!("  {x}\n"),
            (x, y) => {
                x.map(|x| format!("- {x}\n")).unwrap_or_default()
                    + &y.map(|y| format!("+ {y}\n")).unwrap_or_default()
            }
        })
        .collect()
}

/// Every diagnostic says where (`path:line:col`), what, and how to fix it.
fn assert_each_message_is_complete(case: &str, stderr: &str) {
    let blocks: Vec<&str> = stderr
        .split("\n\n")
        .filter(|b| b.starts_with("error"))
        .collect();
    assert!(!blocks.is_empty(), "{case}: no error reported:\n{stderr}");
    for block in blocks {
        let location = block
            .lines()
            .find_map(|l| l.strip_prefix("  --> "))
            .unwrap_or_else(|| panic!("{case}: a message without a location:\n{block}"));
        let numbers: Vec<&str> = location.rsplitn(3, ':').take(2).collect();
        assert!(
            location.starts_with("content/")
                && numbers.len() == 2
                && numbers.iter().all(|n| n.parse::<usize>().is_ok()),
            "{case}: the location `{location}` is not content/FILE:LINE:COL"
        );
        assert!(
            block.contains("\n   = help: "),
            "{case}: a message without help:\n{block}"
        );
    }
}

#[test]
fn every_broken_edition_reports_exactly_its_expected_diagnostics() {
    let bless = std::env::var_os("SCHOLIA_BLESS").is_some();
    let cases = cases();
    assert!(cases.len() >= 20, "only {} cases found", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let (check, build) = (run(case, "check"), run(case, "build"));
        assert_eq!(
            split_summary(&check.1).0,
            split_summary(&build.1).0,
            "{name}: check and build print different messages"
        );
        for (command, (code, stderr)) in [("check", &check), ("build", &build)] {
            assert_eq!(*code, Some(1), "{name}: exit code of {command}\n{stderr}");
            assert!(
                !stderr.contains("panicked"),
                "{name}: {command} panicked\n{stderr}"
            );
        }
        assert_each_message_is_complete(&name, &check.1);
        let actual = render_expected(&check, &build);
        let path = case.join("expected.txt");
        if bless {
            fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "--- {name}/expected.txt\n{}",
                diff(&expected, &actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ (- expected, + actual):\n\n{}\n\
         If the new messages are right, regenerate with \
         `SCHOLIA_BLESS=1 cargo test --test broken_editions` and review the diff.",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// --- malformed YAML at every line -------------------------------------------

/// A valid text whose front-matter has every shape: scalars, a flow list, a
/// list of mappings with a flow mapping inside, nested indentation.
const FRONT_MATTER: &str = r#"title: "Questions of the United Front"
author: "Walter Ulbricht"
date: "1939-08-26"
tags: [comintern, united front]
summary: "Two neutral sentences."
weight: 1
notes:
  - id: west-wall
    anchor: { exact: "West Wall" }
    type: context
    body: "Fortifications along the western border."
related:
  - text: other
    reason: "the same year"
"#;

const BODY: &str = "\nThe comradely relations grew, from the West Wall to the mines.\n";

/// Where on a line a corruption goes.
#[derive(Debug, Clone, Copy)]
enum Column {
    Start,
    AfterIndent,
    AfterKey,
    End,
}

/// `line` with `insert` put at `column`, or `None` where that place is the
/// same as an earlier one (an unindented line has no separate indent).
fn corrupt(line: &str, column: Column, insert: &str) -> Option<String> {
    let indent = line.len() - line.trim_start().len();
    let at = match column {
        Column::Start => 0,
        Column::AfterIndent if indent == 0 => return None,
        Column::AfterIndent => indent,
        Column::AfterKey => line.find(": ").map(|i| i + 2)?,
        Column::End => line.len(),
    };
    Some(format!("{}{insert}{}", &line[..at], &line[at..]))
}

fn text_with(front_matter: &str) -> String {
    format!("---\n{front_matter}---\n{BODY}")
}

/// The `line` of each `  --> content/a.md:LINE:COL` in a stderr.
fn lines_reported(stderr: &str) -> Vec<usize> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  --> content/a.md:"))
        .filter_map(|l| l.split(':').next()?.parse().ok())
        .collect()
}

#[test]
fn malformed_yaml_at_every_line_fails_cleanly_and_keeps_the_old_site() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("book.toml"), "[edition]\ntitle = \"T\"\n").unwrap();
    fs::create_dir_all(root.join("content")).unwrap();
    fs::write(
        root.join("content/other.md"),
        "---\ntitle: Other\n---\nOther.\n",
    )
    .unwrap();
    let text = root.join("content/a.md");
    fs::write(&text, text_with(FRONT_MATTER)).unwrap();
    let first = scholia(["build"]).current_dir(root).output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let site = tree_snapshot(&root.join("book"));

    let lines: Vec<&str> = FRONT_MATTER.lines().collect();
    // The block's lines are lines 2..=n+1 of the file (line 1 is `---`).
    let block = 2..=lines.len() + 1;
    let columns = [
        Column::Start,
        Column::AfterIndent,
        Column::AfterKey,
        Column::End,
    ];
    let mut tried = 0;
    for (i, line) in lines.iter().enumerate() {
        for (insert, columns) in [
            ("\"", &columns[..]),
            (": :", &columns[..]),
            ("\t", &columns[..2]),
        ] {
            for &column in columns {
                let Some(bad) = corrupt(line, column, insert) else {
                    continue;
                };
                let mut broken = lines.clone();
                broken[i] = &bad;
                fs::write(&text, text_with(&(broken.join("\n") + "\n"))).unwrap();
                let out = scholia(["build"]).current_dir(root).output().unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr);
                let what = format!("{insert:?} at {column:?} of line {} ({bad:?})", i + 2);
                assert_eq!(out.status.code(), Some(1), "{what}: exit code\n{stderr}");
                assert!(!stderr.contains("panicked"), "{what}: panic\n{stderr}");
                let reported = lines_reported(&stderr);
                assert!(
                    !reported.is_empty() && reported.iter().all(|l| block.contains(l)),
                    "{what}: no message inside the front-matter (lines {block:?}) of content/a.md:\n{stderr}"
                );
                tried += 1;
            }
        }
    }
    assert_trees_equal(
        &site,
        &tree_snapshot(&root.join("book")),
        "book/ after the broken builds",
    );
    assert!(tried > 100, "only {tried} corruptions tried");
}
