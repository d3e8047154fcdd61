// Behaviour every page shares, kept out of the templates: the Content-Security-Policy allows no inline
// script, event handler or style attribute (dti_portal/settings/base.py, tests/test_csp.py).
(function () {
  "use strict";
  // <form data-confirm="…">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // [data-width="42"]: a bar's width in percent, set through the CSSOM (allowed), not a style attribute.
  function widths() {
    document.querySelectorAll("[data-width]").forEach(function (bar) {
      bar.style.width = bar.dataset.width + "%";
    });
  }
  widths();
  document.addEventListener("htmx:afterSettle", widths);  // a swapped fragment may carry a new bar

  // [data-reload-after="2"]: reload the page after that many seconds (a background job in progress).
  var reload = document.querySelector("[data-reload-after]");
  if (reload) {
    window.setTimeout(function () { window.location.reload(); }, 1000 * Number(reload.dataset.reloadAfter));
  }
})();
