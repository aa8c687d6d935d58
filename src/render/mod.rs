//! Render: the resolved edition in, HTML pages out.
//!
//! A [`Theme`] is a folder of Tera templates (`templates/`) and static assets
//! (`static/`). Each page is rendered from one template with small view types
//! ([`views`]); a template error becomes a diagnostic naming the template and
//! the page, never a panic.

pub mod annotations;
pub mod cite;
pub mod default_theme;
pub(crate) mod mentions;
pub mod notes;
pub mod plain_theme;
pub mod search;
pub mod views;

use std::path::{Path, PathBuf};

use tera::{Context, Tera};

use crate::config::{display_path, Config};
use crate::diagnostic::Diagnostic;
use crate::model::{Edition, Text};
use views::{PageView, SectionView, SiteView, TextSummaryView, TextView};

/// The themes built into the binary, by the name book.toml gives them.
pub const BUILTIN_THEMES: &[(&str, &[(&str, &str)])] = &[
    ("default", default_theme::FILES),
    ("plain", plain_theme::FILES),
];

/// The templates every theme must provide.
pub const REQUIRED_TEMPLATES: &[&str] = &["index.html", "text.html", "404.html"];

pub struct Theme {
    tera: Tera,
    /// Static files, to be copied under `static/` in the site.
    pub static_files: Vec<StaticFile>,
}

pub struct StaticFile {
    /// Path inside the theme's `static/` folder.
    pub rel: PathBuf,
    pub source: StaticSource,
}

pub enum StaticSource {
    Disk(PathBuf),
    Builtin(&'static str),
}

impl Theme {
    /// Loads the theme folder, or the built-in theme of that name when the edition has no folder for it.
    pub fn load(config: &Config) -> Result<Theme, Vec<Diagnostic>> {
        let templates = config.theme_dir.join("templates");
        let load_error = |e: tera::Error| {
            vec![Diagnostic::error(
                display_path(&templates),
                format!("the theme's templates do not load: {}", error_chain(&e)),
            )
            .with_help("fix the template syntax at the place named above")]
        };
        let (tera, static_files) = if templates.is_dir() {
            let glob = format!("{}/**/*.html", templates.display());
            let tera = Tera::new(&glob).map_err(load_error)?;
            (tera, disk_static_files(&config.theme_dir.join("static")))
        } else {
            let files = BUILTIN_THEMES
                .iter()
                .find(|(name, _)| *name == config.theme)
                .map_or(default_theme::FILES, |(_, files)| files);
            builtin_theme(files).map_err(load_error)?
        };
        let names: Vec<&str> = tera.get_template_names().collect();
        let missing: Vec<Diagnostic> = REQUIRED_TEMPLATES
            .iter()
            .filter(|t| !names.contains(t))
            .map(|t| {
                Diagnostic::error(display_path(&templates.join(t)), format!("the theme `{}` has no template `{t}`", config.theme))
                    .with_help("every theme needs index.html, text.html and 404.html; copy them from themes/default")
            })
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        let mut tera = tera;
        tera.set_escape_fn(escape_html);
        Ok(Theme { tera, static_files })
    }
}

/// Renders pages of one edition with one theme.
pub struct Renderer<'a> {
    pub theme: &'a Theme,
    pub config: &'a Config,
    pub edition: &'a Edition,
    /// For each text, its place in reading order.
    positions: Vec<usize>,
    /// The links to the texts from entity pages, made for the first of them.
    entity_page_links: std::sync::OnceLock<mentions::TextLinks>,
    /// The links to the entities from text pages, made for the first of them.
    text_page_links: std::sync::OnceLock<mentions::EntityLinks>,
}

impl<'a> Renderer<'a> {
    pub fn new(theme: &'a Theme, config: &'a Config, edition: &'a Edition) -> Self {
        let mut renderer = Renderer {
            theme,
            config,
            edition,
            positions: Vec::new(),
            entity_page_links: std::sync::OnceLock::new(),
            text_page_links: std::sync::OnceLock::new(),
        };
        renderer.positions = vec![usize::MAX; edition.texts.len()];
        for (place, text) in renderer.reading_order().into_iter().enumerate() {
            renderer.positions[text] = place;
        }
        renderer
    }

