//! Cross-references: every parsed text in, checked links and what connects
//! the texts out.
//!
//! Runs once all texts are parsed, because a link may point at any of them.
//! Every `@/slug#anchor`, `@entity/id` and `related:` entry is checked; a bad
//! one is an error naming its file, line and column and the closest valid
//! target. What survives becomes backlinks, "related texts" with their
//! reasons, and the index from each entity to its mentions and notes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::diagnostic::{closest, Diagnostic};
use crate::model::{LinkTarget, Text};
use crate::parse::entities::Registry;

/// A text or note that links to a text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Backlink {
    pub from: usize,
    pub paragraph: Option<u32>,
    pub note: Option<String>,
}

/// A text related to another, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedText {
    pub text: usize,
    pub score: usize,
    pub reasons: Vec<String>,
}

/// Everything that connects texts, by text index and entity index.
///
/// The lists that can be long and that an edit of one text rarely changes are
/// shared (`Arc`): `serve` keeps the previous version beside the new one to
/// compare them, and copying 1.5 million mentions for every keystroke would
/// cost more than the rest of an incremental rebuild.
#[derive(Debug, Clone, Default)]
pub struct CrossReferences {
    pub backlinks: Vec<Vec<Backlink>>,
    pub related: Vec<RelatedTexts>,
    /// For each text, the entities it mentions and how often, most mentioned first.
    pub entities_in: Vec<Vec<(usize, usize)>>,
    /// For each entity, its mentions as (text, mention index in that text).
    pub mentions_of: Vec<Arc<Vec<(usize, usize)>>>,
    /// For each entity, the notes that concern it, as (text, note index).
    pub notes_on: Vec<Vec<(usize, usize)>>,
    /// For each text, the texts it is connected to by a link (either way) or
    /// `related:`, and why: where its related texts start from.
    explicit: Vec<Vec<(usize, String)>>,
    /// For each entity, the texts that mention it, in text order.
    texts_of: Vec<Arc<Vec<usize>>>,
    /// Each text's index by its slug. Kept because an edit changes no slug,
    /// and building it reads every text's slug, which at 10,000 texts took
    /// 25 ms of a 100 ms incremental rebuild (cold memory).
    slugs: Arc<Slugs>,
}

type Slugs = HashMap<String, usize>;

/// A text's related texts, best first.
pub type RelatedTexts = Arc<Vec<RelatedText>>;

/// How many related texts a page shows.
const RELATED_SHOWN: usize = 5;
/// How many of a text's entities (the rarest) find its related texts.
const TELLING_ENTITIES: usize = 40;
/// A link between two texts weighs as much as this many shared entities.
const LINK_WEIGHT: usize = 5;

pub fn cross_reference(texts: &[Text], registry: &Registry) -> (CrossReferences, Vec<Diagnostic>) {
    let slugs: Slugs = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.0.clone(), i))
        .collect();
    let (links, diagnostics) = link_texts(texts, registry, &slugs);
    let entities_in: Vec<_> = {
        use rayon::prelude::*;
        texts.par_iter().map(count_entities).collect()
    };
    let mut notes_on = vec![Vec::new(); registry.entities.len()];
    for (t, text) in texts.iter().enumerate() {
        for (entity, n) in notes_concerning(text, registry) {
            notes_on[entity].push((t, n));
        }
    }
    let texts_of = texts_of_entities(&entities_in, registry.entities.len());
    let related = related_texts(
        texts,
        registry,
        &entities_in,
        &texts_of,
        &links.explicit,
        None,
    );
    let cross = CrossReferences {
        backlinks: links.backlinks,
        related,
        mentions_of: mentions_of(texts, registry.entities.len()),
        entities_in,
        notes_on,
        explicit: links.explicit,
        texts_of,
        slugs: Arc::new(slugs),
    };
    (cross, diagnostics)
}

