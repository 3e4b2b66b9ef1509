"""A fake MK-Solutions web service as a real HTTP server (tests, bench, demo), in MK's wire
format (see adapters/mk.py): every service a GET `/mk/<Servico>.rule?sys=MK0&token=`, the
session token from `WSAutenticacao` (token + contra-senha), errors as HTTP 200 {status:
"ERRO", mensagem}; the auto unlock refused when used this month."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from formaliza.core import clock
from formaliza.erp.fake.server import FakeServer, Request


def _error(message: str) -> dict:
    return {"status": "ERRO", "mensagem": message}


@dataclass
class FakeMk(FakeServer):
    token: str = "641c07fb-mk-token-usuario"  # noqa: S105 -- the fake's own test value
    password: str = "contra-senha-8"  # noqa: S105 -- the fake's own test value
    pessoas: list[dict] = field(default_factory=list)  # with "CPF_CNPJ" (digits)
    conexoes: list[dict] = field(default_factory=list)  # with "cd_cliente"
    faturas: list[dict] = field(default_factory=list)  # with "cd_cliente", "ld", "pix", "link"
    unlocked_on: dict[str, dt.date] = field(default_factory=dict)
    today: dt.date | None = None
    _sessions: set[str] = field(default_factory=set)

    def route(self, request: Request):
        q = request.query
        if request.method != "GET" or q.get("sys") != "MK0":
            return 200, _error("Parâmetro sys inválido")
        service = request.path.removeprefix("/mk/").removesuffix(".rule")
        if service == "WSAutenticacao":
            if q.get("token") != self.token or q.get("password") != self.password:
                return 200, _error("Token ou contra-senha inválidos")
            session = secrets.token_hex(16)
            self._sessions.add(session)
            expire = (clock.local(clock.now()) + dt.timedelta(days=2)).strftime("%d/%m/%Y %H:%M:%S")
            return 200, {"Token": session, "Expire": expire, "status": "OK",
                         "ServicosAutorizados": ["9999"]}  # fmt: skip
        if q.get("token") not in self._sessions:
            return 200, _error("Token inválido ou expirado")
        handler = getattr(self, f"_{service}", None)
        if handler is None:
            return 404, _error("Serviço não encontrado")
        return 200, handler(q)

    def _fatura(self, code: str) -> dict | None:
        return next((f for f in self.faturas if str(f["codfatura"]) == code), None)

    def _WSMKConsultaDoc(self, q):  # noqa: N802 -- MK's service name
        found = [p for p in self.pessoas if p["CPF_CNPJ"] == q.get("doc")]
        if not found:
            return _error("Cliente não encontrado")
        first = {k: v for k, v in found[0].items() if k != "CPF_CNPJ"}
        return {**first, "status": "OK", "Outros": found[1:]}

    def _WSMKConexoesPorCliente(self, q):  # noqa: N802
        rows = [c for c in self.conexoes if str(c["cd_cliente"]) == q.get("cd_cliente")]
        return {"Conexoes": rows, "status": "OK"}

    def _WSMKFaturasPendentes(self, q):  # noqa: N802
        rows = [
            {"codfatura": f["codfatura"], "descricao": f.get("descricao", "Mensalidade"),
             "data_vencimento": f["data_vencimento"], "valor_total": f["valor_total"]}
            for f in self.faturas if str(f["cd_cliente"]) == q.get("cd_cliente")
        ]  # fmt: skip
        return {"FaturasPendentes": rows, "status": "OK"}

    def _WSMKSegundaViaCobranca(self, q):  # noqa: N802
        f = self._fatura(q.get("cd_fatura", ""))
        if f is None:
            return _error("Fatura não encontrada")
        valor = f"{f['valor_total']:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        return {"CodigoPessoa": f["cd_cliente"], "Fatura": f["codfatura"], "status": "OK",
                "PathDownload": f.get("link", ""), "Valor": valor, "Vcto": f["data_vencimento"]}  # fmt: skip

    def _WSMKLDViaSMS(self, q):  # noqa: N802
        f = self._fatura(q.get("cd_fatura", ""))
        return _error("Fatura não encontrada") if f is None else {
            "DadosFatura": [{"ld": f.get("ld", "")}], "status": "OK"}  # fmt: skip

    def _WSMKRetornarCopieColaPix(self, q):  # noqa: N802
        f = self._fatura(q.get("CodigoFatura", ""))
        if f is None or not f.get("pix"):
            return {"codigo_erro": 12, "mensagem": "Conta sem PIX habilitado", "status": "ERRO"}
        return {"codpessoa": f["cd_cliente"], "texto_qrcode": f["pix"], "status": "OK"}

    def _WSMKAutoDesbloqueio(self, q):  # noqa: N802
        code = q.get("cd_conexao", "")
        conn = next((c for c in self.conexoes if str(c["codconexao"]) == code), None)
        if conn is None or conn.get("bloqueada") != "Sim":
            return _error("Status na conexão incompatível para auto-desbloqueio.")
        today, last = self.today or clock.today(), self.unlocked_on.get(code)
        if last and (last.year, last.month) == (today.year, today.month):
            return _error("Operação indisponível para esta conexão.")
        self.unlocked_on[code] = today
        conn["bloqueada"] = "Não"
        return {"status": "OK", "CodigoPessoa": conn["cd_cliente"], "AcessoSAC": "S"}
