//! Citations: a text and the edition's configuration in; ready-made citation
//! strings (Chicago notes and bibliography, MLA) for the page, and the
//! `{slug}/cite.bib` (BibTeX) and `{slug}/cite.json` (CSL-JSON) exports out.
//!
//! Every form cites the text *as it appears in this edition*: the original
//! (author, title, date, where it was first published, translator) inside the
//! edition (its title, editors and — when `base_url` is set — the text's
//! URL). Without `base_url` the edition has no public address, so the strings
//! and exports carry no URL at all rather than a relative one no reader could
//! follow. The access date is left to the reader: a build has no business
//! guessing when someone reads it.
//!
//! Why not the `hayagriva` crate, which renders CSL styles: we tried it
//! (0.10, with its style archive and CSL-JSON input) on this edition and it
//! printed wrong citations that no option turns off. Its English title-case
//! rule lowercases words on a fixed list, so "Questions of the United Front in
//! Germany" came out as "…the United front in Germany"; for the seven texts
//! whose author is unknown, the Chicago style substitutes the edition's
//! editors as the author, which misattributes the text; and an edition
//! without a date of its own got "n.d." It also added about sixty crates
//! (ICU collation, URL parsing, a CBOR style archive that takes 170 ms to
//! load). The shape cited here is always the same — one text in one online
//! edition — so the three styles are written out below, each rule next to
//! the test that pins it.
//!
//! Names are single strings in the front-matter. A name of two or more
//! capitalised words is read as given names and a family name (the last
//! word), so bibliographies can invert it ("Ulbricht, Walter"), and so is a
//! name written inverted; anything else ("The scholia editors", "Lenin",
//! "Ludwig van Beethoven", a name ending in "Jr.") is kept whole, as a
//! literal name: never inverted wrongly, only not inverted.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::model::{PartialDate, Text};

/// The BibTeX export in a text's folder.
pub const BIBTEX_FILE: &str = "cite.bib";
/// The CSL-JSON export in a text's folder.
pub const CSL_JSON_FILE: &str = "cite.json";

/// A person or body named in a citation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    Personal {
        given: String,
        family: String,
    },
    /// Kept as written: a body, a single name, or a name we cannot split safely.
    Literal(String),
}

impl Name {
    pub fn parse(written: &str) -> Name {
        let written = written.split_whitespace().collect::<Vec<_>>().join(" ");
        // Written inverted already: "Ulbricht, Walter".
        if let Some((family, given)) = written.split_once(", ") {
            if !family.contains(' ') && !given.contains(',') {
                return Name::Personal {
                    given: given.to_string(),
                    family: family.to_string(),
                };
            }
        }
        let words: Vec<&str> = written.split(' ').collect();
        let capitalised = |w: &&str| w.chars().next().is_some_and(char::is_uppercase);
        // A suffix ("Jr.", "III") or a comma would be mistaken for a family name.
        let plain = !written.contains(',')
            && words
                .last()
                .is_some_and(|w| !matches!(*w, "Jr." | "Sr." | "II" | "III" | "IV"));
        if words.len() >= 2 && words.iter().all(capitalised) && words[0] != "The" && plain {
            let (family, given) = words.split_last().expect("two or more words");
            Name::Personal {
                given: given.join(" "),
                family: family.to_string(),
            }
        } else {
            Name::Literal(written)
        }
    }

    /// "Walter Ulbricht".
    fn natural(&self) -> String {
        match self {
            Name::Personal { given, family } => format!("{given} {family}"),
            Name::Literal(name) => name.clone(),
        }
    }

    /// "Ulbricht, Walter", for the first name of a bibliography entry.
    fn inverted(&self) -> String {
        match self {
            Name::Personal { given, family } => format!("{family}, {given}"),
            Name::Literal(name) => name.clone(),
        }
    }

    /// "Ulbricht", for MLA's in-text citation.
    fn short(&self) -> &str {
        match self {
            Name::Personal { family, .. } => family,
            Name::Literal(name) => name,
        }
    }
}

/// Which paragraph a citation points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paragraph {
    /// The whole text.
    None,
    Number(u32),
    /// A placeholder the reader (or the page's script) fills in: `N` in text,
    /// `<var class="cite-paragraph">N</var>` in HTML.
    Any,
}