    fn site(&self) -> SiteView<'a> {
        SiteView {
            meta: &self.config.edition,
            generator: concat!("scholia ", env!("CARGO_PKG_VERSION")),
            search: self.has_search_page(),
        }
    }

    fn page(&self, root: &str, path: &str, kind: &'static str) -> PageView {
        PageView {
            root: root.to_string(),
            canonical_url: self
                .config
                .edition
                .base_url
                .as_ref()
                .map(|base| format!("{base}{path}")),
            kind,
        }
    }

    fn render(
        &self,
        template: &str,
        context: &Context,
        output: &str,
    ) -> Result<String, Diagnostic> {
        self.render_sized(template, context, output, 0)
    }

    /// Renders into a buffer of `size` bytes plus room for the template's
    /// own markup, so a page the size of its HTML parts is not copied again
    /// each time the buffer doubles on the way.
    fn render_sized(
        &self,
        template: &str,
        context: &Context,
        output: &str,
        size: usize,
    ) -> Result<String, Diagnostic> {
        let failed = |message: String| {
            let template_path =
                display_path(&self.config.theme_dir.join("templates").join(template));
            Diagnostic::error(template_path, format!("rendering {output} failed: {message}"))
                .with_help("fix the template; `scholia build` lists the variables each template receives in README.md")
        };
        let mut page = Vec::with_capacity(size + 16 * 1024);
        (self.theme.tera)
            .render_to(template, context, &mut page)
            .map_err(|e| failed(error_chain(&e)))?;
        String::from_utf8(page).map_err(|e| failed(e.to_string()))
    }

    fn sections(&self) -> Vec<SectionView<'a>> {
        self.edition
            .sections
            .iter()
            .map(|s| SectionView::new(s, self.edition))
            .collect()
    }

    pub fn index(&self) -> Result<String, Diagnostic> {
        let mut context = Context::new();
        context.insert("site", &self.site());
        context.insert("page", &self.page("", "", "index"));
        context.insert("sections", &self.sections());
        context.insert("intro_html", &self.edition.intro_html);
        context.insert("text_count", &self.edition.texts.len());
        self.render("index.html", &context, "index.html")
    }

    /// The page of text `index` in `edition.texts`, with its neighbours in reading order.
    pub fn text(
        &self,
        index: usize,
        neighbours: (Option<usize>, Option<usize>),
    ) -> Result<String, Diagnostic> {
        let text: &Text = &self.edition.texts[index];
        let section = self
            .edition
            .sections
            .iter()
            .find(|s| s.path == text.section);
        let mut context = Context::new();
        context.insert("site", &self.site());
        let root = "../";
        context.insert("page", &self.page(root, &format!("{}/", text.id), "text"));
        context.insert("text", &TextView::new(text, section));
        context.insert(
            "cite",
            &cite::CiteView::new(&cite::Reference::new(text, self.config)),
        );
        let neighbour = |i: Option<usize>| i.map(|i| TextSummaryView::new(&self.edition.texts[i]));
        let (related, backlinks) = views::text_cross_references(self.edition, index);
        context.insert("entity_count", &self.edition.cross.entities_in[index].len());
        let links =
            (self.text_page_links).get_or_init(|| mentions::EntityLinks::new(self.edition, root));
        let named = mentions::named_in_text_html(self.edition, index, links);
        let size = text.body_html.len() + text.footnotes_html.len() + named.len();
        insert_html(&mut context, "named_in_text_html", named);
        context.insert("related", &related);
        context.insert("backlinks", &backlinks);
        context.insert("previous", &neighbour(neighbours.0));
        context.insert("next", &neighbour(neighbours.1));
        let output = format!("{}/index.html", text.id);
        self.render_sized("text.html", &context, &output, size)
    }

    /// The index of all editorial notes, if the theme has a `notes.html` template.
    pub fn notes_index(&self) -> Option<Result<String, Diagnostic>> {
        self.has_template("notes.html").then(|| {
            let (by_text, by_type) = views::notes_index(self.edition, &self.reading_order());
            let mut context = Context::new();
            context.insert("site", &self.site());
            context.insert("page", &self.page("../", "notes/", "notes"));
            context.insert(
                "note_count",
                &self
                    .edition
                    .texts
                    .iter()
                    .map(|t| t.notes.len())
                    .sum::<usize>(),
            );
            context.insert("texts", &by_text);
            context.insert("types", &by_type);
            self.render("notes.html", &context, "notes/index.html")
        })
    }

    /// Whether the edition has search: on in book.toml, and a `search.html` in the theme.
    pub fn has_search_page(&self) -> bool {
        self.config.search && self.has_template("search.html")
    }

    /// The search page, when the edition has search.
    pub fn search_page(&self) -> Option<Result<String, Diagnostic>> {
        self.has_search_page().then(|| {
            let mut context = Context::new();
            context.insert("site", &self.site());
            context.insert("page", &self.page("../", "search/", "search"));
            context.insert("index_url", &format!("../{}/", search::DIR));
            self.render("search.html", &context, "search/index.html")
        })
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.theme.tera.get_template_names().any(|n| n == name)
    }

    /// Where entity pages are, from the site root: their links start with it.
    pub const ENTITY_ROOT: &'static str = "../../";

    /// The page of entity `index`, if the theme has an `entity.html` template.
    pub fn entity(&self, index: usize) -> Option<Result<String, Diagnostic>> {
        self.has_template("entity.html").then(|| {
            let root = Self::ENTITY_ROOT;
            let links = (self.entity_page_links)
                .get_or_init(|| mentions::TextLinks::new(&self.edition.texts, root));
            let (entity, mentions, notes) =
                views::entity_page(self.edition, index, &self.positions, links);
            let path = format!("entities/{}/", entity.summary.id);
            let mut context = Context::new();
            context.insert("site", &self.site());
            context.insert("page", &self.page(root, &path, "entity"));
            context.insert("entity", &entity);
            let size = mentions.len();
            insert_html(&mut context, "mentions_html", mentions);
            context.insert("notes", &notes);
            self.render_sized("entity.html", &context, &format!("{path}index.html"), size)
        })
    }

    /// The one page that compares any two texts, if the theme has a
    /// `compare.html` template. It lists every text once (for its chooser),
    /// so it grows with the edition, not with the pairs of texts.
    pub fn compare(&self) -> Option<Result<String, Diagnostic>> {
        self.has_template("compare.html").then(|| {
            let mut context = Context::new();
            context.insert("site", &self.site());
            context.insert("page", &self.page("../", "compare/", "compare"));
            context.insert("sections", &self.sections());
            context.insert("text_count", &self.edition.texts.len());
            self.render("compare.html", &context, "compare/index.html")
        })
    }

    /// The index of entities, if the theme has an `entities.html` template.
    pub fn entities_index(&self) -> Option<Result<String, Diagnostic>> {
        self.has_template("entities.html").then(|| {
            let mut context = Context::new();
            context.insert("site", &self.site());
            context.insert("page", &self.page("../", "entities/", "entities"));
            context.insert("groups", &views::entity_groups(self.edition));
            self.render("entities.html", &context, "entities/index.html")
        })
    }

    /// The 404 page is served at any depth, so it links from the base path when one is known.
    pub fn not_found(&self) -> Result<String, Diagnostic> {
        let root = self.config.base_path.clone().unwrap_or_default();
        let mut context = Context::new();
        context.insert("site", &self.site());
        context.insert("page", &self.page(&root, "404.html", "404"));
        self.render("404.html", &context, "404.html")
    }

    /// `sitemap.xml`, when the edition knows its public URL.
    pub fn sitemap(&self) -> Option<String> {
        let base = self.config.edition.base_url.as_ref()?;
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let mut push = |path: &str| {
            xml.push_str(&format!(
                "  <url><loc>{}</loc></url>\n",
                xml_escape(&format!("{base}{path}"))
            ));
        };
        push("");
        for text in self.reading_order() {
            push(&format!("{}/", self.edition.texts[text].id));
        }
        xml.push_str("</urlset>\n");
        Some(xml)
    }

    /// Indexes of all texts in table-of-contents order.
    pub fn reading_order(&self) -> Vec<usize> {
        self.edition
            .sections
            .iter()
            .flat_map(|s| s.texts.iter().copied())
            .collect()
    }
}

