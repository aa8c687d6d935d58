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

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{chown, symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

// --- faults of the file system, made at test time ---------------------------

const NOBODY: u32 = 65534;

/// An edition with two texts in `dir/edition`, built once: its site is the
/// "previous output" that every failed build below must leave byte for byte.
fn built_edition(dir: &Path) -> PathBuf {
    let root = dir.join("edition");
    fs::create_dir_all(root.join("content/sub")).unwrap();
    fs::write(root.join("book.toml"), "[edition]\ntitle = \"T\"\n").unwrap();
    fs::write(root.join("content/a.md"), "---\ntitle: A\n---\nText.\n").unwrap();
    fs::write(root.join("content/sub/b.md"), "---\ntitle: B\n---\nMore.\n").unwrap();
    if running_as_root() {
        give_to_nobody(dir);
    }
    let out = unprivileged(&root, "build").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    root
}

/// /proc/self belongs to the process's effective user.
fn running_as_root() -> bool {
    fs::metadata("/proc/self").unwrap().uid() == 0
}

fn give_to_nobody(path: &Path) {
    chown(path, Some(NOBODY), Some(NOBODY)).unwrap();
    if path.is_dir() && !path.is_symlink() {
        for entry in fs::read_dir(path).unwrap() {
            give_to_nobody(&entry.unwrap().path());
        }
    }
}

/// `scholia COMMAND` in `root`, run by a user that permissions bind. Root
/// reads any file whatever its mode, so as root (in CI) the child runs as
/// `nobody` through `setpriv` on a tree given to nobody; without setpriv
/// the test fails rather than pass without testing anything.
fn unprivileged(root: &Path, command: &str) -> Command {
    let mut cmd = if running_as_root() {
        assert!(
            Path::new("/usr/bin/setpriv").is_file(),
            "running as root, permissions cannot be tested without setpriv (util-linux)"
        );
        let mut cmd = Command::new("/usr/bin/setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(support::scholia_bin());
        cmd
    } else {
        Command::new(support::scholia_bin())
    };
    cmd.arg(command).current_dir(root).env("NO_COLOR", "1");
    cmd
}

/// The messages of a failed command (without its summary), the temporary folder shown as `<tmp>`.
fn messages(out: &Output, tmp: &Path) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tmp = tmp.canonicalize().unwrap();
    split_summary(&stderr)
        .0
        .replace(&tmp.display().to_string(), "<tmp>")
}

#[track_caller]
fn assert_failed_and_kept(out: &Output, code: i32, site: &BTreeMap<PathBuf, Vec<u8>>, root: &Path) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_trees_equal(
        site,
        &tree_snapshot(&root.join("book")),
        "book/ after the failed build",
    );
    let leftovers: Vec<_> = fs::read_dir(root)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".book"))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left: {leftovers:?}");
}

