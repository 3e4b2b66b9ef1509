// Polls a bulk send's progress (JSON) and refreshes the page's summary and table.
(function () {
  const box = document.getElementById("bulk-progress");
  const labels = {queued: "Na fila", sending: "Enviando", done: "Concluído",
                  pending: "Pendente", sent: "Enviado", failed: "Falhou", replied: "Respondeu"};
  function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }
  async function poll() {
    const response = await fetch(box.dataset.url, {credentials: "same-origin"});
    if (!response.ok) return;
    const data = await response.json();
    document.getElementById("bulk-summary").textContent =
      `${data.done} enviados, ${data.failed} falhas, ${data.replied} respostas de ${data.total}`;
    document.getElementById("bulk-status").textContent = data.status_label || labels[data.status] || data.status;
    const rows = document.getElementById("bulk-rows");
    rows.replaceChildren(...data.recipients.map(r => {
      const tr = document.createElement("tr");
      tr.append(cell(r.phone), cell(r.status_label || labels[r.status] || r.status), cell(r.reply), cell(r.error));
      return tr;
    }));
    setTimeout(poll, data.status === "done" ? 15000 : 3000);
  }
  setTimeout(poll, 3000);
})();
