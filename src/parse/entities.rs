//! Entities: the registry files (`content/entities/*.yaml`) in, checked
//! [`Entity`]s and a matcher that finds their mentions out.
//!
//! Each file is a YAML list of people, organisations, events, places,
//! concepts and publications, with every form the texts use as `aliases`.
//! Mentions are found with one Aho–Corasick automaton over all aliases
//! (leftmost-longest, so "Communist Party of Germany" wins over "Germany"),
//! which keeps matching linear in the size of a text however many entities
//! there are. The case rule: aliases match as written (case-sensitively), and
//! only as whole words — a letter or digit on either side rules a match out.

use std::collections::HashMap;
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde::{Deserialize, Serialize};

use crate::diagnostic::{unknown_field, unknown_key_help, Diagnostic, Position, YamlProblem};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityType {
    Person,
    Organisation,
    Event,
    Place,
    Concept,
    Publication,
}

impl EntityType {
    pub const ALL: [EntityType; 6] = [
        EntityType::Person,
        EntityType::Organisation,
        EntityType::Event,
        EntityType::Place,
        EntityType::Concept,
        EntityType::Publication,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EntityType::Person => "person",
            EntityType::Organisation => "organisation",
            EntityType::Event => "event",
            EntityType::Place => "place",
            EntityType::Concept => "concept",
            EntityType::Publication => "publication",
        }
    }

    /// The heading of this type's list on the index page.
    pub fn plural(self) -> &'static str {
        match self {
            EntityType::Person => "People",
            EntityType::Organisation => "Organisations",
            EntityType::Event => "Events",
            EntityType::Place => "Places",
            EntityType::Concept => "Concepts",
            EntityType::Publication => "Publications",
        }
    }
}

/// An entry of the registry, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EntityType,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub dates: Option<String>,
    pub description: String,
    /// A Wikidata item id (`Q1234`), rendered as a link.
    pub wikidata: Option<String>,
    /// Registry file and line, for messages.
    #[serde(skip)]
    pub file: std::path::PathBuf,
    #[serde(skip)]
    pub line: usize,
}

/// The registry: entities, and the automaton over their aliases.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    pub entities: Vec<Entity>,
    by_id: HashMap<String, usize>,
    matcher: Option<AhoCorasick>,
    /// For each pattern of the automaton, the entity it names.
    pattern_entity: Vec<usize>,
    /// For each entity, the opening tag that links a mention on a text page
    /// to it: made once here, borrowed by every linked mention.
    link_open: Vec<String>,
}

/// A mention found in a piece of text: byte range and entity index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub entity: usize,
}

impl Registry {
    /// Builds the registry from parsed files; problems are reported, and a
    /// faulty entry is left out so the rest still works.
    pub fn new(entities: Vec<Entity>) -> (Registry, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut kept: Vec<Entity> = Vec::new();
        let mut by_id = HashMap::new();
        for entity in entities {
            let at = |message: String, help: &str| {
                Diagnostic::error(&entity.file, message)
                    .at_line(entity.line)
                    .with_help(help.to_string())
            };
            if !crate::parse::notes::is_valid_id(&entity.id)
                || entity.id.chars().any(|c| c.is_ascii_uppercase())
            {
                diagnostics.push(at(
                    format!(
                        "entity id `{}` must be lowercase letters, digits and hyphens",
                        entity.id
                    ),
                    "ids become URLs: entities/ID/",
                ));
                continue;
            }
            if let Some(&first) = by_id.get(&entity.id) {
                let first: &Entity = &kept[first];
                diagnostics.push(at(
                    format!(
                        "the entity id `{}` is already used at {}:{}",
                        entity.id,
                        first.file.display(),
                        first.line
                    ),
                    "each entity needs its own id",
                ));
                continue;
            }
            by_id.insert(entity.id.clone(), kept.len());
            kept.push(entity);
        }
        let mut owner: HashMap<String, usize> = HashMap::new();
        let mut patterns = Vec::new();
        let mut pattern_entity = Vec::new();
        for (i, entity) in kept.iter().enumerate() {
            // Smart punctuation turns `'` into `’` on the page; both spellings name the entity.
            let written = entity.aliases.iter().chain(std::iter::once(&entity.name));
            let curly: Vec<String> = written
                .clone()
                .filter(|a| a.contains('\''))
                .map(|a| a.replace('\'', "’"))
                .collect();
            for alias in written.chain(curly.iter()) {
                let alias = alias.trim();
                if alias.is_empty() {
                    continue;
                }
                match owner.get(alias) {
                    Some(&other) if other != i => diagnostics.push(
                        Diagnostic::error(&entity.file, format!("the alias “{alias}” of `{}` is also an alias of `{}`", entity.id, kept[other].id))
                            .at_line(entity.line)
                            .with_help("an alias must name one entity: remove it from one of them, and link the other by hand with [text](@entity/ID)"),
                    ),
                    Some(_) => {}
                    None => {
                        owner.insert(alias.to_string(), i);
                        patterns.push(alias.to_string());
                        pattern_entity.push(i);
                    }
                }
            }
        }
        // No aliases, no automaton: texts are then not scanned at all.
        // A contiguous NFA, not a DFA: with 10,000 aliases the DFA's table is
        // 45 MB and every step misses the cache, while the NFA fits in 1 MB
        // and scans the benchmark's texts about twice as fast (a DFA runs
        // fewer instructions, which is what callgrind counted; measured in
        // wall time on 30 MB of `benches/gen_edition.py --entities 5000`).
        let matcher = match patterns.is_empty() {
            true => None,
            false => AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(&patterns)
                .ok(),
        };
        let link_open = kept
            .iter()
            .map(|e| {
                format!(
                    "<a class=\"entity\" href=\"../entities/{}/index.html\">",
                    e.id
                )
            })
            .collect();
        (
            Registry {
                entities: kept,
                by_id,
                matcher,
                pattern_entity,
                link_open,
            },
            diagnostics,
        )
    }

