// The confirmation page while the selfie is compared in the background: ask every few seconds
// where the client should be; a refused selfie sends them back to take another one.
(function () {
  "use strict";
  var box = document.getElementById("face-status");
  if (!box || box.dataset.pending !== "1") return;
  var tries = 0;
  function tick() {
    tries += 1;
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (!j) return;
        if (j.step !== "confirm") { window.location.assign(j.next); return; }
        if (j.pending) { if (tries < 60) window.setTimeout(tick, 2000); return; }
        box.dataset.pending = "0";
        box.textContent = (j.status === "accepted" || j.status === "approved")
          ? "Selfie conferida com a foto do documento."
          : "Sua selfie será conferida pela nossa equipe. Você já pode assinar.";
      })
      .catch(function () { if (tries < 60) window.setTimeout(tick, 4000); });
  }
  window.setTimeout(tick, 1500);
})();
