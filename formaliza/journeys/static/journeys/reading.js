/* Contract reading: each contract scrolls in its own box; the sign control is enabled once
   every box reached its end. The server keeps its own record and clock: it refuses an end
   reached sooner than its reading floor (reading_too_fast, with retry_after), and this page
   then shows why and asks again once that time has passed. The seconds sent are only the
   phone's claim. */
(function () {
  "use strict";
  var page = document.getElementById("contracts");
  if (!page || !window.fetch || !window.FormData) return;
  var form = page.querySelector("form.accept");
  var button = form.querySelector("button[type=submit]");
  var token = form.elements.csrfmiddlewaretoken.value;
  var url = page.getAttribute("data-reading-url");
  var min = parseFloat(page.getAttribute("data-min"));
  var hint = page.querySelector(".gate-hint");

  var items = [].slice.call(page.querySelectorAll(".scroll[data-id]")).map(function (box) {
    var done = box.getAttribute("data-read") === "1";
    return { box: box, id: box.getAttribute("data-id"), max: done ? 1 : 0, start: Date.now(), done: done, busy: false,
             state: document.getElementById("state-" + box.getAttribute("data-id")) };
  });

  function body(it) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token);
    data.append("contract", it.id);
    data.append("max_fraction", it.max.toFixed(4));
    data.append("seconds", ((Date.now() - it.start) / 1000).toFixed(1));
    return data;
  }

  function refresh() {
    var left = items.filter(function (it) { return !it.done; }).length;
    button.disabled = left > 0;
    hint.textContent = left ? "Role até o fim de cada contrato para liberar a assinatura (faltam " + left + ")." : "Você leu todos os contratos.";
  }

  function check(it) {
    var b = it.box, rest = b.scrollHeight - b.scrollTop - b.clientHeight;
    var f = rest <= 2 ? 1 : Math.min(1, (b.scrollTop + b.clientHeight) / b.scrollHeight);
    if (f > it.max) it.max = f;
    if (it.done || it.busy || it.max < min) return;
    it.busy = true;
    fetch(url, { method: "POST", body: body(it), credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.ok && j.read) { it.busy = false; it.done = true; it.state.textContent = "✓ Lido até o fim"; it.state.className = "read-state ok"; refresh(); return; }
        if (j.code === "reading_too_fast") { wait(it, j); return; }
        it.busy = false;
      })
      .catch(function () { it.busy = false; });
  }

  // Too soon for the server: say so, count down, and ask again when the floor has passed
  // (the box stays busy meanwhile, so scrolling sends nothing).
  function wait(it, answer) {
    var until = Date.now() + Math.max(0.5, answer.retry_after) * 1000 + 300;
    it.state.className = "read-state wait";
    function tick() {
      var left = Math.ceil((until - Date.now()) / 1000);
      if (left > 0) {
        it.state.textContent = answer.message.replace(/Faltam \d+ segundo\(s\)\./, "Faltam " + left + " segundo(s).");
        setTimeout(tick, 1000);
        return;
      }
      it.state.textContent = "Registrando a leitura…";
      it.busy = false;
      check(it);
    }
    tick();
  }

  items.forEach(function (it) {
    it.box.addEventListener("scroll", function () { check(it); }, { passive: true });
    check(it);
  });
  window.addEventListener("pagehide", function () {
    items.forEach(function (it) { if (!it.done && it.max > 0 && navigator.sendBeacon) navigator.sendBeacon(url, body(it)); });
  });
  refresh();
})();