    pub fn get(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// `<a …>` that opens a link from a text page to entity `index`.
    pub fn link_open(&self, index: usize) -> &str {
        &self.link_open[index]
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entities.iter().map(|e| e.id.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// Whole-word mentions in `text`, left to right, never overlapping.
    pub fn find(&self, text: &str) -> Vec<Found> {
        self.find_between(text, None, None)
    }

    /// Whole-word mentions in `text`, which the reader sees between the
    /// characters `before` and `after` (a name at an edge of `text` glued to
    /// a letter there is no whole word).
    pub fn find_between(
        &self,
        text: &str,
        before: Option<char>,
        after: Option<char>,
    ) -> Vec<Found> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        matcher
            .find_iter(text)
            .filter(|m| {
                is_whole_word(text, m.start(), m.end(), before, after) && !in_url(text, m.start())
            })
            .map(|m| Found {
                start: m.start(),
                end: m.end(),
                entity: self.pattern_entity[m.pattern().as_usize()],
            })
            .collect()
    }
}

fn is_whole_word(
    text: &str,
    start: usize,
    end: usize,
    edge_before: Option<char>,
    edge_after: Option<char>,
) -> bool {
    let before = text[..start].chars().next_back().or(edge_before);
    let after = text[end..].chars().next().or(edge_after);
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// A match inside a bare URL (`https://…/Stalin`) is not a mention.
fn in_url(text: &str, start: usize) -> bool {
    let token_start = text[..start]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let token = &text[token_start..];
    let token = token.split(char::is_whitespace).next().unwrap_or("");
    token.contains("://") || token.starts_with("www.")
}

/// Parses one registry file (a YAML list of entities).
pub fn parse_file(source: &str, display: &Path) -> Result<Vec<Entity>, Diagnostic> {
    if source.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut entities: Vec<Entity> =
        serde_yaml::from_str(source).map_err(|e| yaml_error(source, display, &e))?;
    // One pass over the lines: the `id:` lines in order, matched to the entries in order.
    let mut id_lines = Vec::new();
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let t = line.trim_start().trim_start_matches('-').trim_start();
        if let Some(value) = t.strip_prefix("id:") {
            id_lines.push((value.trim().trim_matches(['"', '\'']).to_string(), offset));
        }
        offset += line.len();
    }
    let mut next = 0;
    let line_index = crate::diagnostic::LineIndex::new(source);
    for entity in &mut entities {
        entity.file = display.to_path_buf();
        let found = id_lines[next.min(id_lines.len())..]
            .iter()
            .position(|(id, _)| *id == entity.id);
        let at = match found {
            Some(i) => {
                next += i + 1;
                id_lines[next - 1].1
            }
            None => 0,
        };
        entity.line = line_index.line_of(at);
    }
    Ok(entities)
}

fn yaml_error(source: &str, display: &Path, error: &serde_yaml::Error) -> Diagnostic {
    let problem = YamlProblem::of(error, source);
    let message = problem.message.as_str();
    // serde_yaml names the place as `.[3].type` (or `[3]: ` for the entry
    // itself); say `entry 4: type` or `entry 4: ` instead.
    let message = match message
        .trim_start_matches('.')
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
    {
        Some((n, rest)) => match n.parse::<usize>() {
            Ok(n) => {
                let rest = rest.trim_start_matches('.').trim_start_matches(": ");
                format!("entry {}: {rest}", n + 1)
            }
            Err(_) => message.to_string(),
        },
        None => message.to_string(),
    };
    let message = message.as_str();
    let position = Position::new(problem.line, problem.column);
    let kind = if problem.syntax_help.is_some() {
        "invalid YAML in the registry"
    } else {
        "invalid registry entry"
    };
    let d = Diagnostic::error(display, format!("{kind}: {message}")).at(source, position);
    match (unknown_field(message.rsplit(": ").next().unwrap_or(message)), problem.syntax_help) {
        (Some((field, expected)), _) => d.with_help(unknown_key_help(&field, &expected)),
        (None, Some(help)) => d.with_help(help),
        (None, None) if message.contains("expected a sequence") && !message.starts_with("entry ") => {
            d.with_help("a registry file is a list: start each entry with `- id: ...`")
        }
        (None, None) => d.with_help(
            "each entry needs `id`, `type` (person, organisation, event, place, concept or publication), `name` and `description`",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(yaml: &str) -> (Registry, Vec<Diagnostic>) {
        let entities = parse_file(yaml, Path::new("e.yaml")).unwrap();
        Registry::new(entities)
    }

    const YAML: &str = "- id: kpd\n  type: organisation\n  name: Communist Party of Germany\n  aliases: [KPD]\n  description: d\n- id: germany\n  type: place\n  name: Germany\n  description: d\n- id: yezhov\n  type: person\n  name: Nikolai Yezhov\n  aliases: [Yezhov, Ezhov]\n  description: d\n- id: weiss\n  type: person\n  name: Peter Weiß\n  aliases: [Weiß]\n  description: d\n";

    fn found(r: &Registry, text: &str) -> Vec<(String, &'static str)> {
        r.find(text)
            .into_iter()
            .map(|f| {
                (
                    text[f.start..f.end].to_string(),
                    ["kpd", "germany", "yezhov", "weiss"][f.entity],
                )
            })
            .collect()
    }

    #[test]
    fn longest_whole_word_case_sensitive_unicode() {
        let (r, problems) = registry(YAML);
        assert!(problems.is_empty(), "{problems:?}");
        let cases: [(&str, &[(&str, &str)]); 7] = [
            (
                "the Communist Party of Germany met",
                &[("Communist Party of Germany", "kpd")],
            ),
            (
                "in Germany, the KPD",
                &[("Germany", "germany"), ("KPD", "kpd")],
            ),
            (
                "Ezhov and Yezhov",
                &[("Ezhov", "yezhov"), ("Yezhov", "yezhov")],
            ),
            ("Germanys and KPDs and germany", &[]),
            ("Weiß, not Weißer", &[("Weiß", "weiss")]),
            ("see https://example.org/Germany here", &[]),
            (
                "multi-byte space\u{a0}before Germany",
                &[("Germany", "germany")],
            ),
        ];
        for (text, expected) in cases {
            let expected: Vec<(String, &str)> =
                expected.iter().map(|(a, b)| (a.to_string(), *b)).collect();
            assert_eq!(found(&r, text), expected, "{text}");
        }
    }

    #[test]
    fn an_alias_of_two_entities_is_an_error_with_its_line() {
        let (_, problems) = registry(&format!("{YAML}- id: ezhov2\n  type: person\n  name: Someone\n  aliases: [Ezhov]\n  description: d\n"));
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].message,
            "the alias “Ezhov” of `ezhov2` is also an alias of `yezhov`"
        );
        assert_eq!(problems[0].position, Some(Position::new(20, 1)));
    }

    #[test]
    fn duplicate_ids_and_malformed_entries() {
        let (_, problems) = registry(&format!(
            "{YAML}- id: kpd\n  type: organisation\n  name: K\n  description: d\n"
        ));
        assert_eq!(
            problems[0].message,
            "the entity id `kpd` is already used at e.yaml:1"
        );
        let err = parse_file(
            "- id: x\n  type: persn\n  name: X\n  description: d\n",
            Path::new("e.yaml"),
        )
        .unwrap_err();
        assert!(
            err.message
                .starts_with("invalid registry entry: entry 1: type: unknown variant `persn`"),
            "{}",
            err.message
        );
        assert_eq!(err.position, Some(Position::new(2, 9)));
        let err = parse_file(
            "- id: x\n  type: person\n  name: X\n  descripton: d\n",
            Path::new("e.yaml"),
        )
        .unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean `description`?"));
    }

    /// Regression (tests/properties.rs): YAML counts a lone `\r` as a line
    /// break, so its line 3 was past the end of this two-line file. The key
    /// `T` without a `:` is on the file's line 1, after the `\r`.
    #[test]
    fn a_lone_carriage_return_does_not_shift_the_line() {
        let err = parse_file("- \rT\n", Path::new("e.yaml")).unwrap_err();
        assert_eq!(err.position, Some(Position::new(1, 4)));
    }
}