/// What a citation of one text in this edition says, gathered once.
#[derive(Debug, Clone)]
pub struct Reference<'a> {
    /// The citation key: the text's slug, unique in the edition.
    pub key: &'a str,
    /// Title and subtitle.
    pub title: String,
    /// The title alone, for MLA's in-text citation of a text without an author.
    pub short_title: &'a str,
    pub authors: Vec<Name>,
    pub date: Option<&'a PartialDate>,
    pub translators: Vec<Name>,
    /// Where the text first appeared, as the editors describe it.
    pub publication: Option<&'a str>,
    pub language: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub edition_title: &'a str,
    pub editors: Vec<Name>,
    /// The text's absolute URL, when the edition has a `base_url`.
    pub url: Option<String>,
}

impl<'a> Reference<'a> {
    pub fn new(text: &'a Text, config: &'a Config) -> Self {
        let meta = &text.meta;
        let title = match meta.subtitle.as_deref() {
            None => meta.title.clone(),
            Some(sub) if sub.starts_with('(') => format!("{} {sub}", meta.title),
            Some(sub) => format!("{}: {sub}", meta.title),
        };
        Reference {
            key: &text.id.0,
            title,
            short_title: &meta.title,
            authors: meta
                .authors
                .iter()
                .filter(|a| !a.trim().is_empty() && !a.trim().eq_ignore_ascii_case("unknown"))
                .map(|a| Name::parse(a))
                .collect(),
            date: meta.date.as_ref(),
            translators: meta
                .translator
                .iter()
                .flat_map(|t| t.split(" and "))
                .map(Name::parse)
                .collect(),
            publication: meta.publication.as_deref(),
            language: meta.language.as_deref(),
            summary: meta.summary.as_deref(),
            edition_title: &config.edition.title,
            editors: config
                .edition
                .editors
                .iter()
                .map(|e| Name::parse(e))
                .collect(),
            url: config
                .edition
                .base_url
                .as_ref()
                .map(|base| format!("{base}{}/", text.id)),
        }
    }

    fn url_of(&self, paragraph: Paragraph) -> Option<Vec<Span>> {
        let url = self.url.as_ref()?;
        Some(match paragraph {
            Paragraph::None => vec![Span::text(url)],
            Paragraph::Number(n) => vec![Span::text(&format!("{url}#p-{n}"))],
            Paragraph::Any => vec![Span::text(&format!("{url}#p-")), Span::Paragraph],
        })
    }
}

/// A piece of a citation string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Span {
    Text(String),
    Italic(String),
    /// The paragraph number of [`Paragraph::Any`].
    Paragraph,
}

impl Span {
    fn text(s: &str) -> Span {
        Span::Text(s.to_string())
    }
}

/// One element of a citation: its spans, and whether it stands in quotation marks.
struct Part {
    spans: Vec<Span>,
    quoted: bool,
}

impl Part {
    fn text(s: impl Into<String>) -> Part {
        Part {
            spans: vec![Span::Text(s.into())],
            quoted: false,
        }
    }

    fn spans(spans: Vec<Span>) -> Part {
        Part {
            spans,
            quoted: false,
        }
    }

    /// A title in quotation marks; its own double quotation marks become single ones.
    fn quoted(title: &str) -> Part {
        let inner = title.replace('“', "‘").replace('”', "’").replace('"', "'");
        Part {
            spans: vec![Span::Text(inner)],
            quoted: true,
        }
    }

    fn last_char(&self) -> Option<char> {
        self.spans.iter().rev().find_map(|s| match s {
            Span::Text(t) | Span::Italic(t) => t.chars().last(),
            Span::Paragraph => Some('N'),
        })
    }
}

