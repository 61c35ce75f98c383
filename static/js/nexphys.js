/* nexphys page behaviour that markup alone cannot carry (served from static/: the CSP allows no inline script).

   Class-type colours are chosen by each studio, so they cannot live in nexphys.css, and the CSP forbids
   style attributes. Elements carry data-chip="#rrggbb" instead, and this sets --chip through the CSSOM,
   which the CSP allows. It runs on every piece of content htmx loads too (a re-rendered booking card). */
(function () {
  "use strict";
  var COLOUR = /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/;

  function paintChips(root) {
    var found = root.querySelectorAll ? root.querySelectorAll("[data-chip]") : [];
    var all = root.matches && root.matches("[data-chip]") ? [root].concat(Array.prototype.slice.call(found)) : found;
    Array.prototype.forEach.call(all, function (el) {
      if (COLOUR.test(el.dataset.chip)) {
        el.style.setProperty("--chip", el.dataset.chip);
      }
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(paintChips);  // the first page load, then each swapped-in fragment
  } else {
    document.addEventListener("DOMContentLoaded", function () { paintChips(document); });
  }
})();

/* The timetable opens on the week; on a phone the day view reads better (a week is a long scroll). Chromium
   says it is a phone (Sec-CH-UA-Mobile) and gets the day view from the server; other phone browsers are
   sent there from here, once, when the visitor did not ask for a view. */
(function () {
  "use strict";
  var nav = document.querySelector("[data-phone-day]");
  if (nav && window.matchMedia && window.matchMedia("(max-width: 639px)").matches) {
    window.location.replace(nav.dataset.phoneDay);
  }
})();

/* Offers that last a moment (the Undo after a cancellation): data-expires="seconds" removes the element then. */
(function () {
  "use strict";
  function expire(root) {
    var found = root.querySelectorAll ? root.querySelectorAll("[data-expires]") : [];
    Array.prototype.forEach.call(found, function (el) {
      var seconds = parseInt(el.dataset.expires, 10);
      if (seconds > 0) {
        window.setTimeout(function () { if (el.parentNode) { el.parentNode.removeChild(el); } }, seconds * 1000);
      }
    });
  }
  if (window.htmx) {
    window.htmx.onLoad(expire);
  }
})();

/* Start a studio: the address follows the studio's name ("Iron & Oak Gym" → iron-oak-gym) until the owner types
   one of their own (the same rule as nexphys.platform.self_service.suggest_slug; the server validates it). */
(function () {
  "use strict";
  var target = document.querySelector("[data-slug-from]");
  var source = target && document.getElementById(target.dataset.slugFrom);
  if (!source) { return; }
  var preview = document.getElementById(target.dataset.slugPreview || "");
  var touched = target.value !== "";
  function suggest(name) {
    var plain = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    return plain.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").replace(/^[^a-z]+/, "").slice(0, 40)
      .replace(/-+$/, "");
  }
  function show() { if (preview) { preview.textContent = target.value || "your-studio"; } }
  source.addEventListener("input", function () { if (!touched) { target.value = suggest(source.value); show(); } });
  target.addEventListener("input", function () { touched = target.value !== ""; show(); });
  show();
})();
