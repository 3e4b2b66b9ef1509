"""MK-Solutions (MK30) web services (mkloud.atlassian.net/wiki/spaces/MK30 "APIs gerais"; see
docs/erp.md for the sources). Every service is `GET /mk/<Servico>.rule?sys=MK0&token=...`.

- Auth: `WSAutenticacao.rule?token=<token do usuário>&password=<contra-senha do perfil de
  webservice>&cd_servico=9999` → {Token, Expire (dd/mm/aaaa hh:mm:ss), status: "OK"}; the
  session `Token` goes in `token=` of the other calls until it expires.
- Errors come as HTTP 200 {status: "ERRO", mensagem, codigo_erro?}.
- Customer: `WSMKConsultaDoc.rule?doc=<dígitos>` → {CodigoPessoa, Nome, Fone, Situacao,
  status, Outros: [...]} (Outros: other registrations with the same document).
- Connections (our contracts: the unlock acts on a connection):
  `WSMKConexoesPorCliente.rule?cd_cliente=` → {Conexoes: [{codconexao, contrato, bloqueada:
  "Sim"|"Não", ...}]}.
- Invoices: `WSMKFaturasPendentes.rule?cd_cliente=` → {FaturasPendentes: [{codfatura,
  data_vencimento (dd/mm/aaaa), valor_total}]}; per invoice `WSMKSegundaViaCobranca.rule?
  cd_fatura=` → {PathDownload, Valor ("1.234,56"), Vcto}, `WSMKLDViaSMS.rule?cd_fatura=` →
  {DadosFatura: [{ld}]} (linha digitável), `WSMKRetornarCopieColaPix.rule?CodigoFatura=` →
  {texto_qrcode} (or ERRO without Pix).
- Trust unlock: `WSMKAutoDesbloqueio.rule?cd_conexao=` → {status: "OK"} or {status: "ERRO",
  mensagem: "Operação indisponível para esta conexão."} (already used this month).
"""

from __future__ import annotations

import datetime as dt
import re
import threading

from formaliza.core import clock
from formaliza.erp.adapters.http import ErpHttp
from formaliza.erp.ports import (
    Action,
    Capabilities,
    Contract,
    Customer,
    Diagnosis,
    ErpFailure,
    Invoice,
    UnlockResult,
    next_month,
)

MAX_INVOICES = 5  # three calls each: a chat lists a few, not the whole history


def _br_date(value) -> dt.date:
    day, month, year = (int(p) for p in str(value)[:10].split("/"))
    return dt.date(year, month, day)


def _br_amount(value) -> str:
    text = str(value).strip()
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return f"{float(text):.2f}"


