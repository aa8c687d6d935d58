//! Nothing is lost: refused output folders stay untouched, a failed or killed
//! build leaves the previous site byte for byte, and files scholia did not
//! write survive every build.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use support::{assert_trees_equal, scholia, tree_snapshot};

fn write(path: &Path, body: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, body).unwrap();
}

/// An edition with `n` texts; `version` changes every text's words.
fn edition(root: &Path, n: usize, version: &str) {
    write(&root.join("book.toml"), "[edition]\ntitle = \"Safe\"\n");
    let paragraph =
        "The comradely relations of the workers became stronger in many enterprises. ".repeat(6);
    for i in 0..n {
        let body = format!(
            "---\ntitle: \"Text {i} ({version})\"\ndate: \"1939-08\"\n---\n\n{}\n",
            (0..20)
                .map(|p| format!("{version} {p}. {paragraph}"))
                .collect::<Vec<_>>()
                .join("\n\n")
        );
        write(
            &root.join(format!("content/s{}/text-{i}.md", i % 10)),
            &body,
        );
    }
}

fn build(root: &Path, extra: &[&str]) -> std::process::Output {
    scholia(["build"])
        .args(extra)
        .current_dir(root)
        .output()
        .unwrap()
}

#[track_caller]
fn assert_built(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn siblings_of_book(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".book"))
        .collect();
    names.sort();
    names
}

#[test]
fn each_refused_output_folder_is_refused_and_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("edition");
    edition(&root, 2, "a");
    let home = dir.path().join("home");
    write(&home.join(".profile"), "mine");
    let foreign = dir.path().join("photos");
    write(&foreign.join("holiday.jpg"), "jpeg");
    write(&root.join("notes.txt"), "mine too");
    let cases: [(PathBuf, &str); 6] = [
        (
            root.clone(),
            "refusing to write the site over the edition folder that holds it",
        ),
        (
            dir.path().to_path_buf(),
            "refusing to write the site over the edition folder that holds it",
        ),
        (
            root.join("content"),
            "refusing an output folder that is, contains or lies inside the content folder",
        ),
        (
            home.clone(),
            "refusing to use your home folder as the output folder",
        ),
        (
            PathBuf::from("/"),
            "refusing to use the root folder `/` as the output folder",
        ),
        (
            foreign.clone(),
            "the output folder is not empty and was not written by scholia",
        ),
    ];
    for (output, message) in cases {
        let before = tree_snapshot(dir.path());
        let out = scholia([
            "build".as_ref(),
            root.as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
        ])
        .env("HOME", &home)
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", output.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(&format!("error: {message}\n")),
            "{}: {stderr}",
            output.display()
        );
        assert_trees_equal(
            &before,
            &tree_snapshot(dir.path()),
            &format!("after refusing {}", output.display()),
        );
    }
}

#[test]
fn a_build_that_fails_midway_leaves_the_previous_site_intact() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    edition(root, 30, "a");
    // A theme whose text template fails for one text only, after others have rendered.
    let templates = root.join("themes/strict/templates");
    write(&templates.join("index.html"), "index");
    write(&templates.join("404.html"), "404");
    write(
        &templates.join("text.html"),
        "{{ text.title }}{% if text.slug == \"text-17\" %}{{ text.missing }}{% endif %}",
    );
    assert_built(&build(root, &[]));
    let before = tree_snapshot(&root.join("book"));

    edition(root, 30, "b");
    write(
        &root.join("book.toml"),
        "[edition]\ntitle = \"Safe\"\n[build]\ntheme = \"strict\"\n",
    );
    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rendering text-17/index.html failed"));
    assert_trees_equal(
        &before,
        &tree_snapshot(&root.join("book")),
        "book/ after a failed render",
    );
    assert_eq!(
        siblings_of_book(root),
        Vec::<String>::new(),
        "the staging folder is removed"
    );

    // A content error stops the build before anything is written.
    write(&root.join("book.toml"), "[edition]\ntitle = \"Safe\"\n");
    write(&root.join("content/s1/broken.md"), "---\ntitle: [\n---\n");
    assert_eq!(build(root, &[]).status.code(), Some(1));
    assert_trees_equal(
        &before,
        &tree_snapshot(&root.join("book")),
        "book/ after a content error",
    );
}

