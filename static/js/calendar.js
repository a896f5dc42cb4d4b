/* The calendar page: FullCalendar showing the posts, filters that refetch them, and
 * drag-and-drop rescheduling that asks for confirmation before saving.
 *
 * The server sends times as naive wall-clock strings in the user's own zone and the
 * calendar runs in "UTC" so that it shows them untouched: Date objects here carry the
 * user's wall-clock time in their UTC fields. Only the server turns a wall-clock time
 * into a moment (and refuses one that the clocks skip).
 */
(function () {
  "use strict";

  var el = document.getElementById("calendar");
  if (!el || !window.FullCalendar) { return; }

  var strings = JSON.parse(document.getElementById("calendar-strings").textContent);
  var statusBox = document.getElementById("calendar-status");
  var filters = document.getElementById("calendar-filters");
  var dialog = document.getElementById("reschedule-dialog");
  var form = document.getElementById("reschedule-form");
  var summary = document.getElementById("reschedule-summary");
  var warning = document.getElementById("reschedule-warning");
  var startInput = document.getElementById("reschedule-start");
  var foldBox = document.getElementById("reschedule-fold");
  var foldChoices = document.getElementById("reschedule-fold-choices");
  var saveButton = document.getElementById("reschedule-save");
  var lang = el.dataset.locale || document.documentElement.lang || "fr";
  // One clock for every time on the page, as the server writes them: 24-hour in French
  // ("17:00", "00:30"), and in English the meridiem always shown ("5:00 PM", "12:30 AM"),
  // never a bare "5:00" that could be morning or evening.
  var twelveHour = lang.slice(0, 2) === "en";
  var clock = twelveHour
    ? { hour: "numeric", minute: "2-digit", hourCycle: "h12" }
    : { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  var longFormat = new Intl.DateTimeFormat(lang, {
    weekday: "long", year: "numeric", month: "long", day: "numeric",
    hour: clock.hour, minute: clock.minute, hourCycle: clock.hourCycle, timeZone: "UTC"
  });
  var views = { timeGridWeek: "week", dayGridMonth: "month" };
  var pending = null; // the drop waiting for Save or Cancel

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : values[key];
    });
  }

  function wallClock(date) {
    return date.toISOString().slice(0, 16); // "2026-03-29T10:30", the user's own clock
  }

  function announce(text, isError) {
    statusBox.textContent = text;
    statusBox.classList.toggle("is-error", Boolean(isError));
  }

  function filterParams() {
    var params = {};
    new FormData(filters).forEach(function (value, key) {
      if (value && key !== "date") { params[key] = value; }
    });
    return params;
  }

  function rememberPlace(view) {
    // Keep the week and filters in the address, so a reload or a shared link shows them.
    var day = wallClock(view.currentStart).slice(0, 10);
    filters.elements.date.value = day;
    var params = new URLSearchParams(filterParams());
    params.set("view", views[view.type] || "week");
    params.set("date", day);
    history.replaceState(null, "", "?" + params.toString());
  }

  function eventContent(arg) {
    var wrap = document.createElement("div");
    if (arg.event.extendedProps.blackout) {
      // A blackout period's band: its name and rule, no time or state.
      wrap.className = "cal-blackout";
      wrap.textContent = arg.event.title + " · " + arg.event.extendedProps.ruleLabel;
      return { domNodes: [wrap] };
    }
    if (arg.event.extendedProps.more) {
      // The day holds more posts than a day can show: its link leads to the day's list.
      wrap.className = "cal-more";
      wrap.textContent = arg.event.title;
      return { domNodes: [wrap] };
    }
    wrap.className = "cal-event";
    if (arg.timeText) {
      var time = document.createElement("span");
      time.className = "cal-event-time";
      time.textContent = arg.timeText;
      wrap.appendChild(time);
    }
    var title = document.createElement("span");
    title.className = "cal-event-title";
    title.textContent = arg.event.title;
    wrap.appendChild(title);
    var props = arg.event.extendedProps;
    var state = document.createElement("span");
    state.className = "cal-event-state";
    state.textContent = props.stateLabel + (props.sensitive ? " · " + strings.sensitive : "");
    wrap.appendChild(state);
    return { domNodes: [wrap] };
  }

  function serverNow() {
    // The user's wall clock now, as the server saw it, moved on by the time elapsed.
    var base = Date.parse(el.dataset.now + ":00Z");
    var loaded = Date.now();
    return function () { return new Date(base + (Date.now() - loaded)); };
  }

  var calendar = new FullCalendar.Calendar(el, {
    timeZone: "UTC",
    locale: lang,
    firstDay: 1,
    initialView: el.dataset.initialView,
    initialDate: el.dataset.initialDate,
    now: el.dataset.now ? serverNow() : undefined,
    headerToolbar: { left: "prev,next today", center: "title", right: "timeGridWeek,dayGridMonth" },
    allDaySlot: false,
    nowIndicator: true,
    scrollTime: "07:00:00",
    slotDuration: "00:30:00",
    defaultTimedEventDuration: "00:30",
    displayEventEnd: false,
    eventTimeFormat: clock,
    slotLabelFormat: clock,
    eventDisplay: "block",
    // Posts close in time stand side by side, each readable, rather than drawn over one
    // another: a post takes the height its time, title and state need (not the 30
    // minutes' sliver), FullCalendar places by that height, and beyond two side by
    // side (narrower, a title no longer reads) a "+N more" link lists the rest.
    slotEventOverlap: false,
    eventMinHeight: 64,
    eventMaxStack: 2,
    editable: false,
    eventDurationEditable: false,
    height: "auto",
    eventContent: eventContent,
    events: {
      url: el.dataset.eventsUrl,
      extraParams: filterParams,
      failure: function () { announce(strings.loadFailed, true); }
    },
    datesSet: function (info) { rememberPlace(info.view); hideIcons(); },
    eventDrop: confirmMove,
    // A month cell named after its day-number link (whose name is the full date) makes
    // the cell's name differ from its visible text; the link alone carries the date.
    dayCellDidMount: function (arg) { arg.el.removeAttribute("aria-labelledby"); },
    // The "+N more" link opens a popover (aria-expanded): a button, to assistive technology.
    moreLinkDidMount: function (arg) { arg.el.setAttribute("role", "button"); }
  });
  calendar.render();
  hideIcons();

  function hideIcons() {
    // FullCalendar's arrow icons say role="img" with no name; their buttons are named.
    el.querySelectorAll(".fc-icon[role=img]").forEach(function (icon) {
      icon.removeAttribute("role");
      icon.setAttribute("aria-hidden", "true");
    });
  }

  filters.addEventListener("change", function () {
    calendar.refetchEvents();
    rememberPlace(calendar.view);
  });
  filters.addEventListener("submit", function (event) {
    event.preventDefault();
    calendar.refetchEvents();
    rememberPlace(calendar.view);
  });

  function confirmMove(info) {
    var event = info.event;
    var props = event.extendedProps;
    pending = info;
    summary.textContent = fill(strings.summary, {
      title: event.title,
      from: longFormat.format(info.oldEvent.start),
      to: longFormat.format(event.start)
    });
    warning.hidden = !(props.sensitive && props.state === "approved");
    foldBox.hidden = true;
    foldChoices.replaceChildren();
    form.action = el.dataset.rescheduleUrl.replace("/0/", "/" + event.id + "/");
    startInput.value = wallClock(event.start);
    saveButton.disabled = false;
    dialog.showModal();
  }

  function showFoldChoices(choices) {
    foldChoices.replaceChildren();
    choices.forEach(function (choice, index) {
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "fold";
      input.value = choice.value;
      input.required = true;
      input.checked = index === 0;
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + choice.label));
      foldChoices.appendChild(label);
    });
    foldBox.hidden = false;
    foldChoices.querySelector("input").focus();
  }

  function finish(text, isError) {
    var info = pending;
    pending = null;
    if (dialog.open) { dialog.close(); }
    announce(text, isError);
    return info;
  }

  // Closing the dialog any other way than a successful save (Cancel, Escape) undoes the move.
  dialog.addEventListener("close", function () {
    if (!pending) { return; }
    var info = pending;
    pending = null;
    info.revert();
    announce(fill(strings.cancelled, { title: info.event.title }), false);
  });
  document.getElementById("reschedule-cancel").addEventListener("click", function () {
    dialog.close();
  });

  form.addEventListener("submit", function (submitEvent) {
    submitEvent.preventDefault();
    if (!pending) { return; }
    saveButton.disabled = true;
    announce(strings.saving, false);
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      var data = result.data;
      if (result.ok) {
        finish(data.message, false);
        calendar.refetchEvents(); // the state may have changed (sensitive → sign-off)
        return;
      }
      if (data.fold_choices && data.fold_choices.length) {
        saveButton.disabled = false;
        announce(data.error, true);
        showFoldChoices(data.fold_choices);
        return;
      }
      var info = finish(data.error + " " + fill(strings.keeps, { title: pending.event.title }), true);
      info.revert();
    }).catch(function () {
      var title = pending ? pending.event.title : "";
      var info = finish(strings.network + " " + fill(strings.keeps, { title: title }), true);
      if (info) { info.revert(); }
    });
  });
})();
