//! Diagnostics: what every stage returns instead of stopping.
//!
//! A [`Diagnostic`] names a file, a line and a column of that file (counted
//! from the top of the file, never from the front-matter block), says what is
//! wrong and, where we can tell, how to fix it. Stages collect them into a
//! [`Diagnostics`] sink; the build reports them all at once, sorted, and the
//! exit code follows from whether any is an error.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a source file: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    pub line: usize,
    pub col: usize,
}

impl Position {
    pub fn new(line: usize, col: usize) -> Self {
        Position { line, col }
    }

    /// The position of byte `offset` in `source`.
    pub fn of_offset(source: &str, offset: usize) -> Self {
        let offset = floor_char_boundary(source, offset.min(source.len()));
        let before = &source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = source[line_start..offset].chars().count() + 1;
        Position { line, col }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file, as the user should see it (relative to the working folder when possible).
    pub path: PathBuf,
    pub position: Option<Position>,
    pub message: String,
    /// The offending source line, shown with a caret under `position.col`.
    pub source_line: Option<String>,
    /// How many characters the caret underlines (at least one).
    pub span_len: usize,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            position: None,
            message: message.into(),
            source_line: None,
            span_len: 1,
            help: None,
        }
    }

    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    /// Points the diagnostic at `position`, quoting that line of `source`.
    pub fn at(mut self, source: &str, position: Position) -> Self {
        self.source_line = source
            .lines()
            .nth(position.line.saturating_sub(1))
            .map(|l| l.trim_end_matches('\r').to_string());
        self.position = Some(position);
        self
    }

    /// Points the diagnostic at byte `offset` of `source`, underlining `len` bytes.
    pub fn at_offset(self, source: &str, offset: usize, len: usize) -> Self {
        let position = Position::of_offset(source, offset);
        let end = floor_char_boundary(source, (offset + len).min(source.len()));
        let start = floor_char_boundary(source, offset.min(source.len()));
        let underlined = source[start..end].split('\n').next().unwrap_or("");
        self.at(source, position)
            .underline(underlined.chars().count())
    }

    /// Points at a position when the source is not at hand (the place is still named).
    pub fn at_position(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }

    /// Points at a line when the source is not at hand (the line is still named).
    pub fn at_line(mut self, line: usize) -> Self {
        self.position = Some(Position::new(line, 1));
        self
    }

    pub fn underline(mut self, chars: usize) -> Self {
        self.span_len = chars.max(1);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (&Path, Option<Position>, Severity, &str) {
        (&self.path, self.position, self.severity, &self.message)
    }
}

impl fmt::Display for Diagnostic {
    /// ```text
    /// error: unknown front-matter key `titel`
    ///   --> content/a.md:2:1
    ///    |
    ///  2 | titel: A
    ///    | ^^^^^
    ///    = help: did you mean `title`?
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{label}: {}", self.message)?;
        let path = self.path.display();
        match self.position {
            Some(Position { line, col }) => writeln!(f, "  --> {path}:{line}:{col}")?,
            None => writeln!(f, "  --> {path}")?,
        }
        let gutter = self.position.map_or(1, |p| p.line.to_string().len()).max(1);
        if let (Some(Position { line, col }), Some(text)) = (self.position, &self.source_line) {
            let pad = " ".repeat(gutter);
            // Tabs become spaces so the caret lines up; control bytes are not printed raw.
            let text: String = text
                .chars()
                .map(|c| match c {
                    '\t' => ' ',
                    c if c.is_control() => '\u{fffd}',
                    c => c,
                })
                .collect();
            let indent = " ".repeat(col.saturating_sub(1));
            writeln!(f, " {pad} |")?;
            writeln!(f, " {line} | {text}")?;
            writeln!(f, " {pad} | {indent}{}", "^".repeat(self.span_len))?;
        }
        if let Some(help) = &self.help {
            writeln!(f, " {} = help: {help}", " ".repeat(gutter))?;
        }
        Ok(())
    }
}

