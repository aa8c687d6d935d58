//! Internal links of the built site: every relative `href`/`src` resolves to
//! a file of the site, and every `#fragment` to an `id` of its target page.
//! The checker itself lives in `tests/support/links.rs`; the first tests here
//! prove it finds what it must on small hand-written sites.

mod support;

use std::fs;
use std::path::Path;

use support::links::{self, check_site, check_site_with, parse_html, Options};

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn page(body: &str) -> String {
    format!("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title></head>\n<body>\n{body}\n</body></html>\n")
}

/// A small site whose every link is fine, in every form the checker accepts.
fn good_site(root: &Path) {
    write(
        root,
        "index.html",
        &page(
            r##"<link rel="stylesheet" href="static/style.css">
<a href="first/">first</a> <a href='first/index.html#p-2'>para 2</a>
<a href=second/#sec>unquoted</a> <a href="#top">top</a> <a href="#">none</a> <a href="">self</a>
<a href="#intro" id="intro">me</a> <a href="first/?q=1#p-1">query</a>
<a href="https://example.org/x">ext</a> <a href="mailto:a@b.c">mail</a> <a href="//cdn.example/x.js">proto</a>
<img alt="" src="data:image/png;base64,AAAA"> <img alt="" srcset="static/a%20b.png 1x, static/a%20b.png 2x">
<a href="first/index.html#caf%C3%A9">encoded fragment</a> <a href="first/#&#x63;af&eacute;">entity kept as written</a>
<!-- <a href="commented-out/">x</a> -->
<script>var s = '<a href="in-script/">'; </script>
<style>a::after { content: '<a href="in-style/">'; }</style>"##,
        ),
    );
    write(
        root,
        "first/index.html",
        &page(
            r#"<p id="p-1">one</p><p id='p-2'>two</p><h2 id="café">c</h2><h2 id="&#x63;af&eacute;">x</h2><a href="../">home</a> <a href="../second/index.html">2</a> <a href="./">self</a>"#,
        ),
    );
    write(
        root,
        "second/index.html",
        &page(
            r#"<a name="sec"></a><a href="../first/index.html#p-1">back</a><img alt="" src="../static/a%20b.png">"#,
        ),
    );
    write(root, "static/style.css", "body{}");
    write(root, "static/a b.png", "png");
}

#[test]
fn checker_accepts_a_site_whose_links_all_resolve() {
    let tmp = tempfile::tempdir().unwrap();
    good_site(tmp.path());
    let report = check_site(tmp.path());
    report.assert_ok("hand-written good site");
    assert_eq!(report.pages, 3);
    // Every internal link above was resolved, not just skipped.
    assert_eq!(report.internal, 18, "{report:?}");
}

#[test]
fn checker_reports_every_broken_link_with_page_line_and_reason() {
    let tmp = tempfile::tempdir().unwrap();
    good_site(tmp.path());
    write(
        tmp.path(),
        "broken/index.html",
        &page(
            r##"<a href="../nope/">missing folder</a>
<a href='../first/index.html#p-9'>missing id</a>
<img alt="" src="../static/missing.png">
<a href="/first/">root-relative</a>
<a href="../empty/">folder without index</a>
<a href="../../../etc/passwd">outside</a>
<a href="#nowhere">own fragment</a>
<link rel="stylesheet" href="file:///tmp/x.css">
<a href="../first">no trailing slash</a>
<img alt="" srcset="../static/a%20b.png 1x, ../static/gone.png 2x">"##,
        ),
    );
    fs::create_dir_all(tmp.path().join("empty")).unwrap();
    let report = check_site(tmp.path());
    let got: Vec<(usize, &str, &str)> = report
        .broken
        .iter()
        .map(|b| {
            assert_eq!(b.page, Path::new("broken/index.html"));
            (b.line, b.url.as_str(), b.problem.as_str())
        })
        .collect();
    let expect = [
        (4, "../nope/", "no such folder"),
        (
            5,
            "../first/index.html#p-9",
            "no element with id=\"p-9\" in first/index.html",
        ),
        (6, "../static/missing.png", "no such file"),
        (7, "/first/", "root-relative URL"),
        (8, "../empty/", "folder without index.html"),
        (9, "../../../etc/passwd", "points outside the site"),
        (
            10,
            "#nowhere",
            "no element with id=\"nowhere\" in broken/index.html",
        ),
        (11, "file:///tmp/x.css", "unexpected URL scheme `file:`"),
        (12, "../first", "links to a folder without a trailing slash"),
        (13, "../static/gone.png", "no such file"),
    ];
    assert_eq!(got.len(), expect.len(), "{:#?}", report.broken);
    for ((line, url, problem), (eline, eurl, eproblem)) in got.iter().zip(expect) {
        assert_eq!((*line, *url), (eline, eurl));
        assert!(
            problem.starts_with(eproblem),
            "{url}: {problem:?} should start with {eproblem:?}"
        );
    }
}