/// Parts joined by `separator` (`", "` or `". "`) and closed by `end`, the
/// way both styles punctuate: a comma or period after a quoted title goes
/// inside the closing quotation mark, and none is added after a title that
/// ends in `?` or `!`, nor a period after an element that ends in one.
fn join(parts: Vec<Part>, separator: &str, end: Option<char>) -> Vec<Span> {
    let mut out = Vec::new();
    let count = parts.len();
    for (i, mut part) in parts.into_iter().enumerate() {
        let last = i + 1 == count;
        let mark = if last { end } else { separator.chars().next() };
        let ends_in_stop = matches!(part.last_char(), Some('?' | '!'))
            || (mark == Some('.') && part.last_char() == Some('.'));
        // A title that ends in a quotation of its own: the mark goes inside both.
        let inner_close = part.quoted && part.last_char() == Some('’');
        if inner_close {
            if let Some(Span::Text(t)) = part.spans.last_mut() {
                t.pop();
            }
        }
        if part.quoted {
            out.push(Span::text("“"));
        }
        out.extend(part.spans);
        if let Some(mark) = mark.filter(|_| !ends_in_stop) {
            out.push(Span::Text(mark.to_string()));
        }
        if inner_close {
            out.push(Span::text("’"));
        }
        if part.quoted {
            out.push(Span::text("”"));
        }
        if !last {
            let mark_len = mark.map_or(0, char::len_utf8);
            out.push(Span::Text(separator[mark_len..].to_string()));
        }
    }
    merge(out)
}

/// Adjacent plain spans in one, so tests and HTML see whole words.
fn merge(spans: Vec<Span>) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for span in spans {
        match (out.last_mut(), span) {
            (Some(Span::Text(a)), Span::Text(b)) => a.push_str(&b),
            (_, span) => out.push(span),
        }
    }
    out
}

/// "A", "A and B", "A, B, and C".
fn list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