/// The sink every stage pushes into.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// All diagnostics, sorted by file, position and severity, each with
    /// its source line.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.items.dedup();
        add_source_lines(&mut self.items);
        self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

/// Gives the line it points at to each diagnostic made where the source was
/// no longer at hand (the checks that span texts keep no text's source):
/// the file is read again, once, now that there is something to show.
fn add_source_lines(items: &mut [Diagnostic]) {
    let mut sources: std::collections::HashMap<PathBuf, Option<String>> = Default::default();
    for d in items.iter_mut().filter(|d| d.source_line.is_none()) {
        let Some(position) = &mut d.position else {
            continue;
        };
        let source = sources
            .entry(d.path.clone())
            .or_insert_with(|| std::fs::read_to_string(&d.path).ok());
        let Some(line) = source
            .as_deref()
            .and_then(|s| s.lines().nth(position.line.saturating_sub(1)))
        else {
            continue;
        };
        let line = line.trim_end_matches('\r');
        // A diagnostic that names only a line points at its first word, not its indentation.
        if position.col == 1 {
            position.col += line.chars().take_while(|c| c.is_whitespace()).count();
        }
        d.source_line = Some(line.to_string());
    }
}

/// The closest of `candidates` to `wanted`, if it is close enough to be a typo.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(wanted, c), c))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The help for an unknown key: the closest valid key if one is close, else all of them.
pub fn unknown_key_help(field: &str, expected: &[String]) -> String {
    match closest(field, expected.iter().map(String::as_str)) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("valid keys: {}", expected.join(", ")),
    }
}

/// Parses serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a`")
/// into the field and the valid names, so we can suggest the closest one.
pub fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((field.to_string(), expected))
}

/// A YAML error as users should see it: serde_yaml's message without its
/// " at line L column C", the place the mistake most likely is (1-based, in
/// the YAML document), and a help that names the likely mistake.
#[derive(Debug, PartialEq, Eq)]
pub struct YamlProblem {
    pub message: String,
    pub line: usize,
    pub column: usize,
    /// `Some` for a syntax error, with its help; `None` for a typed error
    /// (a wrong type, a missing or unknown key), which callers explain.
    pub syntax_help: Option<&'static str>,
}

/// The byte offset of YAML's 1-based `line` and `column` in `yaml`: YAML
/// counts `\r\n`, `\n` and a lone `\r` as line breaks.
fn yaml_offset(yaml: &str, line: usize, column: usize) -> usize {
    let mut line_start = 0;
    let mut rest = line.saturating_sub(1);
    let bytes = yaml.as_bytes();
    let mut i = 0;
    while rest > 0 && i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 1,
            b'\r' | b'\n' => {}
            _ => {
                i += 1;
                continue;
            }
        }
        i += 1;
        line_start = i;
        rest -= 1;
    }
    yaml[line_start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(yaml.len(), |(at, _)| line_start + at)
}

impl YamlProblem {
    pub fn of(error: &serde_yaml::Error, yaml: &str) -> Self {
        let full = error.to_string();
        // From the byte index, not YAML's line: YAML also breaks lines at a
        // lone `\r`, which a file's line numbers do not (tests/properties.rs).
        let (line, column) = error.location().map_or((1, 1), |l| {
            let p = Position::of_offset(yaml, l.index());
            (p.line, p.col)
        });
        Self::from_parts(&full, line, column, yaml, error.location().is_some())
    }

