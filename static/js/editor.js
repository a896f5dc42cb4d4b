// The post editor: live character counters and a preview per selected channel.
// Counts code points, as the server does (Python's len), so an emoji counts once
// here and there. The server still checks every limit before the post leaves draft.
(function () {
  "use strict";

  var form = document.querySelector("form[data-editor]");
  if (!form) return;

  var body = form.querySelector("textarea[name=body]");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=channels][data-channel]"));
  var empty = document.querySelector("[data-preview-empty]");
  var announcer = document.querySelector("[data-announce]");
  var announceTimer = null;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function length(text) {
    return Array.from(text).length;
  }

  function variantOf(pk) {
    return form.querySelector("textarea[name=variant_" + pk + "]");
  }

  function textFor(pk) {
    var variant = variantOf(pk);
    // An empty or blank variant means "use the main text", as on the server.
    return variant && variant.value.trim() ? variant.value : body.value;
  }

  function update(announce) {
    var lines = [];
    var shown = 0;
    boxes.forEach(function (box) {
      var pk = box.dataset.channel;
      var card = document.querySelector("[data-preview='" + pk + "']");
      if (!card) return;
      card.hidden = !box.checked;
      if (!box.checked) return;
      shown += 1;
      var text = textFor(pk);
      var count = length(text);
      var limit = parseInt(box.dataset.limit, 10);
      var counter = card.querySelector("[data-counter]");
      var message = fill(form.dataset.countTemplate, { count: count, limit: limit });
      var over = count > limit;
      if (over) {
        message += " — " + fill(form.dataset.overTemplate, { over: count - limit });
      }
      counter.textContent = message;
      counter.classList.toggle("over", over);
      card.classList.toggle("over", over);
      card.querySelector("[data-preview-text]").textContent = text;
      lines.push(fill(form.dataset.announceTemplate, {
        channel: box.dataset.name, count: count, limit: limit
      }) + (over ? " — " + fill(form.dataset.overTemplate, { over: count - limit }) : ""));
    });
    if (empty) empty.hidden = shown > 0;
    if (announce && announcer) {
      // Announced once typing pauses: a screen reader must not read every keystroke.
      window.clearTimeout(announceTimer);
      announceTimer = window.setTimeout(function () {
        announcer.textContent = lines.join(". ");
      }, 900);
    }
  }

  form.addEventListener("input", function (event) {
    var name = event.target.name || "";
    if (name === "body" || name.indexOf("variant_") === 0) update(true);
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "channels") update(true);
  });
  update(false);
})();
