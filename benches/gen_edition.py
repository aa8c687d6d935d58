#!/usr/bin/env python3
"""Generate a synthetic edition of N texts for benchmarks, twice: as a scholia
edition and as a Hugo site with the same content.

    python3 benches/gen_edition.py N OUTDIR [--seed 42] [--seeds DIR] [--entities K]

writes
    OUTDIR/scholia/book.toml                    [edition] title, [build] theme, [search] off
    OUTDIR/scholia/content/<section>/_index.md  10 sections
    OUTDIR/scholia/content/<section>/<slug>.md  the texts
    OUTDIR/hugo/hugo.toml, layouts/, static/    a minimal Hugo site ...
    OUTDIR/hugo/content/...                     ... with the same Markdown files
    OUTDIR/mdbook/book.toml, src/SUMMARY.md     an mdBook with the same texts: one
    OUTDIR/mdbook/src/<section>/<slug>.md       chapter per text (front-matter as
                                                a heading and a byline), search off
    OUTDIR/scholia/content/entities/generated.yaml  with --entities K > 0
    OUTDIR/STAMP                                what was generated (N, seed, sizes)

Each text has YAML front-matter (title, author, date "1939-08-26", summary)
and ~50 paragraphs (~28 KB) drawn from the seed texts (../shared/seeds beside
the repository by default), headings, and footnotes `[^n]` with definitions.
With --entities K, K entities with synthetic, word-like names ("Bravin
Kelmoraine": two capitalised pseudo-words from syllables, none of which occurs
in the seed texts or in another entity) are registered in
content/entities/generated.yaml, and mentions of them (the full name or the
second word alone, both aliases) are inserted between the words of the body
paragraphs, one per MENTION_EVERY (27) words of the paragraph, which makes
one per ~30 words of the whole text (counting the mentions, headings and
footnotes), spread over the entities by a
Zipf distribution (rank r drawn with weight 1/r), so a few entities are
mentioned in nearly every text and most only a few times. Hugo gets the same
texts (there the mentions are just words). With K = 0 the texts are exactly
those of a run without --entities.

The output depends only on N, K, --seed and the seed files: the same arguments
give byte-identical files. Standard library only.
"""

import argparse
import bisect
import itertools
import glob
import json
import os
import random
import re
import shutil
import sys

GENERATOR_VERSION = 3
SECTIONS = 10
PARAGRAPHS = 50
HEADING_EVERY = 8
FOOTNOTES = 8
DATE = "1939-08-26"
AUTHORS = [
    "Walter Ulbricht",
    "Holly Quilty",
    "Georgi Dimitrov",
    "Clara Zetkin",
    "Ernst Thälmann",
    "Rosa Luxemburg",
    "Leon Trotsky",
    "Wilhelm Pieck",
]