    fn from_parts(full: &str, line: usize, column: usize, yaml: &str, syntax: bool) -> Self {
        let bare = full.split(" at line ").next().unwrap_or(full);
        let mut problem = YamlProblem {
            message: bare.split(", while ").next().unwrap_or(bare).to_string(),
            line,
            column,
            syntax_help: None,
        };
        // libyaml gives up where scanning fails (often the end of the block)
        // and names where the thing it scanned began. For a quoted value and
        // a key that is where the user has to look: the unclosed quote, the
        // line without `:`. (For other things, such as a plain value followed
        // by a bad tab, the problem's own place is the better one.)
        if let Some((what, at)) = full
            .split_once(", while scanning ")
            .and_then(|(_, c)| c.split_once(" at line "))
            .filter(|(what, _)| ["a quoted scalar", "a simple key"].contains(what))
        {
            if let Some((l, c)) = at.split_once(" column ") {
                if let (Ok(l), Ok(c)) = (l.parse(), c.trim().parse()) {
                    problem.message = format!("{} while scanning {what}", problem.message);
                    let p = Position::of_offset(yaml, yaml_offset(yaml, l, c));
                    (problem.line, problem.column) = (p.line, p.col);
                }
            }
        }
        // serde names the Rust type it wanted; users wrote YAML, not Rust.
        if let Some((head, tail)) = problem.message.split_once("expected struct ") {
            let rest = tail.split_once(' ').map_or("", |(_, r)| r);
            problem.message = format!("{head}expected a mapping of `key: value` lines {rest}")
                .trim_end()
                .to_string();
        }
        for int in ["i64", "u64", "u32", "usize"] {
            problem.message = problem
                .message
                .replace(&format!("expected {int}"), "expected a whole number");
        }
        if let Some(key) = duplicate_field(&problem.message) {
            if let Some((l, c)) = second_key_line(yaml, problem.line, key) {
                (problem.line, problem.column) = (l, c);
            }
            problem.syntax_help =
                Some("a key may appear only once in an entry: remove one of them");
            return problem;
        }
        if syntax && !is_typed(&problem.message) {
            problem.syntax_help = Some(problem.help(yaml));
            // A quote left open runs on to the next quote, lines later, where
            // libyaml finally fails: the open quote is the mistake to show.
            let open = unclosed_quote(yaml, problem.line);
            if let Some((line, column)) =
                open.filter(|_| !problem.message.contains("while scanning"))
            {
                (problem.line, problem.column) = (line, column);
                problem.syntax_help = Some(
                    "this quote is not closed on its line, so YAML reads on to a later quote: close it here",
                );
            }
        }
        problem
    }

    fn help(&self, yaml: &str) -> &'static str {
        let text = yaml.lines().nth(self.line.saturating_sub(1)).unwrap_or("");
        let indent: String = text.chars().take_while(|c| c.is_whitespace()).collect();
        if indent.contains('\t') || text.chars().nth(self.column.saturating_sub(1)) == Some('\t') {
            "YAML does not allow tabs here: indent with spaces"
        } else if self.message.ends_with("while scanning a quoted scalar") {
            "this quote is never closed: add the closing quote (write a quote inside the value as `\\\"` or use the other kind)"
        } else if self.message.ends_with("while scanning a simple key") {
            "this line needs a `:` after its key (or `- ` before it, if it is an item of a list)"
        } else {
            "check the YAML syntax here: indentation, a `:` after each key, closing quotes"
        }
    }
}

/// The first line up to `last` where a value opens a `"` that the line does
/// not close (an odd number of unescaped quotes), and the quote's column.
fn unclosed_quote(yaml: &str, last: usize) -> Option<(usize, usize)> {
    yaml.lines().take(last).enumerate().find_map(|(i, line)| {
        let quotes: Vec<usize> = line
            .char_indices()
            .filter(|&(at, c)| c == '"' && !line[..at].ends_with('\\'))
            .map(|(at, _)| at)
            .collect();
        let first = *quotes.first()?;
        let before = line[..first].trim_end();
        let opens_a_value = before.is_empty() || before.ends_with([':', '-', '[', '{', ',']);
        (quotes.len() % 2 == 1 && opens_a_value).then(|| (i + 1, line[..first].chars().count() + 1))
    })
}

