// Hatchery: a little plain JavaScript. Every page works without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // After a form comes back with problems, put the cursor in the first one.
    var invalid = document.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); }
  });
})();
