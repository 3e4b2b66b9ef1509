"""IXC Provedor's webservice (IXC Soft API, wikiapiprovedor.ixcsoft.com.br; the Postman
collection "API - IXC Provedor"; see docs/erp.md for the sources).

- Auth: HTTP Basic with `<id do usuário>:<token>` on every call.
- Listings: `POST /webservice/v1/<tabela>` with header `ixcsoft: listar` and a JSON body
  {qtype, query, oper, page, rp, sortname, sortorder, grid_param} (`grid_param` is a JSON
  *string* of [{TB, OP, P}] extra filters) → {page, total, registros: [...]}; with no match
  IXC answers {page, total: 0} without `registros`. Pages of `rp` rows; we follow `total`.
- Writes: `POST /webservice/v1/<recurso>` without the `ixcsoft` header; answers
  {type: "success"|"error", message, id}. The older trust unlock answers {tipo: "sucesso"|
  "erro", mensagem}; both are read.
- Tables used: `cliente` (cnpj_cpf is stored formatted, 000.000.000-00), `cliente_contrato`
  (status, status_internet, dt_ult_desb_conf, desbloqueio_confianca_ativo), `fn_areceber`
  (status "A" = aberto), `radusuarios` (online "S"/"N"), `su_ticket_setor`, `su_oss_assunto`;
  actions `get_pix` {id_areceber}, `desbloqueio_confianca` {id}, `su_ticket` (insert).
- The ACS Wi-Fi change has no public documentation we found: not implemented.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import httpx

from formaliza.core import br, clock
from formaliza.erp.adapters.http import ErpHttp
from formaliza.erp.ports import (
    Action,
    Capabilities,
    Contract,
    Customer,
    Diagnosis,
    ErpFailure,
    Invoice,
    TicketOption,
    UnlockResult,
    next_month,
)

PAGE_SIZE = 50
MAX_PAGES = 5  # a client with more than 250 open rows is not a chat answer

# status_internet of cliente_contrato -> our contract status.
_INTERNET_STATUS = {
    "A": "active",
    "CM": "blocked",  # bloqueio manual
    "CA": "blocked",  # bloqueio automático
    "FA": "blocked",  # financeiro em atraso
    "D": "inactive",  # desativado
    "AA": "inactive",  # aguardando assinatura
}


def _date(value) -> dt.date | None:
    text = str(value or "")[:10]
    if not text or text.startswith("0000"):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _datetime(value) -> dt.datetime | None:
    """IXC's "AAAA-MM-DD HH:MM:SS" (its server's local time); "0000-00-00 ..." is no value."""
    text = str(value or "")[:19]
    if not text or text.startswith("0000"):
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _digits(value) -> str:
    return re.sub(r"\D", "", str(value or ""))


class IxcConnector:
    capabilities = Capabilities(
        frozenset({Action.INVOICE, Action.TRUST_UNLOCK, Action.DIAGNOSIS, Action.TICKET})
    )

    def __init__(self, *, base_url: str, user: str, token: str, timeout: float = 8.0) -> None:
        self.http = ErpHttp(name="IXC", base_url=base_url, timeout=timeout)
        self.base_url = self.http.base_url
        self._auth = httpx.BasicAuth(user, token)

    # --- HTTP -------------------------------------------------------------------------------

    def _post(self, path: str, body: dict, *, listing: bool) -> dict:
        headers = {"ixcsoft": "listar"} if listing else {}
        response = self.http.send(
            "POST", f"/webservice/v1/{path}", idempotent=listing, json=body, headers=headers,
            auth=self._auth,
        )  # fmt: skip
        if response.status_code in (401, 403):
            raise ErpFailure("auth", f"IXC recusou o usuário/token ({response.status_code})")
        data = self.http.json_object(response)
        if data.get("type") == "error" and listing:
            raise ErpFailure("unavailable", f"IXC recusou a consulta: {data.get('message', '')}")
        return data

    def _list(self, table: str, qtype: str, query: str, *, oper: str = "=", grid=None, sort=""):
        rows: list[dict] = []
        for page in range(1, MAX_PAGES + 1):
            body = {
                "qtype": f"{table}.{qtype}", "query": query, "oper": oper, "page": str(page),
                "rp": str(PAGE_SIZE), "sortname": f"{table}.{sort or 'id'}", "sortorder": "asc",
            }  # fmt: skip
            if grid:
                body["grid_param"] = json.dumps(grid)
            data = self._post(table, body, listing=True)
            batch = data.get("registros") or []
            if not isinstance(batch, list):
                raise ErpFailure("malformed", f"IXC: 'registros' de {table} não é uma lista")
            rows += batch
            try:
                total = int(data.get("total") or 0)
            except (TypeError, ValueError) as exc:
                raise ErpFailure("malformed", f"IXC: 'total' de {table} inválido") from exc
            if len(rows) >= total or not batch:
                break
        return rows

    # --- the port ---------------------------------------------------------------------------

    def connection_check(self) -> None:
        """The settings page's "testar conexão": a one-row `cliente` listing (raises on a wrong
        user/token, an unreachable server or an answer that is not IXC's)."""
        data = self._post(
            "cliente", {"qtype": "cliente.id", "query": "0", "oper": ">", "page": "1",
                        "rp": "1", "sortname": "cliente.id", "sortorder": "asc"},
            listing=True,
        )  # fmt: skip
        if "total" not in data:
            raise ErpFailure("malformed", "IXC respondeu sem 'total': é mesmo o webservice?")

    def customer_find(self, *, document: str) -> Customer | None:
        rows = self._list("cliente", "cnpj_cpf", br.document_format(document))
        row = next((r for r in rows if _digits(r.get("cnpj_cpf")) == document), None)
        if row is None:
            return None
        phones = tuple(
            _digits(row.get(k))
            for k in ("telefone_celular", "whatsapp", "fone", "telefone_comercial")
            if _digits(row.get(k))
        )
        contracts = tuple(
            Contract(
                id=str(c.get("id")),
                plan=str(c.get("contrato") or ""),
                status=self._status(c),
                phones=phones,
                last_unlock=_date(c.get("dt_ult_desb_conf")),
                unlock_in_use=c.get("desbloqueio_confianca_ativo") == "S",
            )
            for c in self._list("cliente_contrato", "id_cliente", str(row.get("id")))
            if c.get("id") is not None
        )
        return Customer(
            id=str(row.get("id")), name=str(row.get("razao") or ""), document=document,
            contracts=contracts,
        )  # fmt: skip

    @staticmethod
    def _status(contract: dict) -> str:
        if contract.get("status") in ("I", "D"):  # inativo, desistiu
            return "cancelled" if contract.get("status") == "D" else "inactive"
        return _INTERNET_STATUS.get(str(contract.get("status_internet") or ""), "inactive")

    def invoices_open(self, *, customer: Customer) -> list[Invoice]:
        rows = self._list(
            "fn_areceber", "id_cliente", customer.id, sort="data_vencimento",
            grid=[{"TB": "fn_areceber.status", "OP": "=", "P": "A"}],
        )  # fmt: skip
        today = clock.today()
        invoices = []
        for row in rows[:10]:
            due = _date(row.get("data_vencimento"))
            try:
                amount = f"{float(row['valor']):.2f}"
            except (KeyError, ValueError, TypeError) as exc:
                raise ErpFailure("malformed", "fatura do IXC sem valor") from exc
            if due is None:
                raise ErpFailure("malformed", "fatura do IXC sem vencimento")
            invoices.append(
                Invoice(
                    id=str(row.get("id")), contract=str(row.get("id_contrato") or ""),
                    amount=amount, due=due, digitable_line=str(row.get("linha_digitavel") or ""),
                    pix_code=self._pix(str(row.get("id"))), overdue=due < today,
                )
            )  # fmt: skip
        return invoices

    def _pix(self, invoice_id: str) -> str:
        data = self._post("get_pix", {"id_areceber": invoice_id}, listing=False)
        pix = data.get("pix") if isinstance(data.get("pix"), dict) else {}
        code = (pix.get("qrCode") or {}).get("qrcode") if isinstance(pix, dict) else ""
        return str(code or "")  # no Pix for this invoice (bank without Pix): boleto only

    def trust_unlock(self, *, customer: Customer, contract: Contract) -> UnlockResult:
        data = self._post("desbloqueio_confianca", {"id": contract.id}, listing=False)
        outcome = data.get("tipo") or data.get("type")
        message = str(data.get("mensagem") or data.get("message") or "")
        ok = outcome in ("sucesso", "success")
        used = not ok and "utilizado" in message.lower()  # "já utilizado neste mês"
        return UnlockResult(
            ok=ok, message=message, available_on=next_month(clock.today()) if used else None
        )

    def connection_diagnosis(self, *, customer: Customer, contract: Contract) -> Diagnosis:
        """The contract's PPPoE/DHCP logins (`radusuarios`): `online` ("S", or two letters
        "SS"/"SN" on newer versions, the first one telling), `sinal_ultimo_atendimento` (the
        ONU's optical signal recorded at the last visit, not a live reading),
        `ultima_conexao_inicial`/`_final` and `motivo_desconexao` of the last session."""
        rows = self._list("radusuarios", "id_contrato", contract.id)
        rows = [r for r in rows if r.get("ativo", "S") != "N"] or rows
        if not rows:
            return Diagnosis(online=None, detail="sem login de acesso no contrato")
        online_rows = [r for r in rows if str(r.get("online") or "").startswith("S")]
        row = (
            online_rows[0]
            if online_rows
            else max(rows, key=lambda r: str(r.get("ultima_conexao_inicial") or ""))
        )
        ended = _datetime(row.get("ultima_conexao_final"))
        return Diagnosis(
            online=bool(online_rows), detail="conectado" if online_rows else "desconectado",
            signal=str(row.get("sinal_ultimo_atendimento") or "").strip(),
            session_started=_datetime(row.get("ultima_conexao_inicial")),
            session_ended=None if online_rows else ended,
            disconnect_reason="" if online_rows else str(row.get("motivo_desconexao") or ""),
        )  # fmt: skip

    def ticket_departments(self) -> list[TicketOption]:
        """Active departments that serve clients: IXC's "Presta atendimento externo"
        (`presta_atendimento`) "N" hides one from the card, as the seed says; versions without
        the column show them all."""
        rows = self._list("su_ticket_setor", "id", "0", oper=">", sort="setor")
        return [
            TicketOption(id=str(r["id"]), name=str(r.get("setor") or ""))
            for r in rows
            if r.get("ativo", "S") != "N" and r.get("presta_atendimento", "S") != "N"
        ]

    def ticket_subjects(self, *, department: TicketOption) -> list[TicketOption]:
        rows = self._list("su_oss_assunto", "id", "0", oper=">", sort="assunto")
        return [
            TicketOption(id=str(r["id"]), name=str(r.get("assunto") or ""))
            for r in rows
            if r.get("ativo", "S") == "S"
        ]

    def ticket_open(
        self, *, customer, contract, department: TicketOption, subject: TicketOption, text: str
    ) -> str:
        data = self._post(
            "su_ticket",
            {
                "tipo": "C", "id_cliente": customer.id, "id_contrato": contract.id,
                "id_ticket_setor": department.id, "id_assunto": subject.id,
                "titulo": subject.name[:100], "menssagem": text, "su_status": "N",
                "prioridade": "M", "origem_endereco": "C",
            },
            listing=False,
        )  # fmt: skip
        if data.get("type") != "success" or not data.get("id"):
            raise ErpFailure("unavailable", f"IXC não abriu o atendimento: {data.get('message')}")
        return str(data["id"])
