// The post editor: a preview per selected channel, and image slots added as needed.
// Counting is the server's: each channel's verdict ("312 of 300 characters", counted as
// its network counts) comes from POST /posts/check/ as the author types (htmx, in
// editor.html), from the rules that refuse the post at submission. The preview shows
// the text as the server will store it (line breaks as \n, surrounding space left out).
(function () {
  "use strict";

  var form = document.querySelector("form[data-editor]");
  if (!form) return;

  var body = form.querySelector("textarea[name=body]");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=channels][data-channel]"));
  var empty = document.querySelector("[data-preview-empty]");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  // Python's str.strip() white space (str.isspace), which differs from JS's trim().
  var SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
  var EDGES = new RegExp("^" + SPACE + "+|" + SPACE + "+$", "g");

  // The text as the server will store it.
  function asStored(text) {
    return text.replace(/\r\n?/g, "\n").replace(EDGES, "");
  }

  function variantOf(pk) {
    return form.querySelector("textarea[name=variant_" + pk + "]");
  }

  function textFor(pk) {
    var variant = variantOf(pk);
    // An empty or blank variant means "use the main text", as on the server.
    var own = variant ? asStored(variant.value) : "";
    return own || asStored(body.value);
  }

  function update() {
    var shown = 0;
    boxes.forEach(function (box) {
      var pk = box.dataset.channel;
      var card = document.querySelector("[data-preview='" + pk + "']");
      if (!card) return;
      card.hidden = !box.checked;
      if (!box.checked) return;
      shown += 1;
      card.querySelector("[data-preview-text]").textContent = textFor(pk);
    });
    if (empty) empty.hidden = shown > 0;
  }

  // --- images: add a slot as needed, up to what the chosen channels take ----------

  var images = form.querySelector("[data-images]");
  var imageList = images && images.querySelector("[data-image-list]");
  var total = images && images.querySelector("input[name$='-TOTAL_FORMS']");
  var initial = images && images.querySelector("input[name$='-INITIAL_FORMS']");
  var prefix = total ? total.name.replace(/-TOTAL_FORMS$/, "") : "";
  var addButton = images && images.querySelector("[data-add-image]");
  var limitNote = images && images.querySelector("[data-image-limit]");
  var slotTemplate = images && images.querySelector("template[data-image-template]");

  function slots() {
    return Array.prototype.slice.call(imageList.querySelectorAll("[data-image-form]"));
  }

  function removed(slot) {
    var box = slot.querySelector("input[name$='-DELETE']");
    return box && box.checked;
  }

  // The fewest images any chosen channel takes; with none chosen, the most any takes.
  function imageLimit() {
    var limit = parseInt(images.dataset.max, 10);
    var narrowest = null;
    boxes.forEach(function (box) {
      var own = parseInt(box.dataset.mediaLimit, 10);
      if (box.checked && own < limit) {
        limit = own;
        narrowest = box.dataset.name;
      }
    });
    return { limit: limit, channel: narrowest };
  }

  function renumber() {
    // Extra slots follow the saved images: number them again after one is removed,
    // so that the server reads every slot and counts none that is gone.
    var first = parseInt(initial.value, 10);
    var pattern = new RegExp("(" + prefix + "-)(\\d+|__prefix__)(-)", "g");
    slots().forEach(function (slot, index) {
      if (index < first) return;
      slot.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (node) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
          var value = node.getAttribute(attribute);
          if (value) node.setAttribute(attribute, value.replace(pattern, "$1" + index + "$3"));
        });
      });
    });
    total.value = slots().length;
  }

  function updateImages() {
    var used = slots().filter(function (slot) { return !removed(slot); }).length;
    var rule = imageLimit();
    var full = used >= rule.limit;
    addButton.hidden = false;
    addButton.disabled = full;
    limitNote.textContent = full
      ? fill(rule.channel ? images.dataset.limitTemplate : images.dataset.maxTemplate, rule)
      : "";
    slots().forEach(function (slot, index) {
      var remove = slot.querySelector("[data-remove-image]");
      if (remove) remove.hidden = index < parseInt(initial.value, 10);
    });
  }

  if (images && imageList && total && slotTemplate) {
    addButton.addEventListener("click", function () {
      var fragment = slotTemplate.content.cloneNode(true);
      imageList.appendChild(fragment);
      renumber();
      updateImages();
      var added = slots();
      added[added.length - 1].querySelector("input[type=file]").focus();
    });
    imageList.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-remove-image]");
      if (!remove) return;
      remove.closest("[data-image-form]").remove();
      renumber();
      updateImages();
      addButton.focus();
    });
    updateImages();
  }

  form.addEventListener("input", function (event) {
    var name = event.target.name || "";
    if (name === "body" || name.indexOf("variant_") === 0) update();
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "channels") {
      update();
      if (images && total) updateImages();
    }
    if (/-DELETE$/.test(event.target.name || "") && images && total) updateImages();
  });
  update();
})();
