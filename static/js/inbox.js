// Inline review actions: a refused action (400/403/409) swaps the row with the reason
// in it, instead of htmx's default of dropping error responses; the outcome is also
// read out through the page's polite live region.
(function () {
  "use strict";
  var REFUSED = [400, 403, 404, 409];
  var swappedRowId = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.closest || !target.closest(".inbox")) { return; }
    swappedRowId = target.id;
    if (REFUSED.indexOf(event.detail.xhr.status) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!swappedRowId) { return; }
    var row = document.getElementById(swappedRowId);
    var live = document.getElementById("inbox-live");
    swappedRowId = null;
    if (!row || !live) { return; }
    var message = row.querySelector(".row-error .errorlist, .done");
    if (message) {
      live.textContent = message.textContent.trim();
      // The form that had the focus is gone with the old row: keep the keyboard there.
      var link = row.querySelector("a");
      if (link) { link.focus(); }
    }
  });
})();
