// "Cite this text" names paragraph N; when the address points at a paragraph
// (#p-12, as the margin numbers link), fill its number in. Without this
// script the section still reads, with N for the reader to replace.
(function () {
  "use strict";
  function fill() {
    var match = /^#p-(\d+)$/.exec(window.location.hash);
    var number = match ? match[1] : "N";
    var places = document.querySelectorAll("var.cite-paragraph");
    for (var i = 0; i < places.length; i++) {
      places[i].textContent = number;
    }
  }
  window.addEventListener("hashchange", fill);
  fill();
})();
