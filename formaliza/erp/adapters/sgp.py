"""SGP's URA API (the SGP Postman collection, module "URA"; see docs/erp.md for the sources).

- Auth: form fields `token` + `app` (the token's app name) on every request (SGP also takes
  Basic Auth; we send token+app). Bodies are form-encoded (`application/x-www-form-urlencoded`).
- Customer: `POST /api/ura/consultacliente/` {cpfcnpj} → {contratos: [{clienteId, contratoId,
  razaoSocial, cpfCnpj, telefones: [...], contratoStatus (1 ativo, 2 inativo, 3 cancelado,
  4 suspenso, 5 inviabilidade técnica, 6 novo, 7 ativo com velocidade reduzida),
  contratoStatusDisplay, planointernet}], msg}.
- Invoice: `POST /api/ura/fatura2via/` {cpfcnpj, nao_gerar_os=1} → {links: [{fatura,
  vencimento (AAAA-MM-DD), valor, link (PDF), linhadigitavel, codigopix}]}. `nao_gerar_os`:
  without it SGP opens an occurrence for every request — so the call is not retried.
- Trust unlock: `POST /api/ura/liberacaopromessa/` {contrato} → {status, liberado (bool),
  liberado_dias, data_promessa, protocolo, msg}.
- Wi-Fi: `POST /api/ura/cpemanage/` {contrato, novo_ssid, nova_senha} (the CPE manager, as
  the collection documents it; its answer is not documented: we read {status, msg} and treat
  `status` 0/"erro" or an `erro` key as a refusal).
"""

from __future__ import annotations

import datetime as dt
import re

from formaliza.core import clock
from formaliza.erp.adapters.http import ErpHttp
from formaliza.erp.ports import (
    Action,
    Capabilities,
    ChangeResult,
    Contract,
    Customer,
    ErpFailure,
    Invoice,
    UnlockResult,
    next_month,
)

_STATUS = {1: "active", 2: "inactive", 3: "cancelled", 4: "blocked", 7: "reduced"}


def _digits(value) -> str:
    return re.sub(r"\D", "", str(value or ""))


class SgpConnector:
    capabilities = Capabilities(frozenset({Action.INVOICE, Action.TRUST_UNLOCK, Action.WIFI}))

    def __init__(self, *, base_url: str, app: str, token: str, timeout: float = 8.0) -> None:
        self.http = ErpHttp(name="SGP", base_url=base_url, timeout=timeout)
        self.base_url = self.http.base_url
        self._auth = {"token": token, "app": app}

    def _post(self, path: str, fields: dict, *, idempotent: bool) -> dict:
        response = self.http.send(
            "POST", f"/api/ura/{path}/", idempotent=idempotent, data={**self._auth, **fields}
        )
        if response.status_code in (401, 403):
            raise ErpFailure("auth", f"SGP recusou token/app ({response.status_code})")
        data = self.http.json_object(response)
        if response.status_code >= 400:
            raise ErpFailure("unavailable", f"SGP recusou {path}: {data.get('msg', '')}")
        return data

    def connection_check(self) -> None:
        """The settings page's "testar conexão": `consultacliente` of a document nobody has
        (raises on a wrong token/app or an unreachable server)."""
        self.customer_find(document="00000000000")

    def customer_find(self, *, document: str) -> Customer | None:
        data = self._post("consultacliente", {"cpfcnpj": document}, idempotent=True)
        rows = data.get("contratos") or []
        if not isinstance(rows, list):
            raise ErpFailure("malformed", "SGP: 'contratos' não é uma lista")
        rows = [r for r in rows if _digits(r.get("cpfCnpj")) == document]
        if not rows:
            return None
        contracts = tuple(
            Contract(
                id=str(r.get("contratoId")),
                plan=str(r.get("planointernet") or ""),
                status=_STATUS.get(int(r.get("contratoStatus") or 0), "inactive"),
                phones=tuple(_digits(p) for p in r.get("telefones") or [] if _digits(p)),
            )
            for r in rows
            if r.get("contratoId") is not None
        )
        first = rows[0]
        return Customer(
            id=str(first.get("clienteId")), name=str(first.get("razaoSocial") or ""),
            document=document, contracts=contracts,
        )  # fmt: skip

    def invoices_open(self, *, customer: Customer) -> list[Invoice]:
        # Not idempotent on SGP's side (it may open an occurrence): no retry.
        data = self._post(
            "fatura2via", {"cpfcnpj": customer.document, "nao_gerar_os": "1"}, idempotent=False
        )
        today = clock.today()
        invoices = []
        for row in data.get("links") or []:
            try:
                due = dt.date.fromisoformat(str(row["vencimento"])[:10])
                amount = f"{float(row['valor']):.2f}"
            except (KeyError, ValueError, TypeError) as exc:
                raise ErpFailure("malformed", "fatura do SGP sem vencimento/valor") from exc
            invoices.append(
                Invoice(
                    id=str(row.get("fatura")), contract=str(row.get("contrato") or ""),
                    amount=amount, due=due, digitable_line=str(row.get("linhadigitavel") or ""),
                    pix_code=str(row.get("codigopix") or ""), pdf_url=str(row.get("link") or ""),
                    overdue=due < today,
                )
            )  # fmt: skip
        return invoices

    def trust_unlock(self, *, customer: Customer, contract: Contract) -> UnlockResult:
        data = self._post("liberacaopromessa", {"contrato": contract.id}, idempotent=False)
        ok = data.get("liberado") in (True, 1, "1", "true")
        message = str(data.get("msg") or "")
        if ok and data.get("data_promessa"):
            message = message or f"Liberado até {data['data_promessa']}"
        used = not ok and "utilizada" in message.lower()  # "já utilizada neste mês"
        return UnlockResult(
            ok=ok, message=message, available_on=next_month(clock.today()) if used else None
        )

    def wifi_change(
        self, *, customer: Customer, contract: Contract, ssid: str, password: str
    ) -> ChangeResult:
        data = self._post(
            "cpemanage", {"contrato": contract.id, "novo_ssid": ssid, "nova_senha": password},
            idempotent=False,
        )  # fmt: skip
        message = str(data.get("msg") or data.get("erro") or "")
        if "erro" in data or str(data.get("status", "1")).lower() in ("0", "erro", "false"):
            return ChangeResult(ok=False, message=message)  # SGP's rule, in its words
        return ChangeResult(ok=True, message=message)
