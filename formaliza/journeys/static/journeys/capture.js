/* Photo step: camera with a guide (card frame or face oval), or a picture from the phone.
   The photo is downscaled here (long side <= 1600 px, JPEG) before it is sent. */
(function () {
  "use strict";
  var root = document.getElementById("capture");
  if (!root || !window.fetch || !window.FormData || !window.Promise) return;
  var MAX = 1600;
  var form = root.querySelector("form");
  var video = root.querySelector("video");
  var svg = root.querySelector("svg");
  var preview = root.querySelector(".preview");
  var msg = root.querySelector(".msg");
  var file = root.querySelector("input[type=file]");
  var stream = null, blob = null, source = "camera", retakes = 0, refused = false;
  root.classList.add("js");

  var shot = root.querySelector(".shot");
  var sendBtn = root.querySelector("[data-do=send]");
  var retakeBtn = root.querySelector("[data-do=retake]");

  function show(state) { root.setAttribute("data-state", state); }

  // A refused photo cannot be sent again: the retake becomes the main (first, filled) button
  // and Continuar is disabled until a new photo is taken.
  function mainAction(refusedNow) {
    refused = refusedNow;
    sendBtn.disabled = refusedNow;
    sendBtn.className = refusedNow ? "btn alt" : "btn";
    retakeBtn.className = refusedNow ? "btn" : "btn alt";
    shot.insertBefore(refusedNow ? retakeBtn : sendBtn, shot.firstChild);
  }
  function say(text, bad) { msg.textContent = text; msg.className = "msg" + (bad ? " err" : ""); }
  function btn(name, fn) { root.querySelector("[data-do=" + name + "]").addEventListener("click", fn); }

  // The same shapes as the server's check (formaliza/journeys/images.py: oval_for).
  function guide(w, h) {
    var shape;
    if (root.getAttribute("data-guide") === "oval") {
      var ry = 0.40 * h, rx = ry / 1.3;
      if (rx > 0.42 * w) { rx = 0.42 * w; ry = 1.3 * rx; }
      shape = '<ellipse cx="' + w / 2 + '" cy="' + 0.47 * h + '" rx="' + rx + '" ry="' + ry + '"';
    } else {
      var cw = 0.86 * w, ch = cw / 1.585;
      if (ch > 0.8 * h) { ch = 0.8 * h; cw = ch * 1.585; }
      shape = '<rect x="' + (w - cw) / 2 + '" y="' + (h - ch) / 2 + '" width="' + cw + '" height="' + ch + '" rx="' + 0.04 * cw + '"';
    }
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    svg.innerHTML = '<mask id="m"><rect width="' + w + '" height="' + h + '" fill="#fff"/>' + shape + ' fill="#000"/></mask>' +
      '<rect width="' + w + '" height="' + h + '" fill="rgba(0,0,0,.5)" mask="url(#m)"/>' +
      shape + ' fill="none" stroke="#fff" stroke-width="' + Math.max(3, w / 150) + '"/>';
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
  }

  function fallback(text) {
    stop(); show("idle"); say(text, true);
    root.querySelector(".pick").classList.remove("hidden");
  }

  function open() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return fallback("Este navegador não abre a câmera aqui. Use o botão abaixo para tirar ou escolher a foto.");
    }
    say("Abrindo a câmera…");
    navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: root.getAttribute("data-facing") }, width: { ideal: 1600 }, height: { ideal: 1200 } }
    }).then(function (s) {
      stream = s; video.srcObject = s; return video.play();
    }).then(function () {
      guide(video.videoWidth, video.videoHeight); show("live"); say(root.getAttribute("data-hint"));
    }).catch(function () {
      fallback("Não conseguimos abrir a câmera. Permita o acesso à câmera ou use o botão abaixo para tirar ou escolher a foto.");
    });
  }

  function shrink(el, w, h) {
    var k = Math.min(1, MAX / Math.max(w, h)), c = document.createElement("canvas");
    c.width = Math.round(w * k); c.height = Math.round(h * k);
    c.getContext("2d").drawImage(el, 0, 0, c.width, c.height);
    return new Promise(function (done) { c.toBlob(done, "image/jpeg", 0.88); });
  }

  function got(b, from) {
    blob = b; source = from; mainAction(false);
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(b);
    show("preview"); say("Confira a foto: está nítida, sem reflexo e completa?");
  }

  btn("open", open);
  btn("shoot", function () {
    if (!video.videoWidth) return;
    shrink(video, video.videoWidth, video.videoHeight).then(function (b) { stop(); got(b, "camera"); });
  });
  btn("retake", function () {
    if (!refused) retakes += 1;
    blob = null;
    if (source === "file") { show("idle"); file.value = ""; file.click(); } else { open(); }
  });
  btn("send", function () {
    if (!blob || refused) return;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    data.append("image", blob, "foto.jpg");
    data.append("retakes", String(retakes));
    data.append("source", source);
    show("sending"); say("Enviando e conferindo a foto…");
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.ok) { say("Foto aceita!"); window.location.assign(j.next); return; }
        retakes = 0; mainAction(true); show("preview"); say(j.message, true);
      })
      .catch(function () { show("preview"); say("Sem conexão. Verifique a internet e toque em Continuar de novo.", true); });
  });
  function picked() {
    var f = file.files && file.files[0];
    if (!f) return;
    var img = new Image();
    img.onload = function () {
      shrink(img, img.naturalWidth, img.naturalHeight).then(function (b) { got(b, "file"); });
      URL.revokeObjectURL(img.src);
    };
    img.onerror = function () { say("Este arquivo não é uma foto. Escolha uma foto JPEG ou PNG.", true); };
    img.src = URL.createObjectURL(f);
  }
  file.addEventListener("change", picked);
  show("idle");
  say(root.getAttribute("data-hint"));
  // On a slow connection the client may choose a photo before this script has arrived.
  if (file.files && file.files.length) picked();
})();
