// The simulator page: polls the messages of this phone on the channel and posts what the
// "client" types or taps to the simulator endpoint (which goes through the fake provider).
(function () {
  "use strict";
  const root = document.getElementById("simulator");
  if (!root) return;
  const list = document.getElementById("sim-chat");
  const form = document.getElementById("sim-form");
  const input = document.getElementById("sim-text");
  const file = document.getElementById("sim-file");
  const error = document.getElementById("sim-error");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const TICKS = { queued: "🕓", sending: "🕓", accepted: "✓", sent: "✓", delivered: "✓✓", read: "✓✓ lida", failed: "⚠" };
  let lastKey = "";

  function send(fields, upload) {
    const data = new FormData();
    data.append("telefone", root.dataset.phone);
    data.append("name", root.dataset.name);
    Object.keys(fields).forEach(function (k) { data.append(k, fields[k]); });
    if (upload) data.append("file", upload);
    error.textContent = "";
    return fetch(root.dataset.sendUrl, { method: "POST", body: data, headers: { "X-CSRFToken": csrf } })
      .then(function (r) { return r.json().then(function (body) { if (!r.ok) throw new Error(body.error || "Falha no envio."); }); })
      .then(refresh)
      .catch(function (e) { error.textContent = e.message; });
  }

  function choiceButton(m, row) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = row.title;
    if (row.description) { const s = document.createElement("small"); s.textContent = row.description; b.appendChild(s); }
    b.addEventListener("click", function () {
      const kind = m.style === "button" ? "button_reply" : "list_reply";
      send({ type: kind, id: row.id, title: row.title, context_id: m.wamid });
    });
    return b;
  }

  function render(messages) {
    const key = JSON.stringify(messages.map(function (m) { return [m.id, m.status]; }));
    if (key === lastKey) return;
    lastKey = key;
    list.innerHTML = "";
    messages.forEach(function (m) {
      const li = document.createElement("li");
      // From the phone's point of view the product's messages are incoming.
      li.className = "bubble " + (m.direction === "out" ? "in" : "out") + (m.status === "failed" ? " failed" : "");
      if (m.header) { const h = document.createElement("strong"); h.textContent = m.header; li.appendChild(h); }
      const text = document.createElement("div");
      text.className = "text";
      text.textContent = m.body;
      li.appendChild(text);
      if (m.footer) { const f = document.createElement("small"); f.className = "muted"; f.textContent = m.footer; li.appendChild(f); }
      if (m.rows && m.rows.length && m.direction === "out") {
        const box = document.createElement("div");
        box.className = "choices";
        if (m.style === "list") { const label = document.createElement("small"); label.textContent = "☰ " + m.button; box.appendChild(label); }
        m.rows.forEach(function (row) { box.appendChild(choiceButton(m, row)); });
        li.appendChild(box);
      }
      const ticks = document.createElement("div");
      ticks.className = "ticks";
      ticks.textContent = m.at + (m.direction === "out" ? " " + (TICKS[m.status] || "") : "") + (m.error ? " — " + m.error : "");
      li.appendChild(ticks);
      list.appendChild(li);
    });
    list.scrollTop = list.scrollHeight;
  }

  function refresh() {
    return fetch(root.dataset.messagesUrl, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) { render(body.messages || []); })
      .catch(function () { /* keep polling */ });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ type: "text", text: text });
  });
  if (file) file.addEventListener("change", function () {
    const chosen = file.files[0];
    if (!chosen) return;
    const kind = chosen.type.indexOf("image/") === 0 ? "image" : "document";
    send({ type: kind, text: input.value.trim() }, chosen);
    input.value = "";
    file.value = "";
  });
  refresh();
  setInterval(refresh, 1500);
})();
