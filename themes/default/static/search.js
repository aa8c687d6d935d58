// The search page: asks the edition's index (pagefind's `pagefind.js`, which
// fetches only the chunks a query needs) and lists what it finds: the text,
// note or name, the passage, and a link to it (a text's hits link to their
// paragraphs). The form is a plain GET form, so `?q=` addresses work as
// links and the box on every page leads here; without JavaScript the page
// says where else to look.
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
  var PAGE_SIZE = 10;
  var PASSAGES_SHOWN = 3;
  var KINDS = { text: "Text", note: "Editors’ note", entity: "Name" };
  var index = null;
  // Each search gets a number; results of an older one that arrive late are dropped.
  var generation = 0;
  var waiting = [];

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

  function loadIndex() {
    if (!index) {
      var url = new URL(form.getAttribute("data-index"), document.baseURI).href;
      index = import(url).then(function (pagefind) {
        return pagefind.options({ excerptLength: 24 }).then(function () {
          return pagefind;
        });
      });
      index.catch(function () {
        index = null;
      });
    }
    return index;
  }

  function unavailable() {
    if (window.location.protocol === "file:") {
      say("Search needs the site to be served by a web server: a browser does not let a page opened from disk load the search index. Serve the folder (for example with python3 -m http.server) and open this page through it; everything else reads from disk.");
    } else {
      say("The search index could not be loaded. Reload the page to try again.");
    }
  }

  function kindLine(data) {
    var meta = data.meta;
    var line = KINDS[meta.kind] || KINDS.text;
    if (meta.kind === "note") {
      line += " (" + meta.note_type.toLowerCase() + ") on “" + meta.passage + "”";
    } else if (meta.kind === "entity" && meta.entity_type) {
      line += ": " + meta.entity_type;
    }
    return line;
  }

  function pageUrl(data) {
    return root + data.raw_url;
  }

  // The parts of a text that hold the most hits (paragraphs, headings), in reading order.
  function passages(data) {
    var anchored = data.sub_results.filter(function (sub) {
      return sub.anchor && sub.anchor.id;
    });
    anchored.sort(function (a, b) {
      return b.locations.length - a.locations.length;
    });
    anchored = anchored.slice(0, PASSAGES_SHOWN);
    anchored.sort(function (a, b) {
      return a.anchor.location - b.anchor.location;
    });
    return anchored;
  }

  function passageItem(data, sub) {
    var item = element("li");
    var link = element("a", "search-passage-link");
    link.href = pageUrl(data).split("#")[0] + "#" + sub.anchor.id;
    var title = sub.title || "";
    link.textContent = title.charAt(0).toUpperCase() + title.slice(1);
    var excerpt = element("span", "search-excerpt");
    excerpt.innerHTML = sub.excerpt;
    item.append(link, " ", excerpt);
    return item;
  }

  function resultItem(data) {
    var kind = data.meta.kind || "text";
    var item = element("li", "search-result search-result-" + kind);
    var heading = element("h2", "search-result-title");
    var link = element("a", null, data.meta.title);
    link.href = pageUrl(data);
    heading.append(link);
    item.append(heading, element("p", "search-result-kind", kindLine(data)));
    var parts = kind === "text" ? passages(data) : [];
    if (parts.length) {
      var list = element("ul", "search-passages");
      parts.forEach(function (sub) {
        list.append(passageItem(data, sub));
      });
      item.append(list);
    } else {
      var excerpt = element("p", "search-excerpt");
      excerpt.innerHTML = data.excerpt;
      item.append(excerpt);
    }
    return item;
  }

  function showMore(mine) {
    var next = waiting.splice(0, PAGE_SIZE);
    more.parentNode.hidden = true;
    return Promise.all(next.map(function (r) { return r.data(); })).then(function (found) {
      if (mine !== generation) {
        return;
      }
      found.forEach(function (data) {
        list.append(resultItem(data));
      });
      more.parentNode.hidden = waiting.length === 0;
    });
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
    say("Searching…");
    return loadIndex().then(function (pagefind) {
      return pagefind.search(query, { filters: kind ? { kind: kind } : {} });
    }).then(function (response) {
      if (mine !== generation) {
        return;
      }
      var count = response.results.length;
      var quoted = "“" + query.trim() + "”";
      say(count === 0
        ? "Nothing found for " + quoted + ". Try fewer words, or another spelling."
        : (count === 1 ? "1 result" : count + " results") + " for " + quoted + ".");
      waiting = response.results.slice();
      return showMore(mine);
    }, unavailable);
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