/// What [`cross_reference`] gives once the texts at `changed` were replaced
/// by new versions of the same files (same slugs): `previous` is what it gave
/// before. Links are checked again everywhere (that is cheap); the lists by
/// entity are mended where a changed text is on them, and related texts are
/// ranked again only for the texts whose ranking can differ ([`rank_again`]).
pub fn cross_reference_again(
    texts: &[Text],
    registry: &Registry,
    previous: &CrossReferences,
    changed: &[usize],
) -> (CrossReferences, Vec<Diagnostic>) {
    let (links, diagnostics) = link_texts(texts, registry, &previous.slugs);
    let mut entities_in = previous.entities_in.clone();
    for &t in changed {
        entities_in[t] = count_entities(&texts[t]);
    }
    let mut mentions_of = previous.mentions_of.clone();
    let mut texts_of = previous.texts_of.clone();
    for &t in changed {
        let mut mentions_by_entity: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
        for (m, mention) in texts[t].mentions.iter().enumerate() {
            mentions_by_entity
                .entry(mention.entity)
                .or_default()
                .push((t, m));
        }
        let entities: HashSet<usize> = (previous.entities_in[t].iter().chain(&entities_in[t]))
            .map(|&(e, _)| e)
            .collect();
        for e in entities {
            let mentions = mentions_by_entity.remove(&e).unwrap_or_default();
            let mentioned = !mentions.is_empty();
            splice_text(Arc::make_mut(&mut mentions_of[e]), t, |&(t, _)| t, mentions);
            splice_text(
                Arc::make_mut(&mut texts_of[e]),
                t,
                |&t| t,
                mentioned.then_some(t),
            );
        }
    }
    let mut notes_on = previous.notes_on.clone();
    for list in &mut notes_on {
        list.retain(|(t, _)| !changed.contains(t));
    }
    for &t in changed {
        for (entity, n) in notes_concerning(&texts[t], registry) {
            notes_on[entity].push((t, n));
        }
    }
    // A whole build lists them text by text, and within a text in order.
    for list in &mut notes_on {
        list.sort_unstable();
    }
    let redo = rank_again(
        previous,
        &entities_in,
        &texts_of,
        &links.explicit,
        changed,
        too_common(texts.len()),
    );
    let related = related_texts(
        texts,
        registry,
        &entities_in,
        &texts_of,
        &links.explicit,
        Some((&redo, &previous.related)),
    );
    let cross = CrossReferences {
        backlinks: links.backlinks,
        related,
        mentions_of,
        entities_in,
        notes_on,
        explicit: links.explicit,
        texts_of,
        slugs: previous.slugs.clone(),
    };
    (cross, diagnostics)
}

/// Replaces the entries of text `t` in `list` (in text order) by `entries`:
/// where a whole build would put them, without sorting the whole list again.
fn splice_text<T>(
    list: &mut Vec<T>,
    t: usize,
    text_of: impl Fn(&T) -> usize,
    entries: impl IntoIterator<Item = T>,
) {
    let start = list.partition_point(|x| text_of(x) < t);
    let end = start + list[start..].partition_point(|x| text_of(x) == t);
    list.splice(start..end, entries);
}

/// The texts whose related texts may differ from `previous` once `changed`
/// texts changed. A text's ranking reads only its own entities, the set of
/// texts of each of those entities (its size and members) and its explicit
/// connections; so it must be redone for the changed texts, for texts whose
/// explicit connections differ, and for every text of an entity that a
/// changed text started or stopped mentioning — unless that entity is too
/// common to count both before and after, when no ranking reads it.
fn rank_again(
    previous: &CrossReferences,
    entities_in: &[Vec<(usize, usize)>],
    texts_of: &[Arc<Vec<usize>>],
    explicit: &[Vec<(usize, String)>],
    changed: &[usize],
    too_common: usize,
) -> Vec<bool> {
    let mut redo: Vec<bool> = (0..entities_in.len())
        .map(|t| explicit[t] != previous.explicit[t])
        .collect();
    // For each entity whose set of texts changed: texts gained minus texts lost.
    let mut moved: HashMap<usize, isize> = HashMap::new();
    for &t in changed {
        redo[t] = true;
        let before: HashSet<usize> = previous.entities_in[t].iter().map(|&(e, _)| e).collect();
        let after: HashSet<usize> = entities_in[t].iter().map(|&(e, _)| e).collect();
        for &e in after.difference(&before) {
            *moved.entry(e).or_default() += 1;
        }
        for &e in before.difference(&after) {
            *moved.entry(e).or_default() -= 1;
        }
    }
    for (e, gained) in moved {
        let now = texts_of[e].len();
        let before = (now as isize - gained) as usize;
        if now <= too_common || before <= too_common {
            for &t in texts_of[e].iter() {
                redo[t] = true;
            }
        }
    }
    redo
}

