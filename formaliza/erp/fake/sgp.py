"""A fake SGP URA API as a real HTTP server (tests, bench, demo), in SGP's wire format (see
adapters/sgp.py): form-encoded bodies with `token` + `app` (403 otherwise), trailing-slash
paths, {contratos}, {links}, {liberado, liberado_dias, msg}; the unlock is refused when the
contract already used it this month, as SGP's "liberação por confiança" rule does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from formaliza.core import clock
from formaliza.erp.fake.server import FakeServer, Request


@dataclass
class FakeSgp(FakeServer):
    app: str = "formaliza"
    token: str = "9c1e-sgp-token"  # noqa: S105 -- the fake's own test value
    contratos: list[dict] = field(default_factory=list)
    faturas: list[dict] = field(default_factory=list)  # each with "cpfcnpj"
    unlocked_on: dict[str, dt.date] = field(default_factory=dict)  # contrato -> last unlock
    wifi: dict[str, dict] = field(default_factory=dict)
    today: dt.date | None = None

    def route(self, request: Request):
        if request.method != "POST":
            return 405, {"msg": "Método não permitido"}
        form = request.form()
        if form.get("token") != self.token or form.get("app") != self.app:
            return 403, {"msg": "Token ou app inválido"}
        handler = {
            "/api/ura/consultacliente/": self._customer,
            "/api/ura/fatura2via/": self._invoices,
            "/api/ura/liberacaopromessa/": self._unlock,
            "/api/ura/cpemanage/": self._cpe,
        }.get(request.path)
        if handler is None:
            return 404, {"msg": "Not found"}
        return 200, handler(form)

    def _customer(self, form: dict) -> dict:
        rows = [
            c
            for c in self.contratos
            if c["cpfCnpj"].replace(".", "").replace("-", "").replace("/", "")
            == form.get("cpfcnpj")
        ]
        return {"contratos": rows, "msg": "" if rows else "Cliente não encontrado"}

    def _invoices(self, form: dict) -> dict:
        links = [{k: v for k, v in f.items() if k != "cpfcnpj"} for f in self.faturas
                 if f["cpfcnpj"] == form.get("cpfcnpj")]  # fmt: skip
        return {"links": links, "msg": "" if links else "Nenhuma fatura em aberto"}

    def _unlock(self, form: dict) -> dict:
        contract = form.get("contrato", "")
        today = self.today or clock.today()
        last = self.unlocked_on.get(contract)
        if not any(str(c["contratoId"]) == contract for c in self.contratos):
            return {"status": 0, "liberado": False, "msg": "Contrato não encontrado"}
        if last and (last.year, last.month) == (today.year, today.month):
            return {"status": 0, "liberado": False,
                    "msg": "Liberação por confiança já utilizada neste mês"}  # fmt: skip
        self.unlocked_on[contract] = today
        promise = today + dt.timedelta(days=3)
        return {"status": 1, "liberado": True, "liberado_dias": 3, "protocolo": "2026120300017",
                "data_promessa": promise.isoformat(), "msg": "Contrato liberado"}  # fmt: skip

    def _cpe(self, form: dict) -> dict:
        if len(form.get("nova_senha", "")) < 8:
            return {"status": 0, "msg": "A senha deve ter pelo menos 8 caracteres"}
        self.wifi[form.get("contrato", "")] = {"ssid": form.get("novo_ssid"),
                                              "senha": form.get("nova_senha")}  # fmt: skip
        return {"status": 1, "msg": "Solicitação enviada ao equipamento"}
