// The weekly plan board: drag an item onto a day and hour to place it there.
//
// A drop fills the board's hidden place form with the slot's wall-clock time (as typed
// in the user's zone, e.g. "2026-03-29T02:00") and submits it, so the server checks a
// drop exactly like the keyboard "Place at" form: DST gap, scope and workflow rules.
// Listeners sit on the document, so they keep working after htmx swaps the page body.
(function () {
  "use strict";

  function closest(target, selector) {
    return target instanceof Element ? target.closest(selector) : null;
  }

  function clearHover() {
    document.querySelectorAll(".drop-hover").forEach(function (el) {
      el.classList.remove("drop-hover");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var item = closest(event.target, "[data-post]");
    if (!item) return;
    event.dataTransfer.setData("text/plain", item.dataset.post);
    event.dataTransfer.effectAllowed = "move";
    item.classList.add("dragging");
  });

  document.addEventListener("dragend", function (event) {
    var item = closest(event.target, "[data-post]");
    if (item) item.classList.remove("dragging");
    clearHover();
  });

  document.addEventListener("dragover", function (event) {
    var slot = closest(event.target, "[data-slot]");
    if (!slot) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!slot.classList.contains("drop-hover")) {
      clearHover();
      slot.classList.add("drop-hover");
    }
  });

  document.addEventListener("drop", function (event) {
    var slot = closest(event.target, "[data-slot]");
    var form = document.getElementById("drop-form");
    if (!slot || !form) return;
    event.preventDefault();
    clearHover();
    var post = event.dataTransfer.getData("text/plain");
    if (!post) return;
    form.elements.post.value = post;
    form.elements.at_0.value = slot.dataset.slot;
    form.requestSubmit();
  });

  // A refusal (400, 403, 409) comes with the page saying why: show it, like a success.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 403 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Keep the hours the user was looking at, and bring the outcome's message to them
  // (focus, so that keyboard and screen reader users land on what happened).
  var keptScroll = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var scroller = document.querySelector(".week-scroll");
    keptScroll = scroller ? scroller.scrollTop : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var scroller = document.querySelector(".week-scroll");
    if (scroller && keptScroll !== null) scroller.scrollTop = keptScroll;
    var message = document.querySelector("#main .messages");
    if (message) {
      message.setAttribute("tabindex", "-1");
      message.focus();
    }
  });

  // Open the week at the start of the working day rather than at midnight.
  document.addEventListener("DOMContentLoaded", function () {
    var scroller = document.querySelector(".week-scroll");
    var morning = document.querySelector('.week-grid tr[data-hour="7"]');
    var head = document.querySelector(".week-grid thead");
    if (scroller && morning) {
      scroller.scrollTop = morning.offsetTop - (head ? head.offsetHeight : 0);
    }
  });
})();
