// The search page: asks the edition's index (the folder `search-index/`,
// written by scholia; its format is described at the top of
// src/render/search.rs) and lists what it finds: the text, note or name,
// the passage, and a link to it (a text's hits link to their paragraphs).
// Only the shards of the word list that a query's words need are fetched,
// then the few files describing the results shown, and for a text its page,
// whose paragraphs give the passages. The form is a plain GET form, so `?q=`
// addresses work as links and the box on every page leads here; without
// JavaScript the page says where else to look.
(function () {
  "use strict";
  var form = document.querySelector("form.search-form");
  if (!form) {
    return;
  }
  var input = form.elements.q;
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var root = form.getAttribute("data-root");
  var base = new URL(form.getAttribute("data-index"), document.baseURI).href;
  var VERSION = 1;
  var PAGE_SIZE = 10;
  var PASSAGES_SHOWN = 3;
  var EXCERPT_WORDS = 24;
  // A query word of this many letters also finds the words it begins; a
  // shorter one (`a`, `of`) only itself, or it would fetch half the index.
  var MIN_PREFIX = 3;
  // A word that only begins a longer one counts for less than the word itself.
  var PREFIX_WEIGHT = 0.5;
  var KINDS = { text: "Text", note: "Editors’ note", entity: "Name" };
  var cache = {};
  var meta = null;
  // Each search gets a number; results of an older one that arrive late are dropped.
  var generation = 0;
  var waiting = [];
  var terms = [];

  function say(text) {
    status.textContent = text;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (text) {
      el.textContent = text;
    }
    return el;
  }

  // Folds text as the index does (src/render/search.rs, `for_each_word`).
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").replace(/ς/g, "σ");
  }

  function words(text) {
    return fold(text).match(/[\p{Alphabetic}\p{N}]+/gu) || [];
  }

  // Fetches `url` once, as JSON, an ArrayBuffer or text.
  function fetchOnce(url, as) {
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (response) {
        if (!response.ok) {
          throw new Error(url + ": " + response.status);
        }
        return response[as]();
      });
      cache[url].catch(function () {
        delete cache[url];
      });
    }
    return cache[url];
  }

  function loadMeta() {
    if (!meta) {
      meta = fetchOnce(base + "meta.json", "json").then(function (m) {
        if (m.version !== VERSION) {
          throw new Error("index version " + m.version);
        }
        return m;
      });
      meta.catch(function () {
        meta = null;
      });
    }
    return meta;
  }

  // A shard: for each word, the documents holding it and how often (LEB128 varints).
  function decodeShard(buffer) {
    var bytes = new Uint8Array(buffer);
    var at = 0;
    var utf8 = new TextDecoder();
    function varint() {
      var value = 0;
      var scale = 1;
      var b;
      do {
        b = bytes[at++];
        value += (b & 0x7f) * scale;
        scale *= 128;
      } while (b & 0x80);
      return value;
    }
    var entries = [];
    while (at < bytes.length) {
      var length = varint();
      var word = utf8.decode(bytes.subarray(at, at + length));
      at += length;
      var n = varint();
      var docs = new Uint32Array(n);
      var counts = new Uint32Array(n);
      var doc = 0;
      for (var i = 0; i < n; i++) {
        doc += varint();
        docs[i] = doc;
        counts[i] = varint();
      }
      entries.push({ word: word, docs: docs, counts: counts });
    }
    return entries;
  }

  function shard(n) {
    var url = base + "t/" + n + ".bin";
    if (!cache[url + "#decoded"]) {
      cache[url + "#decoded"] = fetchOnce(url, "arrayBuffer").then(decodeShard);
      cache[url + "#decoded"].catch(function () {
        delete cache[url + "#decoded"];
      });
    }
    return cache[url + "#decoded"];
  }

  function matches(word, term) {
    return term.length >= MIN_PREFIX ? word.startsWith(term) : word === term;
  }

  // The words of the index that `term` finds, from the shards that can hold
  // them: a word lies in the shard of the longest key it starts with.
  function entriesFor(m, term) {
    var wanted = [];
    m.shards.forEach(function (key, n) {
      if (term.startsWith(key) || (term.length >= MIN_PREFIX && key.startsWith(term))) {
        wanted.push(shard(n));
      }
    });
    return Promise.all(wanted).then(function (shards) {
      var found = [];
      shards.forEach(function (entries) {
        entries.forEach(function (entry) {
          if (matches(entry.word, term)) {
            found.push(entry);
          }
        });
      });
      return found;
    });
  }

  // Each document's score for one term: its best word, weighted by rarity.
  function scores(m, entries, term) {
    var total = m.texts + m.notes + m.entities;
    var best = new Map();
    entries.forEach(function (entry) {
      var weight = (entry.word === term ? 1 : PREFIX_WEIGHT) * Math.log(1 + total / entry.docs.length);
      for (var i = 0; i < entry.docs.length; i++) {
        var count = entry.counts[i];
        var score = weight * count / (count + 1.2);
        var doc = entry.docs[i];
        if (score > (best.get(doc) || 0)) {
          best.set(doc, score);
        }
      }
    });
    return best;
  }

  function kindOf(m, doc) {
    if (doc < m.texts) {
      return "text";
    }
    return doc < m.texts + m.notes ? "note" : "entity";
  }

  // The documents holding every term, best first.
  function find(m, kind) {
    return Promise.all(terms.map(function (term) {
      return entriesFor(m, term).then(function (entries) {
        return scores(m, entries, term);
      });
    })).then(function (perTerm) {
      perTerm.sort(function (a, b) {
        return a.size - b.size;
      });
      var found = [];
      perTerm[0].forEach(function (score, doc) {
        if (kind && kindOf(m, doc) !== kind) {
          return;
        }
        for (var i = 1; i < perTerm.length; i++) {
          var other = perTerm[i].get(doc);
          if (other === undefined) {
            return;
          }
          score += other;
        }
        found.push({ doc: doc, score: score });
      });
      found.sort(function (a, b) {
        return b.score - a.score || a.doc - b.doc;
      });
      return found.map(function (f) {
        return f.doc;
      });
    });
  }

  function isHit(word) {
    return terms.some(function (term) {
      return matches(word, term);
    });
  }

  // The words of `text` with their places, and whether each is a hit.
  function tokens(text) {
    var found = [];
    var pattern = /[\p{Alphabetic}\p{M}\p{N}]+/gu;
    var match;
    while ((match = pattern.exec(text))) {
      found.push({
        start: match.index,
        end: match.index + match[0].length,
        hit: words(match[0]).some(isHit),
      });
    }
    return found;
  }

  function hitCount(text) {
    return tokens(text).filter(function (t) {
      return t.hit;
    }).length;
  }

  // About EXCERPT_WORDS words of `text` around its first hit, hits marked.
  function excerpt(text) {
    var all = tokens(text);
    var first = Math.max(0, all.findIndex(function (t) {
      return t.hit;
    }));
    var from = Math.max(0, first - Math.floor(EXCERPT_WORDS / 3));
    var to = Math.min(all.length, from + EXCERPT_WORDS);
    var el = element("span", "search-excerpt");
    if (!all.length) {
      return el;
    }
    var at = all[from].start;
    if (from > 0) {
      el.append("… ");
    }
    for (var i = from; i < to; i++) {
      var t = all[i];
      el.append(text.slice(at, t.start));
      el.append(t.hit ? element("mark", null, text.slice(t.start, t.end)) : text.slice(t.start, t.end));
      at = t.end;
    }
    el.append(to < all.length ? text.slice(at, all[to].start).trimEnd() + " …" : text.slice(at));
    return el;
  }

  function describe(m, doc) {
    var perFile = m.docs_per_file;
    var url = base + "d/" + Math.floor(doc / perFile) + ".json";
    return fetchOnce(url, "json").then(function (docs) {
      var data = docs[doc % perFile];
      data.kind = kindOf(m, doc);
      return data.kind === "text" ? withPassages(data) : data;
    });
  }

  // A text's paragraphs, read from its page (once): their ids, and their
  // words without the paragraph numbers and note marks the page adds.
  function paragraphsOf(page) {
    var key = page + "#paragraphs";
    if (!cache[key]) {
      cache[key] = fetchOnce(page, "text").then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        return Array.prototype.filter.call(doc.querySelectorAll("[id^='p-']"), function (el) {
          return /^p-\d+$/.test(el.id);
        }).map(function (el) {
          var copy = el.cloneNode(true);
          copy.querySelectorAll(".pnum, sup").forEach(function (extra) {
            extra.remove();
          });
          return { id: el.id, text: copy.textContent.replace(/\s+/g, " ").trim() };
        });
      });
      cache[key].catch(function () {
        delete cache[key];
      });
    }
    return cache[key];
  }

  function withPassages(data) {
    return paragraphsOf(new URL(root + data.u, document.baseURI).href).then(function (paragraphs) {
      data.paragraphs = paragraphs;
      return data;
    }, function () {
      data.paragraphs = [];
      return data;
    });
  }

  function kindLine(data) {
    var line = KINDS[data.kind];
    if (data.kind === "note") {
      line += " (" + data.k.toLowerCase() + ") on “" + data.p + "”";
    } else if (data.kind === "entity") {
      line += ": " + data.k;
    }
    return line;
  }

  // The paragraphs that hold the most hits, in reading order.
  function passages(data) {
    var ranked = data.paragraphs.map(function (p, order) {
      return { id: p.id, text: p.text, order: order, hits: hitCount(p.text) };
    }).filter(function (p) {
      return p.hits > 0;
    });
    ranked.sort(function (a, b) {
      return b.hits - a.hits || a.order - b.order;
    });
    ranked = ranked.slice(0, PASSAGES_SHOWN);
    ranked.sort(function (a, b) {
      return a.order - b.order;
    });
    return ranked;
  }

  function passageItem(data, passage) {
    var item = element("li");
    var link = element("a", "search-passage-link", "Paragraph " + passage.id.slice(2));
    link.href = root + data.u + "#" + passage.id;
    item.append(link, " ", excerpt(passage.text));
    return item;
  }

  function resultItem(data) {
    var item = element("li", "search-result search-result-" + data.kind);
    var heading = element("h2", "search-result-title");
    var link = element("a", null, data.t);
    link.href = root + data.u;
    heading.append(link);
    item.append(heading, element("p", "search-result-kind", kindLine(data)));
    var parts = data.kind === "text" ? passages(data) : [];
    if (parts.length) {
      var sub = element("ul", "search-passages");
      parts.forEach(function (passage) {
        sub.append(passageItem(data, passage));
      });
      item.append(sub);
    } else if (data.x || (data.paragraphs && data.paragraphs.length)) {
      var p = element("p");
      p.append(excerpt(data.x || data.paragraphs[0].text));
      item.append(p);
    }
    return item;
  }

  function showMore(mine) {
    var next = waiting.splice(0, PAGE_SIZE);
    more.parentNode.hidden = true;
    return loadMeta().then(function (m) {
      return Promise.all(next.map(function (doc) {
        return describe(m, doc);
      }));
    }).then(function (found) {
      if (mine !== generation) {
        return;
      }
      found.forEach(function (data) {
        list.append(resultItem(data));
      });
      more.parentNode.hidden = waiting.length === 0;
    });
  }

  function unavailable() {
    if (window.location.protocol === "file:") {
      say("Search needs the site to be served by a web server: a browser does not let a page opened from disk load the search index. Serve the folder (for example with python3 -m http.server) and open this page through it; everything else reads from disk.");
    } else {
      say("The search index could not be loaded. Reload the page to try again.");
    }
  }

  function search(query, kind) {
    var mine = ++generation;
    list.textContent = "";
    waiting = [];
    more.parentNode.hidden = true;
    if (!query.trim()) {
      say("");
      return Promise.resolve();
    }
    var quoted = "“" + query.trim() + "”";
    terms = words(query).filter(function (word, i, all) {
      return all.indexOf(word) === i;
    });
    if (!terms.length) {
      say("Nothing found for " + quoted + ". Search for a word of the texts.");
      return Promise.resolve();
    }
    say("Searching…");
    return loadMeta().then(function (m) {
      return find(m, kind);
    }).then(function (docs) {
      if (mine !== generation) {
        return;
      }
      say(docs.length === 0
        ? "Nothing found for " + quoted + ". Try fewer words, or another spelling."
        : (docs.length === 1 ? "1 result" : docs.length + " results") + " for " + quoted + ".");
      waiting = docs;
      return showMore(mine);
    }).catch(function () {
      if (mine === generation) {
        unavailable();
      }
    });
  }

  function chosenKind() {
    var checked = form.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "";
  }

  function remember(query, kind) {
    var params = new URLSearchParams();
    if (query) {
      params.set("q", query);
    }
    if (kind) {
      params.set("kind", kind);
    }
    var search = params.toString();
    window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  function run() {
    remember(input.value, chosenKind());
    return search(input.value, chosenKind());
  }

  var typing = null;
  input.addEventListener("input", function () {
    window.clearTimeout(typing);
    typing = window.setTimeout(run, 300);
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "kind") {
      run();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(typing);
    run();
  });
  more.addEventListener("click", function () {
    showMore(generation);
  });

  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  var kind = params.get("kind") || "";
  var radio = form.querySelector("input[name=kind][value=\"" + kind.replace(/[^a-z]/g, "") + "\"]");
  if (radio) {
    radio.checked = true;
  }
  if (input.value) {
    search(input.value, chosenKind());
  } else {
    say("");
  }
})();
