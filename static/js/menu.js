/* The site menu on a small screen: folded behind the "Menu" button so that the first
 * screen shows the page, not the navigation. The button is a disclosure (aria-expanded);
 * Escape folds the menu back and returns to the button. Without this script the button
 * stays hidden and the menu open, so every link still works.
 */
(function () {
  "use strict";

  var button = document.querySelector(".menu-toggle");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) { return; }

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  button.hidden = false;
  document.documentElement.classList.add("has-menu-toggle");
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();