/// Backlinks and explicit connections of every text, from its checked links.
struct Links {
    backlinks: Vec<Vec<Backlink>>,
    explicit: Vec<Vec<(usize, String)>>,
}

/// Checks every `@` link and `related:` entry; what survives becomes backlinks and explicit connections.
fn link_texts(texts: &[Text], registry: &Registry, slugs: &Slugs) -> (Links, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut backlinks = vec![Vec::new(); texts.len()];
    let mut explicit: Vec<Vec<(usize, String)>> = vec![Vec::new(); texts.len()];
    for (from, text) in texts.iter().enumerate() {
        for link in &text.links {
            let problem = match &link.target {
                LinkTarget::Text { slug, fragment } => match slugs.get(slug.as_str()) {
                    None => Some(missing_text(slug, slugs)),
                    Some(&to) => match fragment.as_deref().filter(|f| !has_anchor(&texts[to], f)) {
                        Some(fragment) => Some(missing_anchor(&texts[to], fragment)),
                        None => {
                            backlinks[to].push(Backlink { from, paragraph: link.paragraph, note: link.note.clone() });
                            // Each side reads the reason from its own page.
                            let (here, there) = match &link.note {
                                Some(_) => ("an editors’ note here refers to it", "an editors’ note there refers here"),
                                None => ("this text refers to it", "it refers to this text"),
                            };
                            explicit[from].push((to, here.to_string()));
                            explicit[to].push((from, there.to_string()));
                            None
                        }
                    },
                },
                LinkTarget::Entity(id) => registry.get(id).is_none().then(|| {
                    let help = match closest(id, registry.ids()) {
                        Some(best) => format!("did you mean `@entity/{best}`?"),
                        None => "register it in content/entities/, or fix the id".into(),
                    };
                    (format!("link to an entity that is not registered: `@entity/{id}`"), help)
                }),
                LinkTarget::Unknown(dest) => Some((
                    format!("`{dest}` is not a link scholia knows"),
                    "write `@/SLUG`, `@/SLUG#p-N`, `@/SLUG#heading-id`, `@entity/ID`, or `@plain` for no link".into(),
                )),
            };
            if let Some((message, help)) = problem {
                let message = match &link.note {
                    Some(note) => format!("note `{note}`: {message}"),
                    None => message,
                };
                diagnostics.push(
                    Diagnostic::error(&text.source_path, message)
                        .at_position(link.position)
                        .with_help(help),
                );
            }
        }
        for related in &text.related {
            match slugs.get(related.text.as_str()) {
                Some(&to) => {
                    explicit[from].push((to, related.reason.clone()));
                    explicit[to].push((from, related.reason.clone()));
                }
                None => {
                    let (message, help) = missing_text(&related.text, slugs);
                    diagnostics.push(
                        Diagnostic::error(&text.source_path, format!("`related:` {message}"))
                            .at_line(related.line)
                            .with_help(help),
                    );
                }
            }
        }
    }
    for list in &mut backlinks {
        list.sort();
        list.dedup();
    }
    let links = Links {
        backlinks,
        explicit,
    };
    (links, diagnostics)
}

