//! Entities: the registry files (`content/entities/*.yaml`) in, checked
//! [`Entity`]s and a matcher that finds their mentions out.
//!
//! Each file is a YAML list of people, organisations, events, places,
//! concepts and publications, with every form the texts use as `aliases`.
//! The case rule: aliases match as written (case-sensitively), and only as
//! whole words — a letter or digit on either side rules a match out. So a
//! mention starts where a word does, and its first word is an alias's first
//! word: the aliases are kept in a hash table by their first word, and at
//! each word of a text that begins with the first two bytes of some alias,
//! the aliases of that word are tried, longest first, so "Communist Party of
//! Germany" wins over "Communist". Matching stays linear in the size of a
//! text however many entities there are. (An Aho–Corasick automaton over all
//! aliases took about 1.7 times as long on the benchmark's edition, in perf
//! samples: with 10,000 aliases it spans megabytes, and each step along a
//! name missed the cache. It also missed a shorter alias where the longest
//! one was glued to a letter: "Maiskos" in "Maiskos Zx" when "Maiskos Z" is
//! an alias too.)

use std::collections::HashMap;
use std::path::Path;

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

/// The registry: entities, and their aliases by first word.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    pub entities: Vec<Entity>,
    by_id: HashMap<String, usize>,
    /// The aliases, by first word.
    aliases: AliasTable,
    /// What aliases start with.
    starts: Starts,
    /// For each entity, the opening tag that links a mention on a text page
    /// to it: made once here, borrowed by every linked mention.
    link_open: Vec<String>,
}

/// The bytes aliases start with, and their first two bytes: a word whose
/// start is not among them is passed over without a look in the table.
#[derive(Debug, Clone)]
struct Starts {
    first: [bool; 256],
    /// One bit for each pair of bytes, 8 KB.
    pairs: Box<[u64; 1024]>,
}

impl Default for Starts {
    fn default() -> Self {
        Starts {
            first: [false; 256],
            pairs: Box::new([0; 1024]),
        }
    }
}

impl Starts {
    fn add(&mut self, pattern: &[u8]) {
        self.first[usize::from(pattern[0])] = true;
        let seconds = match pattern.get(1) {
            Some(&b) => b..=b,
            // A one-byte alias: any byte may follow it.
            None => 0..=255,
        };
        for second in seconds {
            let pair = usize::from(pattern[0]) << 8 | usize::from(second);
            self.pairs[pair / 64] |= 1 << (pair % 64);
        }
    }

    /// Whether some alias may start at `bytes[at]`, as far as the first
    /// two bytes tell.
    fn may_start(&self, bytes: &[u8], at: usize) -> bool {
        match bytes.get(at + 1) {
            Some(&second) => {
                let pair = usize::from(bytes[at]) << 8 | usize::from(second);
                self.pairs[pair / 64] & (1 << (pair % 64)) != 0
            }
            None => true,
        }
    }
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
        let mut starts = Starts::default();
        for pattern in &patterns {
            starts.add(pattern.as_bytes());
        }
        let aliases = AliasTable::new(&patterns, &pattern_entity);
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
                aliases,
                starts,
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
    /// a letter there is no whole word). At each word start, the longest
    /// alias that is a whole word there; a mention found goes on after its end.
    pub fn find_between(
        &self,
        text: &str,
        before: Option<char>,
        after: Option<char>,
    ) -> Vec<Found> {
        if self.aliases.is_empty() {
            return Vec::new();
        }
        let bytes = text.as_bytes();
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(start) = (bytes[at..].iter())
            .position(|&b| self.starts.first[usize::from(b)])
            .map(|i| at + i)
        {
            at = start + 1;
            if !self.starts.may_start(bytes, start) {
                continue;
            }
            // A first byte of an alias starts a character: `start` is a boundary.
            let word_start = !text[..start]
                .chars()
                .next_back()
                .or(before)
                .is_some_and(char::is_alphanumeric);
            if !word_start {
                continue;
            }
            let rest = &text[start..];
            let whole = |len: usize| is_whole_word(text, start, start + len, before, after);
            if let Some((len, entity)) = self.aliases.longest(rest, whole) {
                if !in_url(text, start) {
                    found.push(Found {
                        start,
                        end: start + len,
                        entity,
                    });
                    at = start + len;
                }
            }
        }
        found
    }
}

/// The aliases by their first word, packed for the cache: an open-addressing
/// table of first words' hashes, pointing into the aliases sorted by first
/// word (longest alias first), whose bytes are in one string. A lookup
/// touches a few hundred kilobytes in all; a `HashMap` of boxed strings
/// spread the same over the heap, and missed the cache at each step.
#[derive(Debug, Default, Clone)]
struct AliasTable {
    /// Empty where `count` is 0; probed linearly from `hash & mask`.
    slots: Vec<Slot>,
    /// Aliases: byte range in `bytes`, and the entity named.
    entries: Vec<(u32, u32, usize)>,
    bytes: String,
}