MENTION_EVERY = 27  # body words per inserted mention: about one per 30 words of the whole text
ZIPF_S = 1.0
ENTITY_TYPES = ["person", "organisation", "event", "place", "concept", "publication"]
# Syllables of the pseudo-words: onset + vowel + coda.
ONSETS = ["b", "br", "d", "dr", "f", "g", "gr", "k", "kl", "l", "m", "n", "p", "pr",
          "r", "s", "st", "t", "tr", "v", "z"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ei", "ou"]
CODAS = ["", "", "n", "r", "l", "s", "m"]

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SEEDS = os.path.join(os.path.dirname(REPO), "shared", "seeds")


def yaml_str(s):
    # A JSON string (ASCII-escaped) is a valid YAML double-quoted scalar.
    return json.dumps(s, ensure_ascii=True)


def load_pools(seed_dir):
    files = sorted(glob.glob(os.path.join(seed_dir, "*.txt")))
    if not files:
        sys.exit(f"gen_edition.py: no seed texts (*.txt) in {seed_dir}")
    body, short = [], []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        for block in re.split(r"\n\s*\n", text):
            p = " ".join(block.split())
            if not p:
                continue
            # Keep the generated Markdown to plain paragraphs: no raw HTML,
            # no accidental list items, headings, or footnote syntax.
            p = p.replace("<", "&lt;").replace("[^", "[")
            p = re.sub(r"^([#>*+\-•]|\d+[.)])\s*", "", p)
            if len(p.encode("utf-8")) > 200:
                body.append(p)
            elif 15 < len(p) < 70 and not p.endswith((".", ",", ":")):
                short.append(p)
    sentences = [
        s for p in body for s in re.split(r"(?<=[.!?])\s+", p) if 40 < len(s) < 300
    ]
    if not body or not short or not sentences:
        sys.exit(f"gen_edition.py: the seed texts in {seed_dir} are too small")
    return body, short, sentences


def seed_words(seed_dir):
    """Every word (lowercased) of the seed texts and of the generator's own
    fixed strings: the pseudo-words must be none of them."""
    words = set()
    for f in sorted(glob.glob(os.path.join(seed_dir, "*.txt"))):
        with open(f, encoding="utf-8") as fh:
            words.update(w.lower() for w in re.findall(r"\w+", fh.read()))
    for fixed in AUTHORS + ["Synthetic edition of texts Section Contents Page not found"]:
        words.update(w.lower() for w in re.findall(r"\w+", fixed))
    return words


def make_entities(k, seed, taken):
    """K entities, most mentioned first (rank 1 = index 0). Each has two
    pseudo-words used by no other entity, so no alias can collide."""
    rng = random.Random(f"{seed}-entities")  # independent of the texts' generator
    used = set(taken)

    def pseudo_word():
        while True:
            n = rng.choice((2, 2, 3))
            w = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(n))
            if len(w) >= 5 and w not in used:
                used.add(w)
                return w.capitalize()

    entities = []
    for r in range(k):
        first, last = pseudo_word(), pseudo_word()
        name = f"{first} {last}"
        entities.append({
            "id": f"entity-{r + 1:05d}",
            "type": ENTITY_TYPES[r % len(ENTITY_TYPES)],
            "name": name,
            "aliases": [name, last],
        })
    # Check what the construction promises: every alias names one entity only,
    # no alias word occurs in the seed texts.
    aliases = [a for e in entities for a in e["aliases"]]
    assert len(aliases) == len(set(aliases)) == 2 * k, "an alias is claimed twice"
    assert not any(w.lower() in taken for a in aliases for w in a.split()), "an alias is a seed word"
    return entities


def entities_yaml(entities):
    out = [f"# {len(entities)} synthetic entities (benches/gen_edition.py --entities)."]
    for r, e in enumerate(entities):
        description = f"Synthetic {e['type']} number {r + 1} of the benchmark edition."
        out += [
            f"- id: {e['id']}",
            f"  type: {e['type']}",
            f"  name: {yaml_str(e['name'])}",
            f"  aliases: [{', '.join(yaml_str(a) for a in e['aliases'])}]",
            f"  description: {yaml_str(description)}",
        ]
    return "\n".join(out) + "\n"


class Mentions:
    """Inserts entity mentions into paragraphs, with its own random generator
    so that the texts' other choices do not depend on K."""

    def __init__(self, entities, seed):
        self.rng = random.Random(f"{seed}-mentions")
        self.forms = [e["aliases"] for e in entities]
        weights = [1 / (r + 1) ** ZIPF_S for r in range(len(entities))]
        self.cum = list(itertools.accumulate(weights))
        self.count = 0
        self.per_entity = [0] * len(entities)

    def insert(self, p):
        words = p.split(" ")
        # Stochastic rounding keeps the mean at one mention per MENTION_EVERY words.
        n = int(len(words) / MENTION_EVERY + self.rng.random())
        if n == 0:
            return p
        rng, total = self.rng, self.cum[-1]
        # Positions 1..len(words): never before the paragraph's first word.
        at = sorted(rng.randrange(1, len(words) + 1) for _ in range(n))
        out, prev = [], 0
        for pos in at:
            e = bisect.bisect_left(self.cum, rng.random() * total)
            e = min(e, len(self.cum) - 1)
            self.per_entity[e] += 1
            out += words[prev:pos]
            out.append(rng.choice(self.forms[e]))
            prev = pos
        out += words[prev:]
        self.count += n
        return " ".join(out)