/// Hands `html` to the templates as `key` without copying it, as
/// `Context::insert` (which serialises a borrowed value) would: an entity
/// page's mentions are megabytes.
fn insert_html(context: &mut Context, key: &str, html: String) {
    let mut value = tera::Map::new();
    value.insert(key.to_string(), tera::Value::String(html));
    if let Ok(owned) = Context::from_value(tera::Value::Object(value)) {
        context.extend(owned);
    }
}

/// Escapes what HTML needs escaped. Tera's default also escapes `/`, which
/// is valid but turns every URL in the output into `&#x2F;` noise.
fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    push_escaped(&mut out, input);
    out
}

/// Appends `s` to `out`, escaped as [`escape_html`] does, copying the runs
/// between special characters whole. The runs are found with a table lookup
/// per byte: `memchr` (vectorised, in two passes for the five characters)
/// was slower on the short strings most calls escape — slugs, names, a few
/// words of context (a micro-benchmark: twice as slow at 6 bytes, no faster
/// at 64).
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    const SPECIAL: [bool; 256] = {
        let mut special = [false; 256];
        let mut i = 0;
        while i < 5 {
            special[b"&<>\"'"[i] as usize] = true;
            i += 1;
        }
        special
    };
    let bytes = s.as_bytes();
    let mut last = 0;
    while let Some(at) = (bytes[last..].iter())
        .position(|&b| SPECIAL[usize::from(b)])
        .map(|i| last + i)
    {
        let entity = match bytes[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        };
        out.push_str(&s[last..at]);
        out.push_str(entity);
        last = at + 1;
    }
    out.push_str(&s[last..]);
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Tera nests the useful message in the error's sources; show the whole chain.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        parts.push(e.to_string());
        source = e.source();
    }
    parts.join(": ")
}

