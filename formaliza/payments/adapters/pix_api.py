"""The Banco Central's Pix API (v2) as spoken by a PSP: OAuth2 client credentials, `cob` and
`cobv` by txid, the webhook of a key, and the `pix` callback (docs/payments.md)."""

from __future__ import annotations

import datetime as dt
import hmac
import json
import ssl
import threading
import time
from decimal import Decimal, InvalidOperation

import httpx
from django.conf import settings

from formaliza.core.crypto import hmac_matches
from formaliza.payments.ports import (
    ChargeCreated,
    ChargeRequest,
    ChargeState,
    PixReceived,
    ProviderError,
    WebhookRequest,
)

SIGNATURE_HEADER = "x-pix-signature"  # "sha256=<hex HMAC-SHA256 of the body>"
SCOPES = "cob.write cob.read cobv.write cobv.read pix.read webhook.write webhook.read"
_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def _tls() -> ssl.SSLContext | bool:
    """The client certificate of the mTLS the Pix API requires (PAYMENT_PIX_CLIENT_CERT/KEY)."""
    cert = settings.PAYMENT_PIX_CLIENT_CERT
    if not cert:
        return True
    context = ssl.create_default_context()
    context.load_cert_chain(cert, settings.PAYMENT_PIX_CLIENT_KEY or None)
    return context


def pix_parse(item: dict) -> PixReceived:
    try:
        amount = Decimal(item["valor"])
        paid_at = dt.datetime.fromisoformat(item["horario"].replace("Z", "+00:00"))
        e2e = str(item["endToEndId"])
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise ValueError(f"Pix inválido: {exc}") from exc
    if paid_at.tzinfo is None or not 1 <= len(e2e) <= 32:
        raise ValueError("Pix inválido: horário sem fuso ou endToEndId fora do formato")
    return PixReceived(e2e, str(item.get("txid") or ""), amount, paid_at, item)


class PixApiProvider:
    def __init__(self, account):
        self.account = account
        self.base = account.api_url.rstrip("/")

    # --- OAuth2 ------------------------------------------------------------------------------
    def _token(self) -> str:
        key = (self.account.token_url, self.account.client_id)
        with _tokens_lock:
            found = _tokens.get(key)
            if found and found[1] > time.monotonic() + 30:
                return found[0]
        try:
            response = httpx.post(
                self.account.token_url,
                data={"grant_type": "client_credentials", "scope": SCOPES},
                auth=(self.account.client_id, self.account.client_secret),
                timeout=settings.PAYMENT_HTTP_TIMEOUT_SECONDS,
                verify=_tls(),
            )
        except httpx.HTTPError as exc:
            raise ProviderError(f"token: {exc}", retryable=True) from exc
        if response.status_code != 200:
            raise ProviderError(
                f"token recusado ({response.status_code})", status=response.status_code
            )
        data = response.json()
        with _tokens_lock:
            _tokens[key] = (
                data["access_token"],
                time.monotonic() + int(data.get("expires_in", 300)),
            )
        return data["access_token"]

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        try:
            response = httpx.request(
                method, f"{self.base}{path}", json=body,
                headers={"Authorization": f"Bearer {self._token()}"},
                timeout=settings.PAYMENT_HTTP_TIMEOUT_SECONDS, verify=_tls(),
            )  # fmt: skip
        except httpx.HTTPError as exc:
            raise ProviderError(f"{method} {path}: {exc}", retryable=True) from exc
        if response.status_code >= 400:
            try:  # RFC 7807 problem: type, title, status, detail, violacoes
                problem = response.json()
                message = f"{problem.get('title', '')}: {problem.get('detail', '')}"
            except ValueError:
                message = response.text[:200]
            raise ProviderError(
                message, status=response.status_code, retryable=response.status_code >= 500
            )
        return response.json() if response.content else {}

    # --- charges -----------------------------------------------------------------------------
    def charge_create(self, request: ChargeRequest) -> ChargeCreated:
        body: dict = {
            "valor": {"original": f"{request.amount:.2f}"},
            "chave": self.account.chave,
        }
        if request.payer_document:
            doc = "cpf" if len(request.payer_document) == 11 else "cnpj"
            body["devedor"] = {doc: request.payer_document, "nome": request.payer_name[:200]}
        if request.description:
            body["solicitacaoPagador"] = request.description[:140]
        if request.due_date is None:
            body["calendario"] = {"expiracao": request.expiration_seconds}
            data = self._call("PUT", f"/cob/{request.txid}", body)
        else:
            body["calendario"] = {
                "dataDeVencimento": request.due_date.isoformat(),
                "validadeAposVencimento": max(1, request.expiration_seconds // 86400),
            }
            data = self._call("PUT", f"/cobv/{request.txid}", body)
        return ChargeCreated(
            txid=data["txid"],
            status=data["status"],
            revisao=int(data.get("revisao", 0)),
            location=data.get("location") or data.get("loc", {}).get("location", ""),
            copia_e_cola=data.get("pixCopiaECola", ""),
        )

    def charge_get(self, txid: str, *, kind: str = "cob") -> ChargeState:
        data = self._call("GET", f"/{'cobv' if kind == 'cobv' else 'cob'}/{txid}")
        return ChargeState(
            txid=data["txid"],
            status=data["status"],
            amount=Decimal(data["valor"]["original"]),
            pix=tuple(pix_parse(item) for item in data.get("pix", [])),
        )

    # --- webhook -----------------------------------------------------------------------------
    def webhook_register(self, url: str) -> None:
        self._call("PUT", f"/webhook/{self.account.chave}", {"webhookUrl": url})

    def webhook_verify(self, request: WebhookRequest) -> bool:
        """The Pix API authenticates the PSP's callback with mTLS; where a proxy terminates it,
        it passes the verdict in PAYMENT_PIX_MTLS_HEADER ("SUCCESS"). On top, the account's
        secret: an HMAC-SHA256 of the body, or the secret in the registered URL's `hmac`."""
        mtls_header = settings.PAYMENT_PIX_MTLS_HEADER.lower()
        if mtls_header and request.headers.get(mtls_header, "") != "SUCCESS":
            return False
        secret = self.account.webhook_secret
        if self.account.webhook_auth == "url_secret":
            return hmac.compare_digest(request.query.get("hmac", ""), secret)
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature.startswith("sha256="):
            return False
        return hmac_matches(secret, request.body, signature.removeprefix("sha256="))

    def webhook_parse(self, body: bytes) -> list[PixReceived]:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("pix"), list):
            raise ValueError("corpo sem a lista `pix`")
        return [pix_parse(item) for item in data["pix"] if isinstance(item, dict)]