def make_text(rng, i, body, short, sentences, mentions=None):
    title = f"{rng.choice(short)} ({i + 1})"
    author = rng.choice(AUTHORS)
    summary = rng.choice(sentences)
    paragraphs = [rng.choice(body) for _ in range(PARAGRAPHS)]
    if mentions is not None:
        paragraphs = [mentions.insert(p) for p in paragraphs]
    notes = sorted(rng.sample(range(PARAGRAPHS), FOOTNOTES))
    out = [
        "---",
        f"title: {yaml_str(title)}",
        f"author: {yaml_str(author)}",
        f'date: "{DATE}"',
        f"summary: {yaml_str(summary)}",
        "---",
        "",
    ]
    n = 0
    for k, p in enumerate(paragraphs):
        if k and k % HEADING_EVERY == 0:
            out += [f"## {rng.choice(short)}", ""]
        if k in notes:
            n += 1
            # After the first sentence, or at the end.
            m = re.search(r"[.!?](?=\s)", p)
            cut = m.end() if m else len(p)
            p = f"{p[:cut]}[^{n}]{p[cut:]}"
        out += [p, ""]
    for k in range(1, n + 1):
        out += [f"[^{k}]: {rng.choice(sentences)}", ""]
    return "\n".join(out)


HUGO_TOML = """baseURL = "/"
languageCode = "en"
title = {title}
relativeURLs = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
enableRobotsTXT = false

[markup.goldmark.parser]
autoHeadingID = true

[markup.goldmark.extensions]
footnote = true
strikethrough = true
table = true
typographer = true
"""

HUGO_BASEOF = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ .Site.Title }}{{ else }}{{ .Title }} · {{ .Site.Title }}{{ end }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
</head>
<body>
<header class="site-header"><a class="site-title" href="{{ "" | relURL }}">{{ .Site.Title }}</a></header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer"><p>{{ .Site.Title }}</p></footer>
</body>
</html>
"""

HUGO_SINGLE = """{{ define "main" }}
<article class="text">
<header>
<h1>{{ .Title }}</h1>
<p class="byline">{{ .Params.author }}, <time>{{ .Date.Format "2006-01-02" }}</time></p>
{{ with .Params.summary }}<p class="summary">{{ . }}</p>{{ end }}
</header>
{{ .Content }}
</article>
{{ end }}
"""

HUGO_ENTRY = """<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="byline">{{ .Params.author }}, {{ .Date.Format "2006-01-02" }}</span>{{ with .Params.summary }}<p class="summary">{{ . }}</p>{{ end }}</li>"""

HUGO_LIST = (
    """{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ if .IsHome }}
{{ range .Site.Sections }}
<section><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<ol>{{ range .Pages }}"""
    + HUGO_ENTRY
    + """{{ end }}</ol></section>
{{ end }}
{{ else }}
<ol>{{ range .Pages }}"""
    + HUGO_ENTRY
    + """{{ end }}</ol>
{{ end }}
{{ end }}
"""
)

HUGO_404 = """{{ define "main" }}<h1>Page not found</h1><p><a href="{{ "" | relURL }}">Contents</a></p>{{ end }}
"""


MDBOOK_TOML = """[book]
title = {title}
language = "en"

[output.html]
# The comparison's default is no search index, as for scholia and Hugo;
# benches/compare.sh turns it on for the search rows.
search.enable = false
# One page of the whole book, which scholia does not make. mdBook 0.5.4 also
# makes its heading ids unique across the whole book one candidate at a time:
# at 10,000 chapters that alone ran for over 10 minutes.
print.enable = false
"""


def as_mdbook_chapter(text):
    """A text as an mdBook chapter: mdBook reads no front-matter, so the
    title becomes the chapter's heading and author, date and summary a byline."""
    _, head, body = text.split("---\n", 2)
    fields = dict(line.split(": ", 1) for line in head.strip().split("\n"))
    unquote = lambda v: json.loads(v) if v.startswith('"') else v
    title, author = unquote(fields["title"]), unquote(fields["author"])
    summary = unquote(fields["summary"])
    return f"# {title}\n\n*{author}, {DATE}*\n\n*{summary}*\n{body}", title


