//! scholia's own internal link checker for a built site.
//!
//! Every `href`, `src`, `srcset`, `poster` and `xlink:href` in every HTML
//! page of the site must resolve, relative to its page, to a file of the
//! site; a link to a folder needs that folder's `index.html`; a `#fragment`
//! must name an `id` (or an `<a name>`) of the target page. URLs with a
//! scheme (`http:`, `https:`, `mailto:`, `data:`, `tel:`) and protocol-relative
//! ones (`//host/...`) are not checked. Root-relative URLs (`/x`) are reported:
//! scholia's output uses relative URLs only, so that it works under any
//! sub-path and from `file://`. All problems are returned at once.
//!
//! The HTML is read with a small tokenizer that knows what matters here:
//! comments, doctype, quoted (double or single) and unquoted attribute
//! values, character references in them, and the raw text of `<script>`,
//! `<style>`, `<textarea>` and `<title>`, whose content is not markup.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// One attribute value that is a URL, where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub line: usize,
    pub tag: String,
    pub attr: String,
    pub url: String,
}

/// What a page offers and asks for.
#[derive(Debug, Default, Clone)]
pub struct ParsedPage {
    /// Fragment targets: every `id`, and `name` of `<a>`.
    pub ids: HashSet<String>,
    pub links: Vec<LinkRef>,
}

/// A link that does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The page it is on, relative to the site root.
    pub page: PathBuf,
    pub line: usize,
    pub tag: String,
    pub attr: String,
    pub url: String,
    pub problem: String,
}

impl fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: <{} {}=\"{}\">: {}",
            self.page.display(),
            self.line,
            self.tag,
            self.attr,
            self.url,
            self.problem
        )
    }
}

/// Options of a check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Report links to a folder (`a/`, `.`) even when it has an index.html:
    /// opened from `file://`, such a link shows a folder listing, not the page.
    pub file_url_safe: bool,
    /// The `--base-path` the site was built with (such as `/sub/path/`). A
    /// host serves `404.html` at any missing URL, where relative URLs cannot
    /// work, so on that page (only) root-relative URLs under the base path
    /// are allowed, and resolved from the site root.
    pub base_path: Option<String>,
}

/// The outcome of checking a site.
#[derive(Debug, Default)]
pub struct Report {
    pub pages: usize,
    /// Links looked at (external ones included).
    pub links: usize,
    /// Links that were resolved inside the site (all links but external ones).
    pub internal: usize,
    pub broken: Vec<BrokenLink>,
}

