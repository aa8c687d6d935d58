// The comparison page: `?a=slug&b=slug` opens those two texts in the panes,
// and the chooser (hidden until this script runs) changes either pane. The
// page is one for the whole edition, so its size grows with the texts, not
// with their pairs. Without this script each pane shows the contents, and the
// reader opens a text in each by following its link.
(function () {
  "use strict";
  var form = document.querySelector("form.compare-chooser");
  var panes = document.querySelectorAll("iframe.compare-pane");
  if (!form || panes.length !== 2) return;
  // The panes start at the contents, `<root>index.html`: the root of the site.
  var root = panes[0].getAttribute("src").replace(/index\.html$/, "");
  var selects = [form.elements.a, form.elements.b];
  // The page lists the texts once, in the left menu; the right one gets a copy.
  selects[1].innerHTML = selects[0].innerHTML;
  var sides = ["Left", "Right"];
  var opened = [false, false];

  function hasOption(select, slug) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === slug) return true;
    }
    return false;
  }

  function open(side) {
    var select = selects[side];
    if (!select.value) return; // "Choose a text": the pane keeps what it shows
    var option = select.options[select.selectedIndex];
    panes[side].src = root + encodeURIComponent(select.value) + "/index.html";
    panes[side].title = sides[side] + " pane: " + option.text;
    opened[side] = true;
  }

  // The address names the texts shown, so it can be bookmarked or shared.
  function remember() {
    var parts = [];
    ["a", "b"].forEach(function (name, side) {
      if (opened[side] && selects[side].value) parts.push(name + "=" + encodeURIComponent(selects[side].value));
    });
    try {
      window.history.replaceState(null, "", "?" + parts.join("&"));
    } catch (e) {
      // Some browsers refuse to change the address of a file:// page; the panes still change.
    }
  }

  var params = new URLSearchParams(window.location.search);
  ["a", "b"].forEach(function (name, side) {
    var slug = params.get(name);
    if (slug && hasOption(selects[side], slug)) {
      selects[side].value = slug;
      open(side);
    }
    selects[side].addEventListener("change", function () {
      open(side);
      remember();
    });
  });
  form.hidden = false;
  var fallback = document.querySelector(".compare-without-script");
  if (fallback) fallback.hidden = true;
})();