class MkConnector:
    capabilities = Capabilities(frozenset({Action.INVOICE, Action.TRUST_UNLOCK, Action.DIAGNOSIS}))

    def __init__(self, *, base_url: str, token: str, password: str, timeout: float = 8.0) -> None:
        self.http = ErpHttp(name="MK-Solutions", base_url=base_url.removesuffix("/mk"),
                            timeout=timeout)  # fmt: skip
        self.base_url = self.http.base_url
        self._master = {"token": token, "password": password}
        self._session = ""
        self._expires: dt.datetime | None = None
        self._lock = threading.Lock()

    # --- HTTP -------------------------------------------------------------------------------

    def _authenticate(self) -> str:
        response = self.http.send(
            "GET", "/mk/WSAutenticacao.rule", idempotent=True,
            params={"sys": "MK0", **self._master, "cd_servico": "9999"},
        )  # fmt: skip
        data = self.http.json_object(response)
        token = data.get("Token") or data.get("tokenRetornoAutenticacao")
        if data.get("status") == "ERRO" or not token:
            raise ErpFailure("auth", f"MK recusou token/contra-senha: {data.get('mensagem', '')}")
        self._session = str(token)
        try:
            self._expires = dt.datetime.strptime(
                f"{data.get('Expire')} -0300", "%d/%m/%Y %H:%M:%S %z"
            )  # MK's clock is Brasília time
        except ValueError:
            self._expires = None
        return self._session

    def _token(self) -> str:
        with self._lock:
            if self._session and (self._expires is None or clock.now() < self._expires):
                return self._session
            return self._authenticate()

    def _get(self, service: str, **params) -> dict:
        for _attempt in range(2):
            response = self.http.send(
                "GET", f"/mk/{service}.rule", idempotent=True,
                params={"sys": "MK0", "token": self._token(), **params},
            )  # fmt: skip
            data = self.http.json_object(response)
            expired = data.get("status") == "ERRO" and "token" in str(data.get("mensagem")).lower()
            if not expired:
                return data
            with self._lock:
                self._session = ""  # the session expired before `Expire`: one new session
        raise ErpFailure("auth", "MK recusou a sessão (token)")

    # --- the port ---------------------------------------------------------------------------

    def connection_check(self) -> None:
        """The settings page's "testar conexão": a new `WSAutenticacao` session."""
        with self._lock:
            self._session = ""
            self._authenticate()

    def customer_find(self, *, document: str) -> Customer | None:
        data = self._get("WSMKConsultaDoc", doc=document)
        if data.get("status") != "OK" or not data.get("CodigoPessoa"):
            return None  # MK answers ERRO ("não encontrado") for an unknown document
        code = str(data["CodigoPessoa"])
        phones = tuple(p for p in [re.sub(r"\D", "", str(data.get("Fone") or ""))] if p)
        connections = self._get("WSMKConexoesPorCliente", cd_cliente=code).get("Conexoes") or []
        contracts = tuple(
            Contract(
                id=str(c.get("codconexao")),
                plan=str(c.get("plano") or c.get("contrato") or ""),
                status="blocked" if str(c.get("bloqueada")).lower() == "sim" else "active",
                phones=phones,
            )
            for c in connections
            if c.get("codconexao") is not None
        )
        return Customer(id=code, name=str(data.get("Nome") or ""), document=document,
                        contracts=contracts)  # fmt: skip

    def invoices_open(self, *, customer: Customer) -> list[Invoice]:
        rows = self._get("WSMKFaturasPendentes", cd_cliente=customer.id).get("FaturasPendentes")
        today = clock.today()
        invoices = []
        for row in sorted(rows or [], key=lambda r: str(r.get("codfatura")))[:MAX_INVOICES]:
            code = str(row.get("codfatura"))
            copy = self._get("WSMKSegundaViaCobranca", cd_fatura=code)
            try:
                due = _br_date(copy.get("Vcto") or row["data_vencimento"])
                amount = _br_amount(copy.get("Valor") or row["valor_total"])
            except (KeyError, ValueError, TypeError) as exc:
                raise ErpFailure("malformed", "fatura do MK sem vencimento/valor") from exc
            lines = self._get("WSMKLDViaSMS", cd_fatura=code).get("DadosFatura") or [{}]
            pix = self._get("WSMKRetornarCopieColaPix", CodigoFatura=code)
            invoices.append(
                Invoice(
                    id=code, contract="", amount=amount, due=due,
                    digitable_line=str(lines[0].get("ld") or ""),
                    pix_code=str(pix.get("texto_qrcode") or ""),
                    pdf_url=str(copy.get("PathDownload") or ""), overdue=due < today,
                )
            )  # fmt: skip
        return invoices

    def trust_unlock(self, *, customer: Customer, contract: Contract) -> UnlockResult:
        # A GET in MK's API, but an action: sent once (ErpHttp retries GETs only if told).
        response = self.http.send(
            "GET", "/mk/WSMKAutoDesbloqueio.rule", idempotent=False,
            params={"sys": "MK0", "token": self._token(), "cd_conexao": contract.id},
        )  # fmt: skip
        data = self.http.json_object(response)
        ok, message = data.get("status") == "OK", str(data.get("mensagem") or "")
        # MK's documented refusal for a connection that used its unlock this month.
        used = not ok and "indisponível" in message.lower()
        return UnlockResult(
            ok=ok, message=message, available_on=next_month(clock.today()) if used else None
        )

    def connection_diagnosis(self, *, customer: Customer, contract: Contract) -> Diagnosis:
        # MK's connection list says blocked or not, not online: the status is all we tell.
        return Diagnosis(online=None, detail="bloqueada" if contract.status == "blocked" else "")