#[test]
fn checker_in_file_url_mode_reports_folder_links() {
    let tmp = tempfile::tempdir().unwrap();
    good_site(tmp.path());
    let report = check_site_with(
        tmp.path(),
        &Options {
            file_url_safe: true,
            ..Options::default()
        },
    );
    let mut urls: Vec<&str> = report.broken.iter().map(|b| b.url.as_str()).collect();
    urls.sort();
    // Every link to a folder, and nothing else (the URL as decoded from the attribute).
    assert_eq!(
        urls,
        [
            "../",
            "./",
            "first/",
            "first/#caf&eacute;",
            "first/?q=1#p-1",
            "second/#sec"
        ]
    );
}

#[test]
fn parser_reads_quotes_entities_and_skips_raw_text() {
    let p = parse_html(
        "<A HREF='a.html?x=1&amp;y=2' ID=one><img\n src = \"b.png\" id=\"t&quot;wo\"><p id=three/>\n\
         <script>document.write('<a href=\"no.html\" id=\"no\">')</script><a href=c.html>c</a>\
         <textarea><a href=\"no2.html\"></textarea><!-- <a href=\"no3.html\"> -->",
    );
    let links: Vec<(usize, &str, &str, &str)> = p
        .links
        .iter()
        .map(|l| (l.line, l.tag.as_str(), l.attr.as_str(), l.url.as_str()))
        .collect();
    assert_eq!(
        links,
        [
            (1, "a", "href", "a.html?x=1&y=2"),
            (1, "img", "src", "b.png"),
            (3, "a", "href", "c.html"),
        ]
    );
    let mut ids: Vec<&str> = p.ids.iter().map(String::as_str).collect();
    ids.sort();
    // `id=three/>`: an unquoted value runs to whitespace or `>`, so it is `three/`.
    assert_eq!(ids, ["one", "t\"wo", "three/"]);
    assert_eq!(
        links::decode_entities("&lt;&#65;&#x42;&unknown;&"),
        "<AB&unknown;&"
    );
    assert_eq!(links::percent_decode("caf%C3%A9%zz%4"), "café%zz%4");
}

#[test]
fn checker_allows_base_path_urls_on_the_404_page_only() {
    let tmp = tempfile::tempdir().unwrap();
    good_site(tmp.path());
    let body = r#"<a href="/sub/path/">home</a> <a href="/sub/path/first/index.html#p-1">p1</a>
<link rel="stylesheet" href="/sub/path/static/style.css"> <a href="/sub/path/nope.html">gone</a> <a href="/other/">other</a>"#;
    write(tmp.path(), "404.html", &page(body));
    write(tmp.path(), "second/more.html", &page(body));
    let opts = Options {
        base_path: Some("/sub/path/".into()),
        ..Options::default()
    };
    let report = check_site_with(tmp.path(), &opts);
    let got: Vec<(String, &str, &str)> = report
        .broken
        .iter()
        .map(|b| {
            (
                b.page.display().to_string(),
                b.url.as_str(),
                b.problem.as_str(),
            )
        })
        .collect();
    let root_relative =
        "root-relative URL: it breaks under a sub-path and from file://; use a relative URL";
    assert_eq!(
        got,
        [
            (
                "404.html".to_string(),
                "/sub/path/nope.html",
                "no such file"
            ),
            ("404.html".to_string(), "/other/", root_relative),
            ("second/more.html".to_string(), "/sub/path/", root_relative),
            (
                "second/more.html".to_string(),
                "/sub/path/first/index.html#p-1",
                root_relative
            ),
            (
                "second/more.html".to_string(),
                "/sub/path/static/style.css",
                root_relative
            ),
            (
                "second/more.html".to_string(),
                "/sub/path/nope.html",
                root_relative
            ),
            ("second/more.html".to_string(), "/other/", root_relative),
        ]
    );
}

// --- the real site -----------------------------------------------------------

/// Every internal link resolves, and none points at a bare folder: the site
/// is browsable from `file://`, where a folder link shows a directory listing.
#[test]
fn bundled_edition_has_no_broken_internal_links() {
    let tmp = support::build_bundled_edition(&[]);
    let site = tmp.path().join("book");
    let opts = Options {
        file_url_safe: true,
        ..Options::default()
    };
    let report = check_site_with(&site, &opts);
    assert!(
        report.pages >= 3,
        "expected at least index, 404 and one text page, found {} HTML page(s) in {}",
        report.pages,
        site.display()
    );
    assert!(
        report.internal > 0,
        "the built site has no internal link at all"
    );
    report.assert_ok("bundled edition (scholia build)");
}