/// serde's errors about values, as opposed to libyaml's about syntax.
fn is_typed(message: &str) -> bool {
    [
        "invalid type",
        "invalid value",
        "unknown field",
        "unknown variant",
        "missing field",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// The key of serde's "duplicate field `x`".
fn duplicate_field(message: &str) -> Option<&str> {
    let rest = message.split("duplicate field `").nth(1)?;
    rest.split('`').next()
}

/// Line and column of the second `key:` from `from_line` on: the duplicate.
fn second_key_line(yaml: &str, from_line: usize, key: &str) -> Option<(usize, usize)> {
    yaml.lines()
        .enumerate()
        .skip(from_line.saturating_sub(1))
        .filter_map(|(i, l)| {
            let t = l.trim_start().trim_start_matches("- ").trim_start();
            let rest = t.strip_prefix(key)?;
            rest.starts_with(':')
                .then(|| (i + 1, l.chars().count() - t.chars().count() + 1))
        })
        .nth(1)
}

/// Byte offsets of line starts, to turn offsets into line numbers in O(log n).
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// 1-based line of byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters_from_one() {
        let source = "ab\ncdé\nf";
        assert_eq!(Position::of_offset(source, 0), Position::new(1, 1));
        assert_eq!(Position::of_offset(source, 3), Position::new(2, 1));
        // `é` is two bytes but one column.
        assert_eq!(Position::of_offset(source, 7), Position::new(2, 4));
        assert_eq!(Position::of_offset(source, 99), Position::new(3, 2));
    }

    #[test]
    fn renders_file_line_caret_and_help() {
        let source = "---\ntitel: A\n---\n";
        let d = Diagnostic::error("content/a.md", "unknown front-matter key `titel`")
            .at_offset(source, 4, 5)
            .with_help("did you mean `title`?");
        assert_eq!(
            d.to_string(),
            "error: unknown front-matter key `titel`\n  --> content/a.md:2:1\n   |\n 2 | titel: A\n   | ^^^^^\n   = help: did you mean `title`?\n"
        );
    }

    #[test]
    fn sorts_by_file_then_position() {
        let mut sink = Diagnostics::new();
        sink.push(Diagnostic::error("b.md", "x").at("a\nb", Position::new(1, 1)));
        sink.push(Diagnostic::error("a.md", "y").at("a\nb", Position::new(2, 1)));
        sink.push(Diagnostic::error("a.md", "z").at("a\nb", Position::new(1, 1)));
        let order: Vec<_> = sink.into_sorted().into_iter().map(|d| d.message).collect();
        assert_eq!(order, ["z", "y", "x"]);
    }

    /// name, YAML, expected (line, column) of the mistake and a word of its help.
    #[test]
    fn yaml_problems_point_at_the_mistake() {
        let cases = [
            (
                "unclosed quote",
                "a: 1\nb: \"x\n",
                (2, 4),
                "quote is never closed",
            ),
            (
                "line without colon",
                "tags:\n  - a\n  b c\n",
                (3, 3),
                "needs a `:`",
            ),
            ("tab", "a:\n\t- b\n", (2, 1), "tabs"),
            ("bad indentation", "a: 1\n  b: 2\n", (2, 4), "indentation"),
            (
                "quote closed lines later",
                "a: \"x\nb: \"y\"\n",
                (1, 4),
                "not closed on its line",
            ),
        ];
        for (name, yaml, at, help) in cases {
            let error = serde_yaml::from_str::<serde_yaml::Value>(yaml).unwrap_err();
            let problem = YamlProblem::of(&error, yaml);
            assert_eq!((problem.line, problem.column), at, "{name}: {problem:?}");
            assert!(
                problem.syntax_help.is_some_and(|h| h.contains(help)),
                "{name}: {problem:?}"
            );
        }
    }

    #[test]
    fn a_duplicate_key_is_shown_where_it_is_repeated() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Two {
            a: String,
            b: String,
        }
        let yaml = "a: x\nb: y\na: z\n";
        let error = serde_yaml::from_str::<Two>(yaml).unwrap_err();
        let problem = YamlProblem::of(&error, yaml);
        assert_eq!((problem.line, problem.column), (3, 1), "{problem:?}");
        assert_eq!(problem.message, "duplicate field `a`");
    }

    #[test]
    fn suggests_only_close_candidates() {
        assert_eq!(closest("titel", ["title", "theme"]), Some("title"));
        assert_eq!(closest("zzz", ["title", "theme"]), None);
    }
}
