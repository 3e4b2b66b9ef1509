"""Twilio Messages API adapter (WhatsApp through `whatsapp:+E164` addresses, or SMS).

Sends are `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form-encoded, HTTP Basic with
the Account SID and Auth Token): `Body`, or an approved template as `ContentSid` +
`ContentVariables`, with our webhook as `StatusCallback`. Webhooks are form-encoded and signed
with `X-Twilio-Signature`: base64 HMAC-SHA1 of the full URL followed by every parameter name and
value in name order, keyed by the Auth Token.

Not covered by this adapter: free-form buttons and lists (Twilio needs Content API templates for
them — choices go as numbered text) and media sends (Twilio fetches media from a public URL).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings

from formaliza.conversations.adapters import http
from formaliza.conversations.content import Media, NumberedChoices, TemplateMessage, Text
from formaliza.conversations.errors import is_retryable
from formaliza.conversations.ports import (
    ChannelConfig,
    FetchedMedia,
    InboundMedia,
    InboundMessage,
    OutboundRequest,
    ProviderError,
    RemoteTemplate,
    SendResult,
    StatusUpdate,
    WebhookItem,
    WebhookRejected,
)

SIGNATURE_HEADER = "X-Twilio-Signature"
STATUS_MAP = {"sent": "sent", "delivered": "delivered", "read": "read",
              "undelivered": "failed", "failed": "failed"}  # fmt: skip
MEDIA_KINDS = {"image/": "image", "audio/": "audio", "video/": "video"}


def signature(*, auth_token: str, url: str, params: Mapping[str, str]) -> str:
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _params(body: bytes) -> dict[str, str]:
    try:
        return dict(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError as exc:
        raise WebhookRejected("body is not form-encoded text") from exc


def _bare(address: str) -> str:
    return address.removeprefix("whatsapp:").lstrip("+")


class TwilioProvider:
    def __init__(self, config: ChannelConfig):
        self.config = config
        self.base = (config.api_base_url or settings.TWILIO_API_URL).rstrip("/")

    def _auth(self) -> tuple[str, str]:
        return (self.config.account_id, self.config.access_token)

    def _address(self, number: str) -> str:
        e164 = "+" + number.lstrip("+")
        return f"whatsapp:{e164}" if self.config.kind == "whatsapp" else e164

    # --- inbound ----------------------------------------------------------------------------
    def verify_request(self, *, body: bytes, headers: Mapping[str, str], url: str) -> bool:
        presented = headers.get(SIGNATURE_HEADER, "")
        if not presented or not self.config.access_token:
            return False
        try:
            params = _params(body)
        except WebhookRejected:
            return False
        # Behind a proxy the URL Twilio called is our public one, not what the server saw.
        for candidate in {url, self.config.webhook_url} - {""}:
            expected = signature(auth_token=self.config.access_token, url=candidate, params=params)
            if hmac.compare_digest(expected.encode(), presented.encode()):
                return True
        return False

    def handshake(self, *, query: Mapping[str, str]) -> str | None:
        return None

    def parse_webhook(self, *, body: bytes) -> list[WebhookItem]:
        form = _params(body)
        if not form.get("MessageSid"):
            raise WebhookRejected("not a Twilio messaging webhook")
        now = dt.datetime.now(tz=dt.UTC)
        status = form.get("MessageStatus", "")
        if form.get("SmsStatus") != "received" and status:
            mapped = STATUS_MAP.get(status)
            if mapped is None:
                return []  # queued, sending, accepted: nothing a person needs
            code = form.get("ErrorCode", "")
            return [
                StatusUpdate(
                    provider_message_id=form["MessageSid"], status=mapped, timestamp=now,
                    channel_address=_bare(form.get("From", "")), recipient=_bare(form.get("To", "")),
                    error_code=f"twilio_{code}" if code else ("not_delivered" if mapped == "failed" else ""),
                    error_title=form.get("ErrorMessage", "")[:300],
                )
            ]  # fmt: skip
        return [self._inbound(form, now)]

    def _inbound(self, form: dict[str, str], now: dt.datetime) -> InboundMessage:
        base = {
            "provider_message_id": form["MessageSid"],
            "sender": form.get("WaId") or _bare(form.get("From", "")),
            "timestamp": now,
            "channel_address": _bare(form.get("To", "")),
            "profile_name": form.get("ProfileName", ""),
            "context_id": form.get("OriginalRepliedMessageSid", ""),
            "raw": form,
        }
        text = form.get("Body", "")
        if form.get("ButtonPayload"):
            return InboundMessage(kind="button_reply", text=form.get("ButtonText", text),
                                  reply_id=form["ButtonPayload"], reply_title=form.get("ButtonText", ""), **base)  # fmt: skip
        if form.get("ListId"):
            return InboundMessage(kind="list_reply", text=form.get("ListTitle", text),
                                  reply_id=form["ListId"], reply_title=form.get("ListTitle", ""), **base)  # fmt: skip
        if int(form.get("NumMedia") or 0) > 0:
            mime = form.get("MediaContentType0", "")
            kind = next(
                (k for prefix, k in MEDIA_KINDS.items() if mime.startswith(prefix)), "document"
            )
            media = InboundMedia(
                kind=kind, media_id="", mime_type=mime, caption=text, url=form.get("MediaUrl0", "")
            )
            return InboundMessage(kind=kind, text=text, media=media, **base)
        if form.get("Latitude") and form.get("Longitude"):
            location = {"latitude": float(form["Latitude"]), "longitude": float(form["Longitude"]),
                        "address": form.get("Address", ""), "name": form.get("Label", "")}  # fmt: skip
            return InboundMessage(kind="location", text=f"({form['Latitude']}, {form['Longitude']})",
                                  data={"location": location}, **base)  # fmt: skip
        return InboundMessage(kind="text", text=text, **base)

    # --- outbound ---------------------------------------------------------------------------
    def send(self, request: OutboundRequest) -> SendResult:
        content = request.content
        form = {"To": self._address(request.to), "From": self._address(self.config.sender_id)}
        if self.config.webhook_url:
            form["StatusCallback"] = self.config.webhook_url
        if isinstance(content, Text | NumberedChoices):
            form["Body"] = content.body
        elif isinstance(content, TemplateMessage):
            variables = {}
            for component in content.components:
                for n, p in enumerate(component.parameters, start=1):
                    if p.type == "text":
                        variables[p.name or str(n)] = p.text
            form["ContentSid"] = content.provider_template_id
            form["ContentVariables"] = json.dumps(variables, ensure_ascii=False)
        elif isinstance(content, Media):
            raise ProviderError(
                code="twilio_media", title="Envio de arquivos pela Twilio não suportado."
            )
        else:
            raise ValueError(f"Twilio cannot send {type(content).__name__}")
        url = f"{self.base}/Accounts/{self.config.account_id}/Messages.json"
        response = http.request(self.config, "POST", url, data=form, auth=self._auth())
        if response.status_code not in (200, 201):
            raise _error(response.status_code, response.content)
        data = response.json()
        return SendResult(provider_message_id=str(data.get("sid", "")), raw=data)

    def upload_media(self, *, content: bytes, mime_type: str, filename: str) -> str:
        raise ProviderError(
            code="twilio_media", title="Envio de arquivos pela Twilio não suportado."
        )

    def fetch_media(self, *, media: InboundMedia, max_bytes: int) -> FetchedMedia:
        """Twilio media URLs answer with a redirect to short-lived storage; the credentials go
        only to Twilio's own host."""
        url, api_host = media.url, urlsplit(self.base).netloc
        for _ in range(3):
            own = urlsplit(url).netloc == api_host
            response = http.request(self.config, "GET", url, auth=self._auth() if own else None)
            if response.status_code in (301, 302, 303, 307, 308) and response.headers.get(
                "location"
            ):
                url = response.headers["location"]
                continue
            if response.status_code != 200:
                raise ProviderError(code="media_expired", title=f"HTTP {response.status_code}",
                                    retryable=response.status_code >= 500)  # fmt: skip
            if len(response.content) > max_bytes:
                raise ProviderError(code="media_too_large", title="Arquivo grande demais.")
            return FetchedMedia(content=response.content, mime_type=media.mime_type)
        raise ProviderError(code="media_expired", title="Redirecionamentos demais.")

    def list_templates(self) -> list[RemoteTemplate]:
        return []  # Content API templates are registered by hand with their ContentSid


def _error(status_code: int, body: bytes) -> ProviderError:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        data = {}
    code = f"twilio_{data['code']}" if data.get("code") else f"http_{status_code}"
    if status_code >= 500 and not data.get("code"):
        code = "http_5xx"
    retryable = status_code >= 500 or status_code == 429 or is_retryable(code)
    return ProviderError(code=code, title=str(data.get("message", f"HTTP {status_code}"))[:300],
                         retryable=retryable, http_status=status_code)  # fmt: skip
