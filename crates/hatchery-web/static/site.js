// Hatchery: a little plain JavaScript. Every page works without it.
(function () {
  "use strict";

  // The name of a wide table's scrolling box: the table's caption, else the
  // heading of the section it is in.
  function regionName(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var section = box.closest("[aria-labelledby]");
    var heading = section && document.getElementById(section.getAttribute("aria-labelledby").split(" ")[0]);
    if (heading && heading.textContent.trim()) { return heading.textContent.trim(); }
    var h1 = document.querySelector("main h1");
    return h1 ? h1.textContent.trim() : "";
  }

  // A table wider than the screen scrolls inside its own box (`.scroll`),
  // never the page: while it does, the box takes the keyboard focus (the
  // arrow keys then scroll it) and is a named group; when it fits, it is
  // no tab stop. (Current browsers also focus such a box themselves.)
  function markScrolling(box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      if (!box.hasAttribute("tabindex")) {
        box.dataset.scrolls = "yes";
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", regionName(box));
      }
    } else if (box.dataset.scrolls === "yes") {
      delete box.dataset.scrolls;
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }

  // A menu group closes when one clicks elsewhere or presses Escape, as
  // menus do; without this script it closes by its own name.
  function closeMenus(except) {
    document.querySelectorAll(".top nav details[open]").forEach(function (d) {
      if (d !== except) { d.open = false; }
    });
  }
  document.addEventListener("click", function (e) {
    closeMenus(e.target.closest ? e.target.closest(".top nav details") : null);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { closeMenus(null); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    // After a form comes back with problems, put the cursor in the first one.
    var invalid = document.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); }

    var boxes = Array.prototype.slice.call(document.querySelectorAll(".scroll"));
    boxes.forEach(markScrolling);
    if (window.ResizeObserver) {
      var watch = new ResizeObserver(function (entries) {
        entries.forEach(function (e) { markScrolling(e.target); });
      });
      boxes.forEach(function (box) { watch.observe(box); });
    } else {
      window.addEventListener("resize", function () { boxes.forEach(markScrolling); });
    }
  });
})();
