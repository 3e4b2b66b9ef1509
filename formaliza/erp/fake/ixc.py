"""A fake IXC Provedor webservice as a real HTTP server (tests, bench, demo), in IXC's wire
format (see adapters/ixc.py): Basic `user:token` (401 otherwise), listings only with
`ixcsoft: listar` and the {qtype, query, oper, page, rp, grid_param} body, answers
{page, total, registros}, writes answering {type, message, id}; the trust unlock answers in
the older {tipo, mensagem} shape and refuses a contract unlocked this month."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field

from formaliza.core import clock
from formaliza.erp.fake.server import FakeServer, Request

_TABLES = {"cliente", "cliente_contrato", "fn_areceber", "radusuarios", "su_ticket_setor",
           "su_oss_assunto"}  # fmt: skip


@dataclass
class FakeIxc(FakeServer):
    user: str = "12"
    token: str = "f3a1c0ffee-token-do-ixc"  # noqa: S105 -- the fake's own test value
    clientes: list[dict] = field(default_factory=list)
    contratos: list[dict] = field(default_factory=list)
    areceber: list[dict] = field(default_factory=list)
    pix: dict[str, str] = field(default_factory=dict)  # id_areceber -> copia e cola
    radusuarios: list[dict] = field(default_factory=list)
    setores: list[dict] = field(default_factory=list)
    assuntos: list[dict] = field(default_factory=list)
    tickets: list[dict] = field(default_factory=list)
    unlocks: list[str] = field(default_factory=list)
    today: dt.date | None = None

    def route(self, request: Request):
        expected = base64.b64encode(f"{self.user}:{self.token}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return 401, {"type": "error", "message": "Token inválido ou sem permissão"}
        name = request.path.removeprefix("/webservice/v1/")
        body = request.json()
        if request.method != "POST":
            return 405, {"type": "error", "message": "Método não suportado"}
        if request.headers.get("ixcsoft") == "listar":
            if name not in _TABLES:
                return 200, {"type": "error", "message": f"Tabela {name} não encontrada"}
            return 200, self._listing(name, body)
        action = {"get_pix": self._get_pix, "desbloqueio_confianca": self._unlock,
                  "su_ticket": self._ticket}.get(name)  # fmt: skip
        if action is None:
            return 404, {"type": "error", "message": "Recurso não encontrado"}
        return 200, action(body)

    # --- listings -----------------------------------------------------------------------------

    def _rows(self, name: str) -> list[dict]:
        return {
            "cliente": self.clientes, "cliente_contrato": self.contratos,
            "fn_areceber": self.areceber, "radusuarios": self.radusuarios,
            "su_ticket_setor": self.setores, "su_oss_assunto": self.assuntos,
        }[name]  # fmt: skip

    @staticmethod
    def _match(row: dict, column: str, oper: str, value: str) -> bool:
        cell = str(row.get(column, ""))
        if oper == "=":
            return cell == value
        if oper == ">":
            return float(cell or 0) > float(value or 0)
        if oper == "L":  # like
            return value.lower() in cell.lower()
        raise ValueError(oper)

    def _listing(self, name: str, body: dict) -> dict:
        for key in ("qtype", "query", "oper", "page", "rp"):
            if key not in body:
                return {"type": "error", "message": f"Parâmetro {key} obrigatório"}
        filters = [(body["qtype"], body["oper"], str(body["query"]))]
        filters += [
            (g["TB"], g["OP"], str(g["P"])) for g in json.loads(body.get("grid_param") or "[]")
        ]
        rows = [
            r for r in self._rows(name)
            if all(self._match(r, col.split(".")[-1], op, val) for col, op, val in filters)
        ]  # fmt: skip
        page, rp = int(body["page"]), int(body["rp"])
        chunk = rows[(page - 1) * rp : page * rp]
        if not rows:
            return {"page": str(page), "total": 0}
        return {"page": str(page), "total": str(len(rows)), "registros": chunk}

    # --- actions ------------------------------------------------------------------------------

    def _get_pix(self, body: dict) -> dict:
        code = self.pix.get(str(body.get("id_areceber")))
        if not code:
            return {"type": "error", "message": "Gateway sem Pix para este título"}
        return {"type": "success", "pix": {"qrCode": {"qrcode": code, "imagemSrc": ""}}}

    def _unlock(self, body: dict) -> dict:
        contract = next((c for c in self.contratos if str(c["id"]) == str(body.get("id"))), None)
        self.unlocks.append(str(body.get("id")))
        if contract is None:
            return {"tipo": "erro", "mensagem": "Contrato não encontrado"}
        today = self.today or clock.today()
        last = contract.get("dt_ult_desb_conf") or "0000-00-00"
        if last[:7] == today.isoformat()[:7]:
            return {"tipo": "erro", "mensagem": "Desbloqueio de confiança já utilizado neste mês"}
        contract.update(status_internet="A", desbloqueio_confianca_ativo="S",
                        dt_ult_desb_conf=today.isoformat())  # fmt: skip
        return {"tipo": "sucesso", "mensagem": "Desbloqueio de confiança realizado com sucesso"}

    def _ticket(self, body: dict) -> dict:
        required = ("id_cliente", "id_ticket_setor", "id_assunto", "titulo", "tipo")
        missing = [k for k in required if not body.get(k)]
        if missing:
            return {"type": "error", "message": f"Campo(s) obrigatório(s): {', '.join(missing)}"}
        ticket_id = str(4100 + len(self.tickets))
        self.tickets.append({**body, "id": ticket_id})
        return {"type": "success", "message": "Registro salvo com sucesso!", "id": ticket_id}