def md_link_text(s):
    """`s` safe inside `[...]` of SUMMARY.md."""
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", s)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of texts")
    ap.add_argument("outdir", help="folder to write (replaced if it exists)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--seeds", default=DEFAULT_SEEDS, help="folder of seed *.txt")
    ap.add_argument("--entities", type=int, default=0, metavar="K",
                    help="register K synthetic entities and mention them in the texts")
    args = ap.parse_args()
    if args.n < 1:
        sys.exit("gen_edition.py: N must be at least 1")
    if args.entities < 0:
        sys.exit("gen_edition.py: K must not be negative")

    body, short, sentences = load_pools(args.seeds)
    rng = random.Random(args.seed)
    title = f"Synthetic edition of {args.n} texts"

    out = os.path.abspath(args.outdir)
    if os.path.exists(out):
        if not os.path.exists(os.path.join(out, "STAMP")):
            sys.exit(f"gen_edition.py: {out} exists and is not a generated edition; not replacing it")
        shutil.rmtree(out)
    sch, hugo = os.path.join(out, "scholia"), os.path.join(out, "hugo")
    mdbook = os.path.join(out, "mdbook")

    write(
        os.path.join(sch, "book.toml"),
        f"[edition]\ntitle = {yaml_str(title)}\nlanguage = \"en\"\n\n[build]\ntheme = \"default\"\n"
        # Hugo builds no search index: the comparison leaves scholia's out too
        # (benches/search.sh measures it).
        "\n[search]\nenabled = false\n",
    )
    write(os.path.join(hugo, "hugo.toml"), HUGO_TOML.format(title=yaml_str(title)))
    write(os.path.join(mdbook, "book.toml"), MDBOOK_TOML.format(title=yaml_str(title)))
    write(os.path.join(hugo, "layouts/_default/baseof.html"), HUGO_BASEOF)
    write(os.path.join(hugo, "layouts/_default/single.html"), HUGO_SINGLE)
    write(os.path.join(hugo, "layouts/_default/list.html"), HUGO_LIST)
    write(os.path.join(hugo, "layouts/404.html"), HUGO_404)
    css = os.path.join(REPO, "themes/default/static/style.css")
    if os.path.exists(css):
        os.makedirs(os.path.join(hugo, "static"), exist_ok=True)
        shutil.copyfile(css, os.path.join(hugo, "static/style.css"))
    else:
        write(os.path.join(hugo, "static/style.css"), "body { max-width: 40em; }\n")

    sections = [f"section-{s + 1:02d}" for s in range(SECTIONS)]
    section_titles = []
    for s, name in enumerate(sections):
        section_title = f"Section {s + 1}: " + rng.choice(short)
        section_titles.append(section_title)
        index = f"---\ntitle: {yaml_str(section_title)}\nweight: {s + 1}\n---\n"
        for root in (sch, hugo):
            write(os.path.join(root, "content", name, "_index.md"), index)
        write(os.path.join(mdbook, "src", name, "README.md"), f"# {section_title}\n")

    mentions = None
    if args.entities:
        entities = make_entities(args.entities, args.seed, seed_words(args.seeds))
        write(os.path.join(sch, "content/entities/generated.yaml"), entities_yaml(entities))
        mentions = Mentions(entities, args.seed)

    total = words = 0
    chapters = [[] for _ in sections]
    for i in range(args.n):
        text = make_text(rng, i, body, short, sentences, mentions)
        name = f"text-{i + 1:05d}.md"
        rel = os.path.join("content", sections[i % SECTIONS], name)
        for root in (sch, hugo):
            write(os.path.join(root, rel), text)
        chapter, chapter_title = as_mdbook_chapter(text)
        write(os.path.join(mdbook, "src", sections[i % SECTIONS], name), chapter)
        chapters[i % SECTIONS].append((chapter_title, name))
        total += len(text.encode("utf-8"))
        words += len(text.split())

    summary_md = ["# Summary", ""]
    for name, section_title, entries in zip(sections, section_titles, chapters):
        summary_md.append(f"- [{md_link_text(section_title)}]({name}/README.md)")
        summary_md += [f"  - [{md_link_text(t)}]({name}/{f})" for t, f in entries]
    write(os.path.join(mdbook, "src", "SUMMARY.md"), "\n".join(summary_md) + "\n")

    stamp = {
        "generator": GENERATOR_VERSION,
        "n": args.n,
        "seed": args.seed,
        "texts_bytes": total,
        "avg_text_bytes": total // args.n,
        "words": words,
    }
    if mentions is not None:
        per = sorted(mentions.per_entity, reverse=True)
        stamp.update({
            "entities": args.entities,
            "mentions": mentions.count,
            "words_per_mention": round(words / max(mentions.count, 1), 1),
            "mentions_top_entity": per[0],
            "entities_mentioned": sum(1 for c in per if c),
            "mentions_median_entity": per[len(per) // 2],
        })
    write(os.path.join(out, "STAMP"), json.dumps(stamp, sort_keys=True) + "\n")
    print(
        f"generated {args.n} texts in {SECTIONS} sections, {total / 1e6:.1f} MB "
        f"(avg {total // args.n} bytes per text) into {out}/{{scholia,hugo,mdbook}}"
    )


if __name__ == "__main__":
    main()