fn natural_list(names: &[Name]) -> String {
    list(&names.iter().map(Name::natural).collect::<Vec<_>>())
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Chicago: "August 26, 1939", "August 1939", "1939", "ca. 1939".
fn chicago_date(date: &PartialDate) -> String {
    let month = date.month.map(|m| MONTHS[usize::from(m) - 1]);
    let core = match (month, date.day) {
        (Some(m), Some(d)) => format!("{m} {d}, {}", date.year),
        (Some(m), None) => format!("{m} {}", date.year),
        _ => date.year.to_string(),
    };
    approximate(date, core)
}

/// MLA: "26 Aug. 1939", "Aug. 1939", "1939", "ca. 1939"; May, June and July
/// are not abbreviated, September is "Sept.".
fn mla_date(date: &PartialDate) -> String {
    const SHORT: [&str; 12] = [
        "Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.",
        "Dec.",
    ];
    let month = date.month.map(|m| SHORT[usize::from(m) - 1]);
    let core = match (month, date.day) {
        (Some(m), Some(d)) => format!("{d} {m} {}", date.year),
        (Some(m), None) => format!("{m} {}", date.year),
        _ => date.year.to_string(),
    };
    approximate(date, core)
}

fn approximate(date: &PartialDate, core: String) -> String {
    if date.approximate {
        format!("ca. {core}")
    } else {
        core
    }
}

/// Chicago note (full form): "Walter Ulbricht, “Title,” August 26, 1939,
/// trans. X, in *Edition*, ed. Editors, para. 12, URL#p-12." More than three
/// authors are shortened to the first and "et al."; without an author the
/// note opens with the title.
fn chicago_note(r: &Reference, paragraph: Paragraph) -> Vec<Span> {
    let mut parts = Vec::new();
    match r.authors.as_slice() {
        [] => {}
        [first, _, _, _, ..] => parts.push(Part::text(format!("{} et al.", first.natural()))),
        authors => parts.push(Part::text(natural_list(authors))),
    }
    parts.push(Part::quoted(&r.title));
    if let Some(date) = r.date {
        parts.push(Part::text(chicago_date(date)));
    }
    if !r.translators.is_empty() {
        parts.push(Part::text(format!(
            "trans. {}",
            natural_list(&r.translators)
        )));
    }
    parts.push(Part::spans(vec![
        Span::text("in "),
        Span::Italic(r.edition_title.to_string()),
    ]));
    if !r.editors.is_empty() {
        parts.push(Part::text(format!("ed. {}", natural_list(&r.editors))));
    }
    match paragraph {
        Paragraph::None => {}
        Paragraph::Number(n) => parts.push(Part::text(format!("para. {n}"))),
        Paragraph::Any => parts.push(Part::spans(vec![Span::text("para. "), Span::Paragraph])),
    }
    if let Some(url) = r.url_of(paragraph) {
        parts.push(Part::spans(url));
    }
    join(parts, ", ", Some('.'))
}

/// Chicago bibliography: "Ulbricht, Walter. “Title.” August 26, 1939.
/// Originally published in X. Translated by Y. In *Edition*, edited by
/// Editors. URL." Only the first author's name is inverted.
fn chicago_bibliography(r: &Reference) -> Vec<Span> {
    let mut parts = Vec::new();
    if let Some((first, rest)) = r.authors.split_first() {
        let mut names = vec![first.inverted()];
        names.extend(rest.iter().map(Name::natural));
        let authors = match names.len() {
            2 => format!("{}, and {}", names[0], names[1]),
            _ => list(&names),
        };
        parts.push(Part::text(authors));
    }
    parts.push(Part::quoted(&r.title));
    if let Some(date) = r.date {
        parts.push(Part::text(chicago_date(date)));
    }
    if let Some(publication) = r.publication {
        parts.push(Part::text(format!("Originally published in {publication}")));
    }
    if !r.translators.is_empty() {
        parts.push(Part::text(format!(
            "Translated by {}",
            natural_list(&r.translators)
        )));
    }
    let mut container = vec![Span::text("In "), Span::Italic(r.edition_title.to_string())];
    if !r.editors.is_empty() {
        container.push(Span::Text(format!(
            ", edited by {}",
            natural_list(&r.editors)
        )));
    }
    parts.push(Part::spans(container));
    if let Some(url) = r.url_of(Paragraph::None) {
        parts.push(Part::spans(url));
    }
    join(parts, ". ", Some('.'))
}

/// MLA (9th edition) works-cited entry: "Ulbricht, Walter. “Title.” 26 Aug.
/// 1939. Originally published in X. Translated by Y. *Edition*, edited by
/// Editors, example.org/ed/slug/." Three or more authors become the first and
/// "et al."; the URL is given without `http(s)://`, as MLA recommends.
fn mla(r: &Reference) -> Vec<Span> {
    let mut parts = Vec::new();
    match r.authors.as_slice() {
        [] => {}
        [one] => parts.push(Part::text(one.inverted())),
        [a, b] => parts.push(Part::text(format!("{}, and {}", a.inverted(), b.natural()))),
        [first, ..] => parts.push(Part::text(format!("{}, et al.", first.inverted()))),
    }
    parts.push(Part::quoted(&r.title));
    if let Some(date) = r.date {
        parts.push(Part::text(mla_date(date)));
    }
    if let Some(publication) = r.publication {
        parts.push(Part::text(format!("Originally published in {publication}")));
    }
    if !r.translators.is_empty() {
        parts.push(Part::text(format!(
            "Translated by {}",
            natural_list(&r.translators)
        )));
    }
    let mut container = vec![Span::Italic(r.edition_title.to_string())];
    if !r.editors.is_empty() {
        container.push(Span::Text(format!(
            ", edited by {}",
            natural_list(&r.editors)
        )));
    }
    if let Some(url) = &r.url {
        let bare = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .unwrap_or(url);
        container.push(Span::Text(format!(", {bare}")));
    }
    parts.push(Part::spans(container));
    join(parts, ". ", Some('.'))
}

/// MLA in-text citation of a paragraph: "(Ulbricht, par. 12)"; without an
/// author, the title in quotation marks.
fn mla_in_text(r: &Reference, paragraph: Paragraph) -> Vec<Span> {
    let mut parts = vec![match r.authors.as_slice() {
        [] => Part::quoted(r.short_title),
        [one] => Part::text(one.short()),
        [a, b] => Part::text(format!("{} and {}", a.short(), b.short())),
        [first, ..] => Part::text(format!("{} et al.", first.short())),
    }];
    match paragraph {
        Paragraph::None => {}
        Paragraph::Number(n) => parts.push(Part::text(format!("par. {n}"))),
        Paragraph::Any => parts.push(Part::spans(vec![Span::text("par. "), Span::Paragraph])),
    }
    let mut spans = vec![Span::text("(")];
    spans.extend(join(parts, ", ", None));
    spans.push(Span::text(")"));
    merge(spans)
}

fn plain(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(t) | Span::Italic(t) => t.as_str(),
            Span::Paragraph => "N",
        })
        .collect()
}

