"""A fake PSP speaking the Banco Central's Pix API (v2), as a real HTTP server.

`POST /oauth/token` (client credentials, HTTP Basic), `PUT|GET /cob/{txid}`,
`PUT|GET /cobv/{txid}`, `PUT|GET /webhook/{chave}`, `GET /qr/v2/{id}` (the payload location),
answering errors as the API's RFC 7807 problems. It also plays the payer: `POST /_fake/pay/{txid}`
(JSON `{"valor": "…"}` optional, to pay another amount) or the page `GET|POST /_fake/pagar/{txid}`
pays the charge and posts `{"pix": [...]}` to the key's `webhookUrl + "/pix"`, signed with the
account's secret (header `X-Pix-Signature: sha256=<HMAC-SHA256 of the body>`).

Deliveries go over HTTP (`manage.py fake_pix_psp`, started by `manage.py serve`) or are
collected for a test to hand to the Django test client (`mode="collect"`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import html
import json
import logging
import re
import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx

from formaliza.payments.brcode import brcode_dynamic
from formaliza.payments.models import PixAccount
from formaliza.payments.selectors import webhook_url

logger = logging.getLogger(__name__)
TXID = re.compile(r"^[a-zA-Z0-9]{26,35}$")
VALOR = re.compile(r"^\d{1,10}\.\d{2}$")
ISPB = "99999008"  # a made-up participant


@dataclass
class Key:
    """A Pix key registered at this PSP, its receiver and the secret its webhook is signed with."""

    chave: str
    name: str = "Recebedor Teste"
    city: str = "SAO PAULO"
    secret: str = ""
    webhook_url: str = ""
    client_id: str = ""
    client_secret: str = ""


@dataclass
class Delivery:
    url: str
    body: bytes
    headers: dict = field(default_factory=dict)


class Problem(Exception):
    def __init__(self, status: int, kind: str, title: str, detail: str, violacoes=None):
        super().__init__(detail)
        self.status = status
        self.payload = {
            "type": f"https://pix.bcb.gov.br/api/v2/error/{kind}",
            "title": title, "status": status, "detail": detail,
        }  # fmt: skip
        if violacoes:
            self.payload["violacoes"] = violacoes


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def end_to_end_id() -> str:
    """E + ISPB (8) + yyyyMMddHHmm + 11 alphanumerics = 32 characters."""
    tail = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(11))
    return f"E{ISPB}{_now():%Y%m%d%H%M}{tail}"


class FakePixPsp:
    def __init__(
        self, *, mode: str = "http", loader: Callable[[FakePixPsp, str], None] | None = None
    ):
        self.mode = mode
        self.loader = loader  # called with a client_id or chave this fake does not know yet
        self.url = ""
        self.keys: dict[str, Key] = {}
        self.tokens: dict[str, str] = {}  # access token → client_id
        self.charges: dict[str, dict] = {}  # txid → the CobCompleta / CobVCompleta
        self.locations: dict[str, str] = {}  # location id → txid
        self.collected: list[Delivery] = []
        self.delivered: list[tuple[Delivery, int]] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    def key_register(self, key: Key) -> None:
        with self._lock:
            self.keys[key.chave] = key

    def _key_by_client(self, client_id: str) -> Key | None:
        for _ in range(2):
            for key in self.keys.values():
                if key.client_id == client_id:
                    return key
            if self.loader is None:
                return None
            self.loader(self, client_id)
        return None

    # --- API ---------------------------------------------------------------------------------
    def token(self, headers: dict, body: bytes) -> dict:
        auth = headers.get("authorization", "")
        try:
            client_id, _, client_secret = (
                base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
            )
        except ValueError:
            client_id = client_secret = ""
        form = parse_qs(body.decode())
        key = self._key_by_client(client_id)
        if (
            form.get("grant_type") != ["client_credentials"]
            or key is None
            or not hmac.compare_digest(key.client_secret, client_secret)
        ):
            raise Problem(401, "AcessoNegado", "Acesso negado", "Credenciais inválidas.")
        access = secrets.token_urlsafe(24)
        self.tokens[access] = client_id
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": form.get("scope", [""])[0],
        }

    def _authorized(self, headers: dict) -> Key:
        client_id = self.tokens.get(headers.get("authorization", "").removeprefix("Bearer "))
        key = self._key_by_client(client_id) if client_id else None
        if key is None:
            raise Problem(403, "AcessoNegado", "Acesso negado", "Token ausente ou inválido.")
        return key

    def charge_put(self, kind: str, txid: str, headers: dict, body: bytes) -> dict:
        key = self._authorized(headers)
        if not TXID.match(txid):
            raise Problem(
                400,
                "CobOperacaoInvalida",
                "Cobrança inválida.",
                "O txid deve ter de 26 a 35 caracteres [a-zA-Z0-9].",
            )
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise Problem(
                400, "CobOperacaoInvalida", "Cobrança inválida.", "JSON inválido."
            ) from exc
        violations = []
        original = str((data.get("valor") or {}).get("original", ""))
        if not VALOR.match(original) or Decimal(original) <= 0:
            violations.append(
                {"razao": "valor.original inválido", "propriedade": "cob.valor.original"}
            )
        if data.get("chave") != key.chave:
            violations.append(
                {"razao": "a chave não pertence ao usuário recebedor", "propriedade": "cob.chave"}
            )
        calendario = data.get("calendario") or {}
        if kind == "cobv" and "dataDeVencimento" not in calendario:
            violations.append(
                {
                    "razao": "dataDeVencimento é obrigatório",
                    "propriedade": "cobv.calendario.dataDeVencimento",
                }
            )
        if violations:
            raise Problem(
                400,
                "CobOperacaoInvalida",
                "Cobrança inválida.",
                "A requisição que busca alterar ou criar uma cobrança não respeita o schema.",
                violations,
            )
        with self._lock:
            if txid in self.charges:
                raise Problem(
                    400,
                    "CobOperacaoInvalida",
                    "Cobrança inválida.",
                    f"Já existe cobrança com o txid {txid}.",
                )
            loc_id = secrets.token_hex(16)
            location = (
                f"{urlsplit(self.url).netloc}/qr/v2/{'cobv/' if kind == 'cobv' else ''}{loc_id}"
            )
            charge = {
                "calendario": {"criacao": _iso(_now()), **calendario},
                "txid": txid, "revisao": 0,
                "loc": {"id": len(self.locations) + 1, "location": location, "tipoCob": kind, "criacao": _iso(_now())},
                "location": location, "status": "ATIVA",
                **({"devedor": data["devedor"]} if data.get("devedor") else {}),
                "valor": data["valor"], "chave": key.chave,
                **({"solicitacaoPagador": data["solicitacaoPagador"]} if data.get("solicitacaoPagador") else {}),
                "pixCopiaECola": brcode_dynamic(location=location, name=key.name, city=key.city),
            }  # fmt: skip
            if kind == "cob":
                charge["calendario"].setdefault("expiracao", 86400)
            self.charges[txid] = charge
            self.locations[loc_id] = txid
            return charge

    def charge_get(self, txid: str, headers: dict) -> dict:
        self._authorized(headers)
        found = self.charges.get(txid)
        if found is None:
            raise Problem(
                404, "NaoEncontrado", "Não encontrado", f"Cobrança {txid} não encontrada."
            )
        return found

    def webhook_put(self, chave: str, headers: dict, body: bytes) -> dict:
        key = self._authorized(headers)
        if key.chave != chave:
            raise Problem(
                400,
                "WebhookOperacaoInvalida",
                "Webhook inválido.",
                "A chave não pertence ao usuário recebedor.",
            )
        url = (json.loads(body or b"{}") or {}).get("webhookUrl", "")
        if not url.startswith(("http://", "https://")):
            raise Problem(
                400, "WebhookOperacaoInvalida", "Webhook inválido.", "webhookUrl inválida."
            )
        key.webhook_url = url
        return {"webhookUrl": url, "chave": chave, "criacao": _iso(_now())}

    # --- the payer ---------------------------------------------------------------------------
    def expired(self, charge: dict) -> bool:
        calendario = charge["calendario"]
        if "expiracao" in calendario:
            created = dt.datetime.fromisoformat(calendario["criacao"].replace("Z", "+00:00"))
            return _now() > created + dt.timedelta(seconds=int(calendario["expiracao"]))
        due = dt.date.fromisoformat(calendario["dataDeVencimento"])
        return _now().date() > due + dt.timedelta(
            days=int(calendario.get("validadeAposVencimento", 30))
        )

    def pay(self, txid: str, valor: str | None = None) -> dict:
        """Pay the charge (its amount, or `valor`) and notify the key's webhook."""
        with self._lock:
            charge = self.charges.get(txid)
            if charge is None:
                raise Problem(404, "NaoEncontrado", "Não encontrado", "Cobrança não encontrada.")
            if charge["status"] != "ATIVA":
                raise Problem(
                    409,
                    "CobOperacaoInvalida",
                    "Cobrança não está ativa.",
                    "Esta cobrança já foi paga ou removida.",
                )
            if self.expired(charge):
                raise Problem(
                    409,
                    "CobOperacaoInvalida",
                    "Cobrança expirada.",
                    "O prazo desta cobrança acabou.",
                )
            amount = valor or charge["valor"]["original"]
            try:
                amount = f"{Decimal(amount):.2f}"
            except InvalidOperation as exc:
                raise Problem(
                    400, "PixOperacaoInvalida", "Valor inválido.", "valor inválido"
                ) from exc
            pix = {
                "endToEndId": end_to_end_id(), "txid": txid, "valor": amount,
                "chave": charge["chave"], "horario": _iso(_now()),
                "infoPagador": "pagamento de teste",
                "componentesValor": {"original": {"valor": amount}},
            }  # fmt: skip
            if amount == charge["valor"]["original"]:
                charge["status"] = "CONCLUIDA"
            charge.setdefault("pix", []).append(pix)
            self.notify(charge["chave"], [pix])
            return pix

    def delivery_for(self, chave: str, pix: list[dict]) -> Delivery | None:
        key = self.keys.get(chave)
        if key is None or not key.webhook_url:
            return None
        body = json.dumps({"pix": pix}, separators=(",", ":")).encode()
        signature = hmac.new(key.secret.encode(), body, hashlib.sha256).hexdigest()
        base, _, query = key.webhook_url.partition("?")
        url = f"{base.rstrip('/')}/pix" + (f"?{query}" if query else "")
        if "ignorar=" in query:  # the "?ignorar=" trick: the PSP's "/pix" lands in the query
            url = key.webhook_url + "/pix"
        return Delivery(
            url,
            body,
            {"Content-Type": "application/json", "X-Pix-Signature": f"sha256={signature}"},
        )

    def notify(self, chave: str, pix: list[dict]) -> None:
        delivery = self.delivery_for(chave, pix)
        if delivery is None:
            return
        if self.mode == "collect":
            self.collected.append(delivery)
            return
        threading.Thread(target=self._post, args=(delivery,), daemon=True).start()

    def _post(self, delivery: Delivery) -> None:
        for _attempt in range(3):
            try:
                response = httpx.post(
                    delivery.url, content=delivery.body, headers=delivery.headers, timeout=10
                )
                self.delivered.append((delivery, response.status_code))
                if response.status_code < 500:
                    return
            except httpx.HTTPError as exc:
                logger.warning("fake PSP webhook to %s failed: %s", delivery.url, exc)

    # --- HTTP --------------------------------------------------------------------------------
    def route(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, bytes, str]:
        try:
            status, payload = self._dispatch(method, urlsplit(path).path, headers, body)
        except Problem as problem:
            status, payload = problem.status, problem.payload
            return (
                status,
                json.dumps(payload, ensure_ascii=False).encode(),
                "application/problem+json",
            )
        if isinstance(payload, str):
            return status, payload.encode(), "text/html; charset=utf-8"
        return status, json.dumps(payload, ensure_ascii=False).encode(), "application/json"

    def _dispatch(self, method, path, headers, body):
        if path == "/oauth/token" and method == "POST":
            return 200, self.token(headers, body)
        charge = re.match(r"^/(cob|cobv)/([^/]+)$", path)
        if charge and method == "PUT":
            return 201, self.charge_put(charge.group(1), charge.group(2), headers, body)
        if charge and method == "GET":
            return 200, self.charge_get(charge.group(2), headers)
        webhook = re.match(r"^/webhook/([^/]+)$", path)
        if webhook and method == "PUT":
            return 200, self.webhook_put(webhook.group(1), headers, body)
        location = re.match(r"^/qr/v2/(?:cobv/)?([0-9a-f]+)$", path)
        if location and method == "GET" and location.group(1) in self.locations:
            return 200, self.charges[self.locations[location.group(1)]]
        pay = re.match(r"^/_fake/pay/([^/]+)$", path)
        if pay and method == "POST":
            return 200, self.pay(pay.group(1), (json.loads(body or b"{}") or {}).get("valor"))
        page = re.match(r"^/_fake/pagar/([^/]+)$", path)
        if page:
            return 200, self._page(page.group(1), paid=method == "POST")
        if path == "/_fake/health":
            return 200, {"ok": True, "charges": len(self.charges)}
        raise Problem(404, "NaoEncontrado", "Não encontrado", "Caminho ou método desconhecido.")

    def _page(self, txid: str, *, paid: bool) -> str:
        charge = self.charges.get(txid)
        message = ""
        if paid:
            try:
                self.pay(txid)
                message = "<p id='resultado'>Pagamento enviado. Pode voltar à página do caso.</p>"
            except Problem as problem:
                message = f"<p id='resultado'>{html.escape(problem.payload['detail'])}</p>"
        if charge is None:
            return "<!doctype html><title>PSP de teste</title><p>Cobrança não encontrada.</p>"
        button = (
            "<form method='post'><button type='submit'>Pagar com Pix</button></form>"
            if charge["status"] == "ATIVA" else "<p>Cobrança paga.</p>"
        )  # fmt: skip
        return (
            "<!doctype html><meta name='viewport' content='width=device-width'>"
            "<title>PSP de teste — pagar Pix</title><h1>Banco de teste</h1>"
            f"<p>Cobrança {html.escape(txid)}: R$ {html.escape(charge['valor']['original'])}</p>"
            f"{message}{button}"
        )

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        psp = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload, content_type = psp.route(self.command, self.path, headers, body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = _handle  # noqa: N815

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_port}"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def key_of(account) -> Key:
    """The fake's record of one of our PixAccounts (same key, credentials and secret)."""
    return Key(
        chave=account.chave, name=account.merchant_name, city=account.merchant_city,
        secret=account.webhook_secret, webhook_url=webhook_url(account),
        client_id=account.client_id, client_secret=account.client_secret,
    )  # fmt: skip


def database_loader(psp: FakePixPsp, client_id: str) -> None:
    for account in PixAccount.objects.filter(client_id=client_id, provider="pix_api"):
        psp.key_register(key_of(account))
