// The workout editor's progressive enhancement: show only the fields the chosen block kind, load kind and
// progression rule use, and ask before removing. Without JavaScript every field shows and the server ignores
// the ones that do not apply.
(function () {
  "use strict";

  function follow(selectId, attribute) {
    var select = document.getElementById(selectId);
    if (!select) { return; }
    var parts = document.querySelectorAll("[" + attribute + "]");
    function update() {
      parts.forEach(function (part) {
        var shown = part.getAttribute(attribute).split(" ").indexOf(select.value) !== -1;
        part.hidden = !shown;
      });
    }
    select.addEventListener("change", update);
    update();
  }

  function confirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  function start() {
    follow("f-kind", "data-kinds");
    follow("f-load_kind", "data-loads");
    follow("f-progression", "data-rules");
    confirmations();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