impl Report {
    /// Panics listing every broken link unless there are none.
    #[track_caller]
    pub fn assert_ok(&self, what: &str) {
        assert!(
            self.broken.is_empty(),
            "{what}: {} broken link(s) in {} page(s):\n{}",
            self.broken.len(),
            self.pages,
            self.broken
                .iter()
                .map(|b| format!("  {b}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// Checks every HTML page under `root` with default options.
pub fn check_site(root: &Path) -> Report {
    check_site_with(root, &Options::default())
}

/// Checks every HTML page under `root`.
pub fn check_site_with(root: &Path, opts: &Options) -> Report {
    let pages: BTreeMap<PathBuf, ParsedPage> = super::html_files(root)
        .into_iter()
        .map(|rel| {
            let bytes = fs::read(root.join(&rel)).expect("reading a page");
            let page = parse_html(&String::from_utf8_lossy(&bytes));
            (rel, page)
        })
        .collect();
    let mut report = Report {
        pages: pages.len(),
        ..Report::default()
    };
    for (rel, page) in &pages {
        for link in &page.links {
            report.links += 1;
            for url in urls_of(link) {
                match check_url(root, rel, &url, &pages, opts) {
                    Check::External => {}
                    Check::Ok => report.internal += 1,
                    Check::Broken(problem) => {
                        report.internal += 1;
                        report.broken.push(BrokenLink {
                            page: rel.clone(),
                            line: link.line,
                            tag: link.tag.clone(),
                            attr: link.attr.clone(),
                            url: url.clone(),
                            problem,
                        });
                    }
                }
            }
        }
    }
    report
}

/// The URLs in one attribute: one, or each candidate of a `srcset`.
fn urls_of(link: &LinkRef) -> Vec<String> {
    if link.attr == "srcset" {
        link.url
            .split(',')
            .filter_map(|c| c.split_whitespace().next())
            .map(str::to_string)
            .collect()
    } else {
        vec![link.url.clone()]
    }
}

enum Check {
    External,
    Ok,
    Broken(String),
}

fn check_url(
    root: &Path,
    page: &Path,
    url: &str,
    pages: &BTreeMap<PathBuf, ParsedPage>,
    opts: &Options,
) -> Check {
    // HTML strips leading and trailing ASCII whitespace from URLs.
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace());
    if url.starts_with("//") {
        return Check::External;
    }
    if let Some(scheme) = scheme_of(url) {
        return match scheme.to_ascii_lowercase().as_str() {
            "http" | "https" | "mailto" | "data" | "tel" => Check::External,
            other => Check::Broken(format!("unexpected URL scheme `{other}:`")),
        };
    }
    // The folder the URL's path is relative to.
    let mut base = page.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut url = url;
    if let Some(rest) = opts
        .base_path
        .as_deref()
        .filter(|_| page == Path::new("404.html"))
        .and_then(|bp| url.strip_prefix(bp.trim_end_matches('/')))
        .and_then(|rest| rest.strip_prefix('/'))
    {
        base = PathBuf::new();
        url = if rest.is_empty() { "./" } else { rest };
    }
    if url.starts_with('/') {
        return Check::Broken(
            "root-relative URL: it breaks under a sub-path and from file://; use a relative URL"
                .into(),
        );
    }
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let path_part = before_fragment.split('?').next().unwrap_or("");
    let target: PathBuf = if path_part.is_empty() {
        page.to_path_buf()
    } else {
        let decoded = percent_decode(path_part);
        let mut resolved = base;
        for comp in Path::new(&decoded).components() {
            match comp {
                Component::Normal(c) => resolved.push(c),
                Component::CurDir => {}
                Component::ParentDir => {
                    if !resolved.pop() {
                        return Check::Broken("points outside the site".into());
                    }
                }
                _ => return Check::Broken("not a relative path".into()),
            }
        }
        let on_disk = root.join(&resolved);
        let names_folder = decoded.ends_with('/')
            || decoded == "."
            || decoded == ".."
            || decoded.ends_with("/.")
            || decoded.ends_with("/..");
        if names_folder || on_disk.is_dir() {
            if !on_disk.is_dir() {
                return Check::Broken("no such folder".into());
            }
            let index = resolved.join("index.html");
            if !root.join(&index).is_file() {
                return Check::Broken("folder without index.html".into());
            }
            if !names_folder {
                return Check::Broken(
                    "links to a folder without a trailing slash: relative URLs on the target page resolve against the wrong folder on hosts that do not redirect".into(),
                );
            }
            if opts.file_url_safe {
                return Check::Broken(
                    "links to a folder: from file:// this opens a folder listing; link to its index.html".into(),
                );
            }
            index
        } else if on_disk.is_file() {
            resolved
        } else {
            return Check::Broken("no such file".into());
        }
    };
    if let Some(fragment) = fragment {
        let fragment = percent_decode(fragment);
        if fragment.is_empty() || fragment == "top" {
            return Check::Ok; // both scroll to the top of the page
        }
        let is_html = target
            .extension()
            .is_some_and(|e| e == "html" || e == "htm");
        if is_html {
            let ids = pages.get(&target).map(|p| &p.ids);
            if !ids.is_some_and(|ids| ids.contains(&fragment)) {
                return Check::Broken(format!(
                    "no element with id=\"{fragment}\" in {}",
                    target.display()
                ));
            }
        }
    }
    Check::Ok
}

/// The scheme of an absolute URL (`https` of `https://x`), if it has one.
fn scheme_of(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'))
    .then_some(scheme)
}

/// Decodes `%XX` escapes (invalid ones are kept as written); the bytes are
/// read as UTF-8, lossily.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Attributes whose value is a URL.
fn is_url_attr(attr: &str) -> bool {
    matches!(attr, "href" | "src" | "srcset" | "poster" | "xlink:href")
}

/// Reads the fragment targets and URL attributes of one HTML document.
pub fn parse_html(html: &str) -> ParsedPage {
    let b = html.as_bytes();
    let mut page = ParsedPage::default();
    let mut i = 0;
    let mut line = 1;
    let mut counted = 0; // bytes up to here have been counted into `line`
    let mut line_at = |pos: usize| {
        line += b[counted..pos].iter().filter(|&&c| c == b'\n').count();
        counted = pos;
        line
    };
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        let rest = &html[start..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            i = match comment.find("-->") {
                Some(e) => start + 4 + e + 3,
                None => b.len(),
            };
        } else if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            i = match rest.find('>') {
                Some(e) => start + e + 1,
                None => b.len(),
            };
        } else if rest.len() > 1 && b[start + 1].is_ascii_alphabetic() {
            let tag_line = line_at(start);
            let (tag, attrs, end) = parse_tag(html, start + 1);
            i = end;
            for (name, value) in attrs {
                if name == "id" || (name == "name" && tag == "a") {
                    page.ids.insert(value.clone());
                }
                if is_url_attr(&name) {
                    page.links.push(LinkRef {
                        line: tag_line,
                        tag: tag.clone(),
                        attr: name,
                        url: value,
                    });
                }
            }
            if matches!(tag.as_str(), "script" | "style" | "textarea" | "title") {
                // Raw text up to the matching end tag.
                let close = format!("</{tag}");
                let lower = html[i..].to_ascii_lowercase();
                i = match lower.find(&close) {
                    Some(e) => i + e,
                    None => b.len(),
                };
            }
        } else {
            i = start + 1;
        }
    }
    page
}

/// Parses a start tag whose name begins at `pos`; returns the lowercased
/// name, its attributes (lowercased names, decoded values) and the position
/// after the closing `>`.
fn parse_tag(html: &str, mut pos: usize) -> (String, Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let n = b.len();
    let name_start = pos;
    while pos < n && !b[pos].is_ascii_whitespace() && b[pos] != b'/' && b[pos] != b'>' {
        pos += 1;
    }
    let tag = html[name_start..pos].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while pos < n && (b[pos].is_ascii_whitespace() || b[pos] == b'/') {
            pos += 1;
        }
        if pos >= n {
            return (tag, attrs, n);
        }
        if b[pos] == b'>' {
            return (tag, attrs, pos + 1);
        }
        let an_start = pos;
        pos += 1; // a name may start with any character, even '='
        while pos < n && !b[pos].is_ascii_whitespace() && !matches!(b[pos], b'/' | b'>' | b'=') {
            pos += 1;
        }
        let name = html[an_start..pos].to_ascii_lowercase();
        while pos < n && b[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let mut value = String::new();
        if pos < n && b[pos] == b'=' {
            pos += 1;
            while pos < n && b[pos].is_ascii_whitespace() {
                pos += 1;
            }
            if pos < n && (b[pos] == b'"' || b[pos] == b'\'') {
                let quote = b[pos] as char;
                let v_start = pos + 1;
                let v_end = html[v_start..].find(quote).map_or(n, |e| v_start + e);
                value = decode_entities(&html[v_start..v_end]);
                pos = (v_end + 1).min(n);
            } else {
                let v_start = pos;
                while pos < n && !b[pos].is_ascii_whitespace() && b[pos] != b'>' {
                    pos += 1;
                }
                value = decode_entities(&html[v_start..pos]);
            }
        }
        attrs.push((name, value));
    }
}

/// Decodes the character references that occur in attribute values: the
/// common named ones and numeric ones. Others are kept as written.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 32);
        let decoded = semi.and_then(|e| {
            let name = &rest[1..e];
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((ch, e + 1))
        });
        match decoded {
            Some((ch, len)) => {
                out.push(ch);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