#[test]
fn files_scholia_did_not_write_survive_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    edition(root, 3, "a");
    assert_built(&build(root, &[]));
    write(&root.join("book/CNAME"), "edition.example.org");
    write(&root.join("book/extra/notes.txt"), "kept");
    fs::rename(root.join("content/s2"), root.join("gone")).unwrap();
    assert_built(&build(root, &[]));
    assert_eq!(
        fs::read_to_string(root.join("book/CNAME")).unwrap(),
        "edition.example.org"
    );
    assert_eq!(
        fs::read_to_string(root.join("book/extra/notes.txt")).unwrap(),
        "kept"
    );
    assert!(
        !root.join("book/text-2").exists(),
        "pages of removed texts are removed"
    );
    assert!(root.join("book/text-1/index.html").is_file());

    // A foreign file where the new build wants to write: refused, nothing changes.
    write(
        &root.join("content/s2/text-2.md"),
        "---\ntitle: Back\n---\nBack.\n",
    );
    write(&root.join("book/text-2/index.html"), "my own page");
    let before = tree_snapshot(&root.join("book"));
    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("this file was not written by scholia"));
    assert_trees_equal(
        &before,
        &tree_snapshot(&root.join("book")),
        "book/ after refusing to overwrite",
    );
}

/// Builds killed with SIGKILL at many moments leave the old site or the new
/// one, complete, never a mix; the next build cleans up after them.
#[test]
fn a_killed_build_leaves_the_old_or_the_new_site() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    edition(&a, 600, "a");
    edition(&b, 600, "b");
    // Reference sites: what a complete build of each version looks like.
    let started = Instant::now();
    assert_built(&build(&a, &[]));
    let first = started.elapsed();
    let started = Instant::now();
    assert_built(&build(&b, &[]));
    // Under a loaded machine builds slow down: spread the kills generously.
    let full = first.max(started.elapsed()).mul_f64(1.5);
    let site_a = tree_snapshot(&a.join("book"));
    let site_b = tree_snapshot(&b.join("book"));
    assert_ne!(site_a, site_b);

    // Work in a third edition, switching its content between the two versions.
    let work = dir.path().join("work");
    support::copy_dir(&a, &work).unwrap();
    let trials = 12;
    let (mut saw_old, mut saw_new) = (0, 0);
    for trial in 0..trials {
        let (from, to) = if trial % 2 == 0 {
            (&site_a, &b)
        } else {
            (&site_b, &a)
        };
        let current = tree_snapshot(&work.join("book"));
        assert_trees_equal(from, &current, "site before the trial");
        fs::remove_dir_all(work.join("content")).unwrap();
        support::copy_dir(&to.join("content"), &work.join("content")).unwrap();

        let mut child = Command::new(support::scholia_bin())
            .arg("build")
            .current_dir(&work)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Spread the kills over the whole build, a little past its usual end;
        // the last build is let finish, so a loaded machine, where every
        // build outlasts its kill, still shows a swap completed.
        if trial + 1 < trials {
            std::thread::sleep(full.mul_f64(trial as f64 / (trials - 2) as f64));
            let _ = child.kill();
        }
        let _ = child.wait();

        let after = tree_snapshot(&work.join("book"));
        let new = if trial % 2 == 0 { &site_b } else { &site_a };
        if &after == from {
            saw_old += 1;
        } else {
            assert_trees_equal(
                new,
                &after,
                &format!("trial {trial}: neither the old nor the new site"),
            );
            saw_new += 1;
        }
        // Put the site back where the next trial expects it.
        if &after == from {
            assert_built(&build(&work, &[]));
        }
    }
    assert!(
        saw_old > 0,
        "no kill landed before the swap; the test exercised nothing"
    );
    assert!(
        saw_new > 0,
        "no build finished; the kills came too early to test the swap"
    );
    assert_built(&build(&work, &[]));
    assert_eq!(
        siblings_of_book(&work),
        Vec::<String>::new(),
        "leftovers of killed builds are cleaned up"
    );
}