/// For each entity, its mentions as (text, mention index), text by text.
fn mentions_of(texts: &[Text], entities: usize) -> Vec<Arc<Vec<(usize, usize)>>> {
    let mut mentions_of = vec![Vec::new(); entities];
    for (t, text) in texts.iter().enumerate() {
        for (m, mention) in text.mentions.iter().enumerate() {
            mentions_of[mention.entity].push((t, m));
        }
    }
    mentions_of.into_iter().map(Arc::new).collect()
}

/// The (entity, note index) pairs of a text: each note concerns the
/// entities its body or its passage names, and those it links.
fn notes_concerning(text: &Text, registry: &Registry) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (n, note) in text.notes.iter().enumerate() {
        let mut concerned: HashSet<usize> = registry
            .find(&note.note.body)
            .into_iter()
            .chain(registry.find(&note.exact))
            .map(|f| f.entity)
            .collect();
        concerned.extend(note.links.iter().filter_map(|l| match &l.target {
            LinkTarget::Entity(id) => registry.get(id),
            _ => None,
        }));
        pairs.extend(concerned.into_iter().map(|entity| (entity, n)));
    }
    pairs
}

fn has_anchor(text: &Text, fragment: &str) -> bool {
    let paragraph = fragment
        .strip_prefix("p-")
        .and_then(|n| n.parse::<u32>().ok());
    paragraph.is_some_and(|n| text.blocks.iter().any(|b| b.number == n))
        || text.headings.iter().any(|h| h.id == fragment)
        || fragment
            .strip_prefix("note-")
            .is_some_and(|id| text.notes.iter().any(|n| n.note.id == id))
}

fn missing_text(slug: &str, slugs: &Slugs) -> (String, String) {
    let help = match closest(slug, slugs.keys().map(String::as_str)) {
        Some(best) => format!("did you mean `@/{best}`?"),
        None => "link a text by its slug: the name of its file without `.md`".into(),
    };
    (
        format!("link to a text that does not exist: `@/{slug}`"),
        help,
    )
}

fn missing_anchor(text: &Text, fragment: &str) -> (String, String) {
    let message = format!(
        "`{}` has no heading, paragraph or note `#{fragment}`",
        text.id
    );
    let last = text.blocks.iter().map(|b| b.number).max().unwrap_or(0);
    let candidates: Vec<&str> = text.headings.iter().map(|h| h.id.as_str()).collect();
    let help = match (fragment.starts_with("p-"), closest(fragment, candidates)) {
        (false, Some(best)) => format!("did you mean `#{best}`?"),
        _ if last > 0 => format!("its paragraphs run from `#p-1` to `#p-{last}`"),
        _ => "that text has no paragraphs to link to".into(),
    };
    (message, help)
}