#[test]
fn symbolic_links_that_loop_dangle_or_leave_the_edition_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = built_edition(dir.path());
    let site = tree_snapshot(&root.join("book"));
    let outside = dir.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(
        outside.join("secret.md"),
        "---\ntitle: SECRET\n---\nSECRET\n",
    )
    .unwrap();
    let content = root.join("content");
    symlink("self.md", content.join("self.md")).unwrap();
    symlink("loop-b.md", content.join("loop-a.md")).unwrap();
    symlink("loop-a.md", content.join("loop-b.md")).unwrap();
    symlink("..", content.join("sub/up")).unwrap();
    symlink("missing.md", content.join("dangling.md")).unwrap();
    symlink(outside.join("secret.md"), content.join("escape.md")).unwrap();
    symlink("../../outside", content.join("escape-folder")).unwrap();
    symlink("/etc/passwd", content.join("passwd.txt")).unwrap();

    let out = unprivileged(&root, "build").output().unwrap();
    assert_failed_and_kept(&out, 1, &site, &root);
    let escape = "   = help: copy what it points to into the content folder: scholia publishes only files of the edition\n";
    let no_file = "   = help: point the link at a file of the edition, or remove it\n";
    assert_eq!(
        messages(&out, dir.path()),
        format!(
            "error: this symbolic link points to `missing.md`, which does not exist\n  --> content/dangling.md\n{no_file}\n\
             error: this symbolic link leads out of the edition, to <tmp>/outside\n  --> content/escape-folder\n{escape}\n\
             error: this symbolic link leads out of the edition, to <tmp>/outside/secret.md\n  --> content/escape.md\n{escape}\n\
             error: this symbolic link (to `loop-b.md`) leads round in a circle and never reaches a file\n  --> content/loop-a.md\n{no_file}\n\
             error: this symbolic link (to `loop-a.md`) leads round in a circle and never reaches a file\n  --> content/loop-b.md\n{no_file}\n\
             error: this symbolic link leads out of the edition, to /etc/passwd\n  --> content/passwd.txt\n{escape}\n\
             error: this symbolic link (to `self.md`) leads round in a circle and never reaches a file\n  --> content/self.md\n{no_file}\n\
             error: this symbolic link (to `..`) points to a folder that holds it: a cycle\n  --> content/sub/up\n   \
             = help: remove the link; a folder of the edition needs no link to be read\n\n"
        )
    );

    // A link to a file inside the edition is still followed.
    for bad in [
        "self.md",
        "loop-a.md",
        "loop-b.md",
        "sub/up",
        "dangling.md",
        "escape.md",
        "escape-folder",
        "passwd.txt",
    ] {
        fs::remove_file(content.join(bad)).unwrap();
    }
    fs::write(root.join("draft.md"), "---\ntitle: Draft\n---\nDraft.\n").unwrap();
    symlink("../draft.md", content.join("linked.md")).unwrap();
    let out = unprivileged(&root, "build").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(root.join("book/linked/index.html").is_file());
}

#[test]
fn unreadable_files_and_folders_are_errors_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = built_edition(dir.path());
    let site = tree_snapshot(&root.join("book"));
    fs::set_permissions(root.join("content/a.md"), fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(root.join("content/sub"), fs::Permissions::from_mode(0o000)).unwrap();
    let out = unprivileged(&root, "build").output().unwrap();
    fs::set_permissions(root.join("content/sub"), fs::Permissions::from_mode(0o755)).unwrap();
    assert_failed_and_kept(&out, 1, &site, &root);
    assert_eq!(
        messages(&out, dir.path()),
        "error: cannot read this file: Permission denied (os error 13)
  --> content/a.md
   = help: check that it exists and that you may read it

error: cannot read this part of the content folder: Permission denied (os error 13)
  --> content/sub
   = help: check that the folder exists and that you may read it (`chmod u+rx`)

"
    );
}

#[test]
fn a_read_only_output_folder_is_refused_and_a_read_only_edition_folder_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = built_edition(dir.path());
    let site = tree_snapshot(&root.join("book"));
    fs::write(
        root.join("content/a.md"),
        "---\ntitle: A, again\n---\nNew.\n",
    )
    .unwrap();
    let mode =
        |path: &Path, mode| fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();

    mode(&root.join("book"), 0o555);
    let out = unprivileged(&root, "build").output().unwrap();
    mode(&root.join("book"), 0o755);
    assert_failed_and_kept(&out, 2, &site, &root);
    assert_eq!(
        messages(&out, dir.path()),
        "error: the output folder is read-only
  --> book
   = help: make it writable (`chmod u+w book`), or choose another output folder with `--output` or `[build] output` in book.toml

"
    );

    // The staging folder goes beside the output: a read-only edition folder stops the build before it writes.
    mode(&root, 0o555);
    let out = unprivileged(&root, "build").output().unwrap();
    mode(&root, 0o755);
    assert_failed_and_kept(&out, 2, &site, &root);
    assert_eq!(
        messages(&out, dir.path()),
        "error: cannot create a staging folder beside the output: Permission denied (os error 13)
  --> book
   = help: check that the output's parent folder is writable

"
    );
}

