// The back office's menu. Each area is a <details> that opens by itself, with or without this
// script. With it: on narrow screens the "Menu" button shows and hides the whole menu (its
// aria-expanded says which) and opening it opens the current page's area; on wide screens one
// area is open at a time, like a drop-down, and Esc or a click elsewhere closes it.
(function () {
  "use strict";
  const toggle = document.querySelector(".menu-toggle");
  const menu = document.getElementById("menu");
  if (!toggle || !menu) return;
  const groups = Array.prototype.slice.call(menu.querySelectorAll("details.nav-group"));
  const narrow = window.matchMedia("(max-width: 760px)");
  toggle.hidden = false;

  function expanded() { return toggle.getAttribute("aria-expanded") === "true"; }

  function setExpanded(open) {
    toggle.setAttribute("aria-expanded", String(open));
    if (open) groups.forEach(function (g) { if (g.classList.contains("current")) g.open = true; });
  }

  function closeGroups(except) {
    groups.forEach(function (g) { if (g !== except) g.open = false; });
  }

  toggle.addEventListener("click", function () { setExpanded(!expanded()); });
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (group.open && !narrow.matches) closeGroups(group);
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    if (narrow.matches && expanded()) {
      setExpanded(false);
      toggle.focus();
      return;
    }
    const open = groups.filter(function (g) { return g.open; })[0];
    if (open && !narrow.matches) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!narrow.matches && !menu.contains(event.target)) closeGroups(null);
  });
})();