fn builtin_theme(
    files: &'static [(&'static str, &'static str)],
) -> Result<(Tera, Vec<StaticFile>), tera::Error> {
    let mut tera = Tera::default();
    let templates = files
        .iter()
        .filter_map(|(path, body)| Some((path.strip_prefix("templates/")?, *body)));
    tera.add_raw_templates(templates)?;
    tera.autoescape_on(vec![".html"]);
    let statics = files
        .iter()
        .filter_map(|(path, body)| {
            let rel = path.strip_prefix("static/")?;
            Some(StaticFile {
                rel: PathBuf::from(rel),
                source: StaticSource::Builtin(body),
            })
        })
        .collect();
    Ok((tera, statics))
}

/// The files of a theme's `static/` folder.
fn disk_static_files(static_dir: &Path) -> Vec<StaticFile> {
    walkdir::WalkDir::new(static_dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(static_dir).ok()?.to_path_buf();
            Some(StaticFile {
                rel,
                source: StaticSource::Disk(e.path().to_path_buf()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_replaces_each_special_character_and_keeps_the_rest() {
        let cases = [
            ("", ""),
            ("plain words", "plain words"),
            ("a<b>&c", "a&lt;b&gt;&amp;c"),
            ("\"q\" 'q'", "&quot;q&quot; &#39;q&#39;"),
            (
                "'<'\"&\"'>'",
                "&#39;&lt;&#39;&quot;&amp;&quot;&#39;&gt;&#39;",
            ),
            ("Weiß & Яков — “quoted”", "Weiß &amp; Яков — “quoted”"),
        ];
        for (input, expected) in cases {
            let mut out = String::from("x");
            push_escaped(&mut out, input);
            assert_eq!(out, format!("x{expected}"), "{input}");
        }
        let long = "word ".repeat(100) + "<" + &"word ".repeat(100);
        assert_eq!(escape_html(&long), long.replace('<', "&lt;"));
    }
}