/// A read-only folder inside the previous site: the new site is swapped in
/// (the build succeeded), and the warning says where the old one was left.
#[test]
fn a_previous_site_that_cannot_be_removed_is_a_warning_that_says_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let root = built_edition(dir.path());
    fs::write(
        root.join("content/a.md"),
        "---\ntitle: A, again\n---\nNew.\n",
    )
    .unwrap();
    fs::set_permissions(root.join("book/static"), fs::Permissions::from_mode(0o555)).unwrap();
    let out = unprivileged(&root, "build").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(fs::read_to_string(root.join("book/a/index.html"))
        .unwrap()
        .contains("A, again"));
    let left: Vec<String> = fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".book"))
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(
        stderr,
        format!(
            "warning: the new site is in place, but removing the previous one failed: Permission denied (os error 13)
  --> book
   = help: the previous site is left in {}: make it writable (`chmod -R u+w`) and remove it

",
            left[0]
        )
    );
    for static_dir in [root.join(&left[0]).join("static"), root.join("book/static")] {
        fs::set_permissions(static_dir, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A full disk, as the process sees it: with `ulimit -f` every write past
/// the limit fails with EFBIG (SIGXFSZ ignored so the write returns the error).
#[test]
fn a_full_disk_names_the_file_and_keeps_the_previous_site() {
    let dir = tempfile::tempdir().unwrap();
    let root = built_edition(dir.path());
    let site = tree_snapshot(&root.join("book"));
    let paragraphs: Vec<String> = (0..2000)
        .map(|i| format!("Paragraph {i}. {}", "words ".repeat(50)))
        .collect();
    fs::write(
        root.join("content/big.md"),
        format!("---\ntitle: Big\n---\n\n{}\n", paragraphs.join("\n\n")),
    )
    .unwrap();
    // 200 blocks (100 KiB or more): every page but the big one fits.
    let script = format!(
        "trap '' XFSZ; ulimit -f 200; exec '{}' build",
        support::scholia_bin().display()
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_failed_and_kept(&out, 1, &site, &root);
    assert_eq!(
        messages(&out, dir.path()),
        "error: cannot write this file of the new site: File too large (os error 27)
  --> book/big/index.html
   = help: the file is larger than this process may write (a file size limit, see `ulimit -f`): raise the limit; the previous site is unchanged

"
    );
}

/// Refusals tests/safe_output.rs does not pin: a file, links to the content
/// and home folders, and a folder two levels above the edition.
#[test]
fn output_paths_behind_links_or_above_the_edition_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("a/b/edition");
    fs::create_dir_all(root.join("content")).unwrap();
    fs::write(root.join("book.toml"), "[edition]\ntitle = \"T\"\n").unwrap();
    fs::write(root.join("content/a.md"), "---\ntitle: A\n---\nText.\n").unwrap();
    let home = dir.path().join("home");
    fs::create_dir_all(&home).unwrap();
    symlink(root.join("content"), root.join("to-content")).unwrap();
    symlink(&home, root.join("to-home")).unwrap();
    let cases = [
        ("book.toml", "the output path exists and is not a folder"),
        (
            "to-content",
            "refusing an output folder that is, contains or lies inside the content folder",
        ),
        (
            "to-content/site",
            "refusing an output folder that is, contains or lies inside the content folder",
        ),
        (
            "to-home",
            "refusing to use your home folder as the output folder",
        ),
        (
            "../..",
            "refusing to write the site over the edition folder that holds it",
        ),
    ];
    for (output, message) in cases {
        let before = tree_snapshot(dir.path());
        let out = scholia(["build", "-o", output])
            .current_dir(&root)
            .env("HOME", &home)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "-o {output}");
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .starts_with(&format!("error: {message}\n  --> {output}\n")),
            "-o {output}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_trees_equal(
            &before,
            &tree_snapshot(dir.path()),
            &format!("after refusing -o {output}"),
        );
    }
}
