// Light input masks for pt-BR fields; the server validates everything again.
(function () {
  const digits = (v) => v.replace(/\D/g, "");
  const masks = {
    cpf: (v) => digits(v).slice(0, 11).replace(/(\d{3})(\d)/, "$1.$2").replace(/(\d{3})(\d)/, "$1.$2").replace(/(\d{3})(\d{1,2})$/, "$1-$2"),
    cep: (v) => digits(v).slice(0, 8).replace(/(\d{5})(\d)/, "$1-$2"),
    date: (v) => digits(v).slice(0, 8).replace(/(\d{2})(\d)/, "$1/$2").replace(/(\d{2})(\d)/, "$1/$2"),
    phone: (v) => {
      const d = digits(v).slice(0, 11);
      if (d.length <= 2) return d;
      if (d.length <= 6) return `(${d.slice(0, 2)}) ${d.slice(2)}`;
      const split = d.length === 11 ? 7 : 6;
      return `(${d.slice(0, 2)}) ${d.slice(2, split)}-${d.slice(split)}`;
    },
  };
  document.addEventListener("input", (e) => {
    const kind = e.target.dataset && e.target.dataset.mask;
    if (masks[kind]) e.target.value = masks[kind](e.target.value);
  });
  const copy = document.getElementById("id_copy_residential");
  if (copy) {
    const parts = ["uf", "cep", "street", "number", "complement", "district", "city"];
    const sync = () => parts.forEach((p) => {
      const com = document.getElementById(`id_com_${p}`);
      if (!com) return;
      if (copy.checked) com.value = document.getElementById(`id_res_${p}`).value;
      com.readOnly = copy.checked;
    });
    copy.addEventListener("change", sync);
    document.addEventListener("input", (e) => { if (copy.checked && e.target.id.startsWith("id_res_")) sync(); });
  }
})();