fn html(spans: &[Span]) -> String {
    let mut out = String::new();
    for span in spans {
        match span {
            Span::Text(t) => out.push_str(&escape(t)),
            Span::Italic(t) => {
                out.push_str("<i>");
                out.push_str(&escape(t));
                out.push_str("</i>");
            }
            Span::Paragraph => out.push_str("<var class=\"cite-paragraph\">N</var>"),
        }
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The citation strings as plain text (the edition's title unmarked; `N` for
/// the paragraph placeholder). For tests and for tools that want text.
pub struct Strings {
    pub chicago_note: String,
    pub chicago_bibliography: String,
    pub mla: String,
}

impl Strings {
    pub fn new(r: &Reference, paragraph: Paragraph) -> Strings {
        Strings {
            chicago_note: plain(&chicago_note(r, paragraph)),
            chicago_bibliography: plain(&chicago_bibliography(r)),
            mla: plain(&mla(r)),
        }
    }
}

/// `cite` on a text page: the strings as HTML (the edition's title in `<i>`).
#[derive(Serialize)]
pub struct CiteView {
    pub chicago_note_html: String,
    pub chicago_bibliography_html: String,
    pub mla_html: String,
    /// The Chicago note and the MLA in-text citation of paragraph `N`.
    pub paragraph_note_html: String,
    pub paragraph_mla_html: String,
    /// Whether the strings carry the text's URL (only with `base_url`).
    pub has_url: bool,
    /// The exports, relative to the text page.
    pub bibtex: &'static str,
    pub csl_json: &'static str,
}

impl CiteView {
    pub fn new(r: &Reference) -> CiteView {
        CiteView {
            chicago_note_html: html(&chicago_note(r, Paragraph::None)),
            chicago_bibliography_html: html(&chicago_bibliography(r)),
            mla_html: html(&mla(r)),
            paragraph_note_html: html(&chicago_note(r, Paragraph::Any)),
            paragraph_mla_html: html(&mla_in_text(r, Paragraph::Any)),
            has_url: r.url.is_some(),
            bibtex: BIBTEX_FILE,
            csl_json: CSL_JSON_FILE,
        }
    }
}

/// A text's exports, as (path in the site, contents): `{slug}/cite.bib`
/// and `{slug}/cite.json`.
pub fn exports(text: &Text, config: &Config) -> [(String, String); 2] {
    let reference = Reference::new(text, config);
    [
        (format!("{}/{BIBTEX_FILE}", text.id), bibtex(&reference)),
        (
            format!("{}/{CSL_JSON_FILE}", text.id),
            format!("{:#}\n", csl_json(&reference)),
        ),
    ]
}

/// The CSL-JSON export: an array holding one `chapter` item (a text in an
/// edited collection), for Zotero, Pandoc and citeproc processors.
pub fn csl_json(r: &Reference) -> Value {
    let names = |names: &[Name]| -> Value {
        names
            .iter()
            .map(|n| match n {
                Name::Personal { given, family } => json!({ "family": family, "given": given }),
                Name::Literal(literal) => json!({ "literal": literal }),
            })
            .collect()
    };
    let mut item = Map::new();
    item.insert("id".into(), json!(r.key));
    item.insert("type".into(), json!("chapter"));
    item.insert("title".into(), json!(r.title));
    if !r.authors.is_empty() {
        item.insert("author".into(), names(&r.authors));
    }
    if !r.translators.is_empty() {
        item.insert("translator".into(), names(&r.translators));
    }
    item.insert("container-title".into(), json!(r.edition_title));
    if !r.editors.is_empty() {
        item.insert("editor".into(), names(&r.editors));
    }
    if let Some(date) = r.date {
        let mut parts = vec![date.year];
        parts.extend(date.month.map(i32::from));
        parts.extend(date.month.and(date.day).map(i32::from));
        let mut issued = json!({ "date-parts": [parts] });
        if date.approximate {
            issued["circa"] = json!(true);
        }
        item.insert("issued".into(), issued);
    }
    if let Some(publication) = r.publication {
        item.insert(
            "note".into(),
            json!(format!("Originally published in {publication}.")),
        );
    }
    if let Some(language) = r.language {
        item.insert("language".into(), json!(language));
    }
    if let Some(summary) = r.summary {
        item.insert("abstract".into(), json!(summary));
    }
    if let Some(url) = &r.url {
        item.insert("URL".into(), json!(url));
    }
    Value::Array(vec![Value::Object(item)])
}

/// The BibTeX export: one `@incollection` entry keyed by the slug. Names are
/// "Family, Given" (literal names braced, so BibTeX does not split them);
/// the title is braced so styles keep its capitals; `date` (biblatex, with
/// `~` for an approximate date) stands beside the classic `year`.
pub fn bibtex(r: &Reference) -> String {
    let names = |names: &[Name]| -> String {
        names
            .iter()
            .map(|n| match n {
                Name::Personal { given, family } => {
                    format!("{}, {}", bib_escape(family), bib_escape(given))
                }
                Name::Literal(literal) => format!("{{{}}}", bib_escape(literal)),
            })
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let mut fields: Vec<(&str, String)> = Vec::new();
    if !r.authors.is_empty() {
        fields.push(("author", names(&r.authors)));
    }
    fields.push(("title", format!("{{{}}}", bib_escape(&r.title))));
    if !r.translators.is_empty() {
        fields.push(("translator", names(&r.translators)));
    }
    fields.push(("booktitle", format!("{{{}}}", bib_escape(r.edition_title))));
    if !r.editors.is_empty() {
        fields.push(("editor", names(&r.editors)));
    }
    if let Some(date) = r.date {
        fields.push(("year", date.year.to_string()));
        let tilde = if date.approximate { "~" } else { "" };
        fields.push(("date", format!("{}{tilde}", date.iso())));
    }
    if let Some(publication) = r.publication {
        fields.push((
            "note",
            format!("Originally published in {}.", bib_escape(publication)),
        ));
    }
    if let Some(language) = r.language {
        fields.push(("langid", bib_escape(language)));
    }
    if let Some(url) = &r.url {
        fields.push(("url", url.clone()));
    }
    let body: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("  {key} = {{{value}}}"))
        .collect();
    format!("@incollection{{{},\n{}\n}}\n", r.key, body.join(",\n"))
}

/// Escapes the characters TeX treats specially; everything else stays UTF-8,
/// which biber and modern BibTeX read.
fn bib_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference<'a>(date: Option<&'a PartialDate>) -> Reference<'a> {
        Reference {
            key: "united-front",
            title: "Questions of the United Front in Germany".into(),
            short_title: "Questions of the United Front in Germany",
            authors: vec![Name::parse("Walter Ulbricht")],
            date,
            translators: vec![],
            publication: None,
            language: Some("en"),
            summary: None,
            edition_title: "Arguments over Stalinism",
            editors: vec![Name::parse("The scholia editors")],
            url: Some("https://example.org/ed/united-front/".into()),
        }
    }

    #[test]
    fn names_of_capitalised_words_split_and_others_stay_whole() {
        let cases = [
            ("Walter Ulbricht", Some(("Walter", "Ulbricht"))),
            ("Joseph E. Davies", Some(("Joseph E.", "Davies"))),
            ("  Holly   Quilty ", Some(("Holly", "Quilty"))),
            ("Lenin", None),
            ("The scholia editors", None),
            ("The Red Path", None),
            ("Ludwig van Beethoven", None),
            ("Ulbricht, Walter", Some(("Walter", "Ulbricht"))),
            ("Martin Luther King Jr.", None),
            ("Marx, Engels, Lenin", None),
        ];
        for (written, expected) in cases {
            let got = match Name::parse(written) {
                Name::Personal { given, family } => Some((given, family)),
                Name::Literal(_) => None,
            };
            let expected = expected.map(|(g, f)| (g.to_string(), f.to_string()));
            assert_eq!(got, expected, "{written}");
        }
    }

    #[test]
    fn a_dated_text_by_one_author() {
        let date = PartialDate::parse("1939-08-26").unwrap();
        let s = Strings::new(&reference(Some(&date)), Paragraph::None);
        assert_eq!(
            s.chicago_note,
            "Walter Ulbricht, “Questions of the United Front in Germany,” August 26, 1939, in Arguments over Stalinism, ed. The scholia editors, https://example.org/ed/united-front/."
        );
        assert_eq!(
            s.chicago_bibliography,
            "Ulbricht, Walter. “Questions of the United Front in Germany.” August 26, 1939. In Arguments over Stalinism, edited by The scholia editors. https://example.org/ed/united-front/."
        );
        assert_eq!(
            s.mla,
            "Ulbricht, Walter. “Questions of the United Front in Germany.” 26 Aug. 1939. Arguments over Stalinism, edited by The scholia editors, example.org/ed/united-front/."
        );
    }

    #[test]
    fn a_paragraph_adds_its_number_and_anchor_to_the_note() {
        let r = reference(None);
        assert_eq!(
            Strings::new(&r, Paragraph::Number(12)).chicago_note,
            "Walter Ulbricht, “Questions of the United Front in Germany,” in Arguments over Stalinism, ed. The scholia editors, para. 12, https://example.org/ed/united-front/#p-12."
        );
        assert_eq!(
            plain(&mla_in_text(&r, Paragraph::Number(12))),
            "(Ulbricht, par. 12)"
        );
        // The page's placeholder: a <var> the script fills in.
        assert_eq!(
            html(&chicago_note(&r, Paragraph::Any)),
            "Walter Ulbricht, “Questions of the United Front in Germany,” in <i>Arguments over Stalinism</i>, ed. The scholia editors, para. <var class=\"cite-paragraph\">N</var>, https://example.org/ed/united-front/#p-<var class=\"cite-paragraph\">N</var>."
        );
    }

    #[test]
    fn an_anonymous_text_opens_with_its_title_and_never_names_the_editors_as_author() {
        let mut r = reference(None);
        r.authors.clear();
        r.title = "Responding to Xexizy on “Not-real-Socialism”: A Reply".into();
        r.short_title = "Responding to Xexizy on “Not-real-Socialism”";
        let s = Strings::new(&r, Paragraph::None);
        assert_eq!(
            s.chicago_note,
            "“Responding to Xexizy on ‘Not-real-Socialism’: A Reply,” in Arguments over Stalinism, ed. The scholia editors, https://example.org/ed/united-front/."
        );
        assert!(s
            .chicago_bibliography
            .starts_with("“Responding to Xexizy on ‘Not-real-Socialism’: A Reply.” In Arguments"));
        assert!(s
            .mla
            .starts_with("“Responding to Xexizy on ‘Not-real-Socialism’: A Reply.” Arguments"));
        assert_eq!(
            plain(&mla_in_text(&r, Paragraph::Number(3))),
            "(“Responding to Xexizy on ‘Not-real-Socialism,’” par. 3)"
        );
    }

    #[test]
    fn approximate_and_partial_dates() {
        let cases = [
            ("c. 1939", "ca. 1939", "ca. 1939"),
            ("1939-09", "September 1939", "Sept. 1939"),
            ("1944-06-02", "June 2, 1944", "2 June 1944"),
            ("circa 1917-10", "ca. October 1917", "ca. Oct. 1917"),
        ];
        for (written, chicago, mla) in cases {
            let date = PartialDate::parse(written).unwrap();
            assert_eq!(chicago_date(&date), chicago, "{written}");
            assert_eq!(mla_date(&date), mla, "{written}");
        }
    }

    #[test]
    fn a_translated_text_with_two_authors_and_its_first_publication() {
        let date = PartialDate::parse("1944-02-02").unwrap();
        let mut r = reference(Some(&date));
        r.authors = vec![Name::parse("Walter Ulbricht"), Name::parse("Josef Kayser")];
        r.translators = vec![Name::parse("Jane Doe")];
        r.publication = Some("Deutsche Volkszeitung, 27 August 1939");
        r.title = "How Is the Unity for the Fall of Hitler?".into();
        let s = Strings::new(&r, Paragraph::None);
        assert_eq!(
            s.chicago_note,
            "Walter Ulbricht and Josef Kayser, “How Is the Unity for the Fall of Hitler?” February 2, 1944, trans. Jane Doe, in Arguments over Stalinism, ed. The scholia editors, https://example.org/ed/united-front/."
        );
        assert_eq!(
            s.chicago_bibliography,
            "Ulbricht, Walter, and Josef Kayser. “How Is the Unity for the Fall of Hitler?” February 2, 1944. Originally published in Deutsche Volkszeitung, 27 August 1939. Translated by Jane Doe. In Arguments over Stalinism, edited by The scholia editors. https://example.org/ed/united-front/."
        );
        assert_eq!(
            s.mla,
            "Ulbricht, Walter, and Josef Kayser. “How Is the Unity for the Fall of Hitler?” 2 Feb. 1944. Originally published in Deutsche Volkszeitung, 27 August 1939. Translated by Jane Doe. Arguments over Stalinism, edited by The scholia editors, example.org/ed/united-front/."
        );
        assert_eq!(
            plain(&mla_in_text(&r, Paragraph::Number(1))),
            "(Ulbricht and Kayser, par. 1)"
        );
    }

    #[test]
    fn many_authors_are_shortened_as_each_style_says() {
        let mut r = reference(None);
        r.authors = ["Ann Able", "Ben Baker", "Cy Cole", "Di Dunn"]
            .into_iter()
            .map(Name::parse)
            .collect();
        let s = Strings::new(&r, Paragraph::None);
        assert!(
            s.chicago_note.starts_with("Ann Able et al., “Questions"),
            "{}",
            s.chicago_note
        );
        assert!(s
            .chicago_bibliography
            .starts_with("Able, Ann, Ben Baker, Cy Cole, and Di Dunn. “Questions"));
        assert!(
            s.mla.starts_with("Able, Ann, et al. “Questions"),
            "{}",
            s.mla
        );
        r.authors.truncate(3);
        let s = Strings::new(&r, Paragraph::None);
        assert!(s
            .chicago_note
            .starts_with("Ann Able, Ben Baker, and Cy Cole, “Questions"));
    }

    #[test]
    fn without_base_url_no_form_has_a_url() {
        let mut r = reference(None);
        r.url = None;
        let s = Strings::new(&r, Paragraph::Number(4));
        assert_eq!(
            s.chicago_note,
            "Walter Ulbricht, “Questions of the United Front in Germany,” in Arguments over Stalinism, ed. The scholia editors, para. 4."
        );
        assert!(s.mla.ends_with("edited by The scholia editors."));
        assert!(!bibtex(&r).contains("url"));
        assert!(csl_json(&r)[0].get("URL").is_none());
    }

    #[test]
    fn html_escapes_what_the_strings_hold() {
        let mut r = reference(None);
        r.title = "Vegetarianism & Communism <1>".into();
        assert!(html(&mla(&r)).contains("“Vegetarianism &amp; Communism &lt;1&gt;.”"));
    }

    #[test]
    fn bibtex_escapes_tex_and_braces_names_it_must_not_split() {
        let date = PartialDate::parse("c. 1939").unwrap();
        let mut r = reference(Some(&date));
        r.title = "Vegetarianism & Communism: 100% #1".into();
        let bib = bibtex(&r);
        assert!(bib.starts_with("@incollection{united-front,\n"), "{bib}");
        assert!(bib.contains("  title = {{Vegetarianism \\& Communism: 100\\% \\#1}},\n"));
        assert!(bib.contains("  author = {Ulbricht, Walter},\n"));
        assert!(bib.contains("  editor = {{The scholia editors}},\n"));
        assert!(bib.contains("  year = {1939},\n  date = {1939~},\n"));
    }

    #[test]
    fn csl_json_keeps_date_precision_and_marks_approximate_dates() {
        let date = PartialDate::parse("c. 1939-08").unwrap();
        let item = &csl_json(&reference(Some(&date)))[0];
        assert_eq!(
            item["issued"],
            json!({ "date-parts": [[1939, 8]], "circa": true })
        );
        assert_eq!(
            item["author"],
            json!([{ "family": "Ulbricht", "given": "Walter" }])
        );
        assert_eq!(
            item["editor"],
            json!([{ "literal": "The scholia editors" }])
        );
        assert_eq!(item["type"], "chapter");
    }
}