fn count_entities(text: &Text) -> Vec<(usize, usize)> {
    // Sorted, the mentions of each entity are a run: counted without a map.
    let mut named: Vec<usize> = text.mentions.iter().map(|m| m.entity).collect();
    named.sort_unstable();
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for e in named {
        match counts.last_mut() {
            Some((last, count)) if *last == e => *count += 1,
            _ => counts.push((e, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
}

/// For each entity, the texts that mention it, in text order.
fn texts_of_entities(entities_in: &[Vec<(usize, usize)>], entities: usize) -> Vec<Arc<Vec<usize>>> {
    let mut texts_of: Vec<Vec<usize>> = vec![Vec::new(); entities];
    for (t, entities) in entities_in.iter().enumerate() {
        for &(e, _) in entities {
            texts_of[e].push(t);
        }
    }
    texts_of.into_iter().map(Arc::new).collect()
}

/// Entities named in more texts than this say little about relatedness and are left out of it.
fn too_common(texts: usize) -> usize {
    (texts / 50).max(20)
}

/// Ranks, for each text, the others by shared entities and explicit links.
///
/// Linear in practice: each text votes only through its most telling
/// entities (those fewest texts mention, at most [`TELLING_ENTITIES`]), and
/// entities named in a large share of the texts are left out altogether —
/// they say little about relatedness and would make this quadratic. Scores go
/// into a dense per-thread array; reasons are written for the winners only.
///
/// With `previous` (which texts to rank again, and the rankings of before),
/// the texts not marked keep their previous ranking.
fn related_texts(
    texts: &[Text],
    registry: &Registry,
    entities_in: &[Vec<(usize, usize)>],
    texts_of: &[Arc<Vec<usize>>],
    explicit: &[Vec<(usize, String)>],
    previous: Option<(&[bool], &[RelatedTexts])>,
) -> Vec<RelatedTexts> {
    use rayon::prelude::*;
    let too_common = too_common(texts.len());
    (0..texts.len())
        .into_par_iter()
        .map_init(
            || (vec![0u32; texts.len()], Vec::new()),
            |(scores, touched), t| {
                if let Some((redo, before)) = previous {
                    if !redo[t] {
                        return before[t].clone();
                    }
                }
                // The text's entities, most telling first.
                let mut telling: Vec<(usize, usize)> = entities_in[t]
                    .iter()
                    .filter(|(e, _)| texts_of[*e].len() <= too_common)
                    .copied()
                    .collect();
                telling.sort_by_key(|&(e, count)| (texts_of[e].len(), std::cmp::Reverse(count)));
                telling.truncate(TELLING_ENTITIES);
                for &(e, _) in &telling {
                    for &other in texts_of[e].iter().filter(|&&o| o != t) {
                        if scores[other] == 0 {
                            touched.push(other);
                        }
                        scores[other] += 1;
                    }
                }
                let mut why: HashMap<usize, Vec<String>> = HashMap::new();
                for (other, reason) in explicit[t].iter().filter(|(o, _)| *o != t) {
                    let list = why.entry(*other).or_default();
                    if !list.contains(reason) {
                        list.push(reason.clone());
                    }
                }
                let mut ranked: Vec<(usize, usize)> = touched
                    .iter()
                    .copied()
                    .chain(why.keys().copied().filter(|o| scores[*o] == 0))
                    .map(|o| {
                        // Most texts link to none: no lookup for each of thousands.
                        let links = match why.is_empty() {
                            true => 0,
                            false => why.get(&o).map_or(0, Vec::len),
                        };
                        (o, scores[o] as usize + LINK_WEIGHT * links)
                    })
                    .filter(|&(_, score)| score >= 2)
                    .collect();
                // Best first, then in text order: a total order, so the best
                // few picked out of thousands and sorted are the first few of
                // all sorted.
                let best_first =
                    |a: &(usize, usize), b: &(usize, usize)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
                if ranked.len() > RELATED_SHOWN {
                    ranked.select_nth_unstable_by(RELATED_SHOWN - 1, best_first);
                    ranked.truncate(RELATED_SHOWN);
                }
                ranked.sort_by(best_first);
                let related = ranked
                    .into_iter()
                    .map(|(other, score)| {
                        let mut reasons = why.remove(&other).unwrap_or_default();
                        let shared: Vec<&str> = telling
                            .iter()
                            .filter(|(e, _)| texts_of[*e].binary_search(&other).is_ok())
                            .map(|&(e, _)| registry.entities[e].name.as_str())
                            .collect();
                        if !shared.is_empty() {
                            let more = shared.len().saturating_sub(4);
                            let tail = if more > 0 {
                                format!(" and {more} more")
                            } else {
                                String::new()
                            };
                            reasons.push(format!(
                                "also discusses {}{tail}",
                                shared[..shared.len().min(4)].join(", ")
                            ));
                        }
                        RelatedText {
                            text: other,
                            score,
                            reasons,
                        }
                    })
                    .collect::<Vec<_>>();
                for &o in touched.iter() {
                    scores[o] = 0;
                }
                touched.clear();
                Arc::new(related)
            },
        )
        .collect()
}
