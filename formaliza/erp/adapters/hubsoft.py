"""Hubsoft's integration API (docs: github.com/hubsoftbrasil/api, docs/source/).

- Auth: `POST /oauth/token` with JSON {grant_type: "password", client_id, client_secret,
  username, password} → {access_token, token_type: "Bearer", expires_in}; every call sends
  `Authorization: Bearer <token>`; a missing/invalid token is HTTP 401.
- Customer: `GET /api/v1/integracao/cliente?busca=cpf_cnpj&termo_busca=<digits>&limit=5`
  → {status: "success", msg, clientes: [{id_cliente, nome_razaosocial, cpf_cnpj,
  telefone_primario, servicos: [{id_cliente_servico, nome, status_prefixo, ...}]}]}.
- Invoices: `GET /api/v1/integracao/cliente/financeiro?busca=cpf_cnpj&termo_busca=...&
  apenas_pendente=sim` → {faturas: [{id_fatura, linha_digitavel, valor, data_vencimento
  (dd/mm/aaaa), ...}]}.
- Trust unlock: `POST /api/v1/integracao/cliente/desbloqueio_confianca` with
  {id_cliente_servico, dias_desbloqueio} → {status: "success"|"error", msg}.
Errors come as {status: "error", msg: "..."}.
"""

from __future__ import annotations

import datetime as dt
import re

from formaliza.core import clock
from formaliza.erp.adapters.http import ErpHttp
from formaliza.erp.ports import (
    Action,
    Capabilities,
    Contract,
    Customer,
    ErpFailure,
    Invoice,
    UnlockResult,
)

# status_prefixo values in Hubsoft's service list -> our contract status.
_STATUS = {
    "servico_habilitado": "active",
    "suspenso_debito": "blocked",
    "suspenso_parcialmente": "reduced",
    "bloqueio_temporario": "blocked",
    "cancelado": "cancelled",
    "aguardando_instalacao": "inactive",
}


class HubsoftConnector:
    capabilities = Capabilities(frozenset({Action.INVOICE, Action.TRUST_UNLOCK}))

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        username: str,
        password: str,
        timeout: float = 8.0,
        unlock_days: int = 3,
    ) -> None:
        self.http = ErpHttp(name="Hubsoft", base_url=base_url, timeout=timeout)
        self.base_url = self.http.base_url
        self._credentials = {
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": client_secret,
            "username": username,
            "password": password,
        }
        self.unlock_days = unlock_days
        self._token = ""

    # --- HTTP (pooled client, retries and breaker in ErpHttp) ---------------------------------

    def _authenticate(self) -> str:
        response = self.http.send("POST", "/oauth/token", idempotent=False, json=self._credentials)
        if response.status_code in (400, 401):
            raise ErpFailure("auth", "Hubsoft recusou as credenciais (oauth/token)")
        data = self.http.json(response)
        token = data.get("access_token") if isinstance(data, dict) else None
        if not token:
            raise ErpFailure("malformed", "Hubsoft não devolveu access_token")
        self._token = f"{data.get('token_type') or 'Bearer'} {token}"
        return self._token

    def _call(self, method: str, path: str, **kwargs) -> dict:
        for attempt in range(2):  # a second time only after a 401: the token expired
            token = self._token or self._authenticate()
            response = self.http.send(
                method, path, idempotent=method == "GET",
                headers={"Authorization": token, "Accept": "application/json"}, **kwargs,
            )  # fmt: skip
            if response.status_code == 401:
                self._token = ""
                if attempt:
                    raise ErpFailure("auth", "Hubsoft recusou o token (401)")
                continue
            return self.http.json_object(response)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- the port ---------------------------------------------------------------------------

    def connection_check(self) -> None:
        """The settings page's "testar conexão": a fresh OAuth token (raises on failure)."""
        self._token = ""
        self._authenticate()

    def customer_find(self, *, document: str) -> Customer | None:
        data = self._call(
            "GET", "/api/v1/integracao/cliente",
            params={"busca": "cpf_cnpj", "termo_busca": document, "limit": 5, "cancelado": "nao"},
        )  # fmt: skip
        for row in data.get("clientes") or []:
            if re.sub(r"\D", "", str(row.get("cpf_cnpj", ""))) != document:
                continue
            phones = tuple(
                re.sub(r"\D", "", str(row.get(k) or ""))
                for k in ("telefone_primario", "telefone_secundario", "telefone_terciario")
                if row.get(k)
            )
            contracts = tuple(
                Contract(
                    id=str(s["id_cliente_servico"]),
                    plan=str(s.get("nome") or ""),
                    status=_STATUS.get(str(s.get("status_prefixo")), "inactive"),
                    phones=phones,
                )
                for s in row.get("servicos") or []
                if s.get("id_cliente_servico") is not None
            )
            return Customer(
                id=str(row.get("id_cliente")),
                name=str(row.get("nome_razaosocial") or ""),
                document=document,
                contracts=contracts,
            )
        return None

    def invoices_open(self, *, customer: Customer) -> list[Invoice]:
        data = self._call(
            "GET", "/api/v1/integracao/cliente/financeiro",
            params={"busca": "cpf_cnpj", "termo_busca": customer.document,
                    "apenas_pendente": "sim", "limit": 20},
        )  # fmt: skip
        today = clock.local(clock.now()).date()
        invoices = []
        for row in data.get("faturas") or []:
            try:
                due = dt.date(*reversed([int(p) for p in str(row["data_vencimento"]).split("/")]))
                amount = f"{float(row['valor']):.2f}"
            except (KeyError, ValueError, TypeError) as exc:
                raise ErpFailure("malformed", "fatura do Hubsoft sem vencimento/valor") from exc
            invoices.append(
                Invoice(
                    id=str(row.get("id_fatura")),
                    contract=str(row.get("id_cliente_servico") or ""),
                    amount=amount,
                    due=due,
                    digitable_line=str(row.get("linha_digitavel") or ""),
                    pix_code=str(row.get("pix_copia_cola") or ""),
                    pdf_url=str(row.get("link") or ""),
                    overdue=due < today,
                )
            )
        return invoices

    def trust_unlock(self, *, customer: Customer, contract: Contract) -> UnlockResult:
        data = self._call(
            "POST", "/api/v1/integracao/cliente/desbloqueio_confianca",
            json={"id_cliente_servico": contract.id, "dias_desbloqueio": self.unlock_days},
        )  # fmt: skip
        return UnlockResult(ok=data.get("status") == "success", message=str(data.get("msg", "")))