#[derive(Debug, Default, Clone, Copy)]
struct Slot {
    tag: u32,
    first: u32,
    count: u32,
}

impl AliasTable {
    fn new(patterns: &[String], entity: &[usize]) -> Self {
        let mut order: Vec<usize> = (0..patterns.len()).collect();
        let word = |p: usize| first_word(&patterns[p]);
        order.sort_by(|&a, &b| {
            (word(a), std::cmp::Reverse(patterns[a].len()), a).cmp(&(
                word(b),
                std::cmp::Reverse(patterns[b].len()),
                b,
            ))
        });
        let mut table = AliasTable {
            slots: vec![Slot::default(); (2 * patterns.len()).next_power_of_two().max(2)],
            entries: Vec::with_capacity(patterns.len()),
            bytes: String::new(),
        };
        let mut group_start = 0;
        for (i, &p) in order.iter().enumerate() {
            let start = table.bytes.len();
            table.bytes.push_str(&patterns[p]);
            table
                .entries
                .push((to_u32(start), to_u32(table.bytes.len()), entity[p]));
            let last_of_word = order.get(i + 1).is_none_or(|&next| word(next) != word(p));
            if last_of_word {
                table.insert(word(p), group_start, i + 1 - group_start);
                group_start = i + 1;
            }
        }
        table
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// FNV-1a: words are short, and this needs no seed nor dependency.
    fn hash(word: &str) -> u64 {
        (word.bytes()).fold(0xcbf2_9ce4_8422_2325, |hash, b| {
            (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    fn insert(&mut self, word: &str, first: usize, count: usize) {
        let hash = Self::hash(word);
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        while self.slots[at].count != 0 {
            at = (at + 1) & mask;
        }
        self.slots[at] = Slot {
            tag: (hash >> 32) as u32,
            first: to_u32(first),
            count: to_u32(count),
        };
    }

    /// The longest alias that `text` starts with and that `whole(length)`
    /// accepts: its length and entity. Only aliases with the first word of
    /// `text` can be whole words there; a slot of another word with the same
    /// tag offers none that `text` starts with, and the probe goes on.
    fn longest(&self, text: &str, whole: impl Fn(usize) -> bool) -> Option<(usize, usize)> {
        let hash = Self::hash(first_word(text));
        let tag = (hash >> 32) as u32;
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot.count == 0 {
                return None;
            }
            if slot.tag == tag {
                let group = &self.entries[slot.first as usize..][..slot.count as usize];
                for &(start, end, entity) in group {
                    let alias = &self.bytes[start as usize..end as usize];
                    if text.starts_with(alias) && whole(alias.len()) {
                        return Some((alias.len(), entity));
                    }
                }
            }
            at = (at + 1) & mask;
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The first word of `s`: its letters and digits up to the first other
/// character, or that character alone if `s` starts with one.
fn first_word(s: &str) -> &str {
    let end = (s.char_indices())
        .find(|&(_, c)| !c.is_alphanumeric())
        .map_or(s.len(), |(i, _)| i);
    match end {
        0 => s.chars().next().map_or("", |c| &s[..c.len_utf8()]),
        _ => &s[..end],
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

    /// An alias glued to a letter is no mention, but a shorter alias at the
    /// same word may still be one; aliases that start alike but differ in
    /// their first word do not stand in each other's way.
    #[test]
    fn the_longest_alias_that_is_a_whole_word_wins() {
        let yaml = "- id: zorri\n  type: person\n  name: Maiskos Zorri\n  aliases: [Maiskos, Maiskos Z]\n  description: d\n- id: mais\n  type: place\n  name: Mais\n  aliases: [(Mais)]\n  description: d\n";
        let (r, problems) = registry(yaml);
        assert!(problems.is_empty(), "{problems:?}");
        let names = |text: &str| -> Vec<(String, &str)> {
            (r.find(text).into_iter())
                .map(|f| {
                    (
                        text[f.start..f.end].to_string(),
                        r.entities[f.entity].id.as_str(),
                    )
                })
                .collect()
        };
        assert_eq!(
            names("Maiskos Zorri spoke"),
            [("Maiskos Zorri".to_string(), "zorri")]
        );
        assert_eq!(
            names("Maiskos Zx and Maiskos"),
            [
                ("Maiskos".to_string(), "zorri"),
                ("Maiskos".to_string(), "zorri")
            ]
        );
        assert_eq!(
            names("Maiskosi Mais, (Mais) Maisk"),
            [("Mais".to_string(), "mais"), ("(Mais)".to_string(), "mais")]
        );
        assert_eq!(first_word("Zorri’s"), "Zorri");
        assert_eq!(first_word("(Mais)"), "(");
        assert_eq!(first_word("Weiß"), "Weiß");
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