#[test]
fn bundled_edition_built_with_a_base_path_has_no_broken_internal_links() {
    let tmp = support::build_bundled_edition(&["--base-path", "/sub/path/"]);
    let opts = Options {
        base_path: Some("/sub/path/".into()),
        ..Options::default()
    };
    let report = check_site_with(&tmp.path().join("book"), &opts);
    assert!(report.pages >= 3 && report.internal > 0, "{report:?}");
    report.assert_ok("bundled edition (scholia build --base-path /sub/path/)");
}

/// Loads `url` and asserts that its stylesheet applies and that every
/// request it made succeeded (but the page itself, if `page_404`).
fn assert_resources_load(chromium: &support::Chromium, url: &str, page_404: bool) {
    let js = r#"document.querySelectorAll('link[rel~="stylesheet"]').length"#;
    let load = chromium.load(url, 1280, 800, &[], js);
    assert!(load.value.as_u64() > Some(0), "no stylesheet link at {url}");
    let failed: Vec<&String> = load
        .failed
        .iter()
        .filter(|f| !(page_404 && f.starts_with(&format!("Document {url}:"))))
        .collect();
    assert!(
        failed.is_empty(),
        "requests that failed at {url}:\n  {}",
        failed
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
    assert!(
        !page_404 || load.failed.iter().any(|f| f.contains("HTTP 404")),
        "{url} should have been a 404: {:?}",
        load.failed
    );
}

/// In a real browser, every resource of the pages loads from `file://`,
/// from a server under a sub-path, and on the 404 page served at a deep
/// missing URL.
#[test]
fn bundled_edition_loads_its_styles_from_file_and_from_a_sub_path() {
    let Some(chromium) = support::Chromium::find_or_skip() else {
        return;
    };
    let tmp = support::build_bundled_edition(&[]);
    let site = tmp.path().join("book");
    let text_page = support::html_files(&site)
        .into_iter()
        .find(|p| p.components().count() == 2)
        .expect("a text page <slug>/index.html");
    assert_resources_load(
        &chromium,
        &support::file_url(&site.join("index.html")),
        false,
    );
    assert_resources_load(&chromium, &support::file_url(&site.join(&text_page)), false);

    let sub = support::build_bundled_edition(&["--base-path", "/sub/path/"]);
    let server = support::serve_dir_at(&sub.path().join("book"), "/sub/path/");
    let text_url = format!(
        "{}{}",
        server.base_url,
        text_page.parent().unwrap().display()
    );
    assert_resources_load(&chromium, &server.base_url, false);
    assert_resources_load(&chromium, &format!("{text_url}/"), false);
    assert_resources_load(
        &chromium,
        &format!("{}no/such/page/", server.base_url),
        true,
    );
}

/// The path of `base_url` in a book.toml (`/fixture/` of
/// `base_url = "https://example.org/fixture/"`): the build's default base
/// path, which the 404 page uses.
fn base_url_path(book_toml: &str) -> Option<String> {
    let line = book_toml
        .lines()
        .find(|l| l.trim_start().starts_with("base_url"))?;
    let url = line.split('"').nth(1)?;
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    Some(path.to_string())
}

/// The fixtures with golden outputs (`tests/fixtures/*/expected/`) exercise
/// each feature's links: notes, footnotes, cross-references. Each is built
/// afresh (the golden copies leave out the theme's assets) and none of its
/// links may be broken.
#[test]
fn fixture_outputs_have_no_broken_internal_links() {
    let fixtures = support::repo_root().join("tests/fixtures");
    let opts = Options {
        file_url_safe: true,
        ..Options::default()
    };
    let mut checked = 0;
    let mut broken = Vec::new();
    for entry in fs::read_dir(&fixtures).expect("tests/fixtures") {
        let fixture = entry.unwrap().path();
        if !fixture.join("expected").is_dir() {
            continue;
        }
        let out = tempfile::tempdir().unwrap();
        let site = out.path().join("book");
        support::build_site(&fixture, &site, &[]);
        let book = fs::read_to_string(fixture.join("book.toml")).unwrap_or_default();
        let opts = Options {
            base_path: base_url_path(&book),
            ..opts.clone()
        };
        let report = check_site_with(&site, &opts);
        checked += report.pages;
        broken.extend(
            report
                .broken
                .iter()
                .map(|b| format!("  {}: {b}", fixture.display())),
        );
    }
    assert!(checked > 0, "no golden page under {}", fixtures.display());
    assert!(
        broken.is_empty(),
        "{} broken link(s) in the golden outputs:\n{}",
        broken.len(),
        broken.join("\n")
    );
}
