"""Zenvia API v2 adapter, for WhatsApp and SMS channels.

Zenvia does not sign its webhooks; a subscription carries custom headers instead, so the channel
registers `X-Formaliza-Webhook-Token: <channel secret>` there and we compare it in constant time.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.conf import settings

from formaliza.conversations.adapters import http
from formaliza.conversations.adapters.zenvia import wire
from formaliza.conversations.ports import (
    ChannelConfig,
    FetchedMedia,
    InboundMedia,
    OutboundRequest,
    ProviderError,
    RemoteTemplate,
    SendResult,
    WebhookItem,
)

TOKEN_HEADER = "X-Formaliza-Webhook-Token"  # noqa: S105 - a header name


class ZenviaProvider:
    def __init__(self, config: ChannelConfig):
        self.config = config
        self.base = (config.api_base_url or settings.ZENVIA_API_URL).rstrip("/")
        self.channel_path = "sms" if config.kind == "sms" else "whatsapp"

    def _auth(self) -> dict[str, str]:
        return {"X-API-TOKEN": self.config.access_token}

    def verify_request(self, *, body: bytes, headers: Mapping[str, str], url: str) -> bool:
        presented = headers.get(TOKEN_HEADER, "")
        secret = self.config.app_secret
        return bool(secret and presented) and hmac.compare_digest(
            presented.encode(), secret.encode()
        )

    def handshake(self, *, query: Mapping[str, str]) -> str | None:
        return None  # Zenvia subscriptions are created through its API, with no GET check

    def parse_webhook(self, *, body: bytes) -> list[WebhookItem]:
        return wire.webhook_parse(body)

    def send(self, request: OutboundRequest) -> SendResult:
        url = f"{self.base}/channels/{self.channel_path}/messages"
        payload = wire.message_payload(sender=self.config.sender_id, request=request)
        response = http.request(self.config, "POST", url, json=payload, headers=self._auth())
        if response.status_code not in (200, 201):
            raise wire.error_from_response(response.status_code, response.content)
        data = response.json()
        return SendResult(provider_message_id=str(data.get("id", "")), raw=data)

    def upload_media(self, *, content: bytes, mime_type: str, filename: str) -> str:
        """Zenvia sends files by URL: store the file with its Files API and use the URL."""
        response = http.request(
            self.config,
            "POST",
            f"{self.base}/files",
            headers=self._auth(),
            files={"content": (filename or "arquivo", content, mime_type)},
        )
        if response.status_code not in (200, 201):
            raise wire.error_from_response(response.status_code, response.content)
        return str(response.json().get("url", ""))

    def fetch_media(self, *, media: InboundMedia, max_bytes: int) -> FetchedMedia:
        if not media.url:
            raise ProviderError(code="media_expired", title="Mídia sem endereço.")
        # The token only goes to Zenvia's own host, never to a URL elsewhere.
        same_host = urlsplit(media.url).hostname == urlsplit(self.base).hostname
        headers = self._auth() if same_host else {}
        content = http.download(self.config, media.url, headers=headers, max_bytes=max_bytes)
        return FetchedMedia(content=content, mime_type=media.mime_type)

    def list_templates(self) -> list[RemoteTemplate]:
        response = http.request(
            self.config,
            "GET",
            f"{self.base}/templates",
            headers=self._auth(),
            params={"channel": "WHATSAPP" if self.channel_path == "whatsapp" else "SMS"},
        )
        if response.status_code != 200:
            raise wire.error_from_response(response.status_code, response.content)
        result = []
        for item in response.json():
            text = ((item.get("components") or {}).get("body") or {}).get("text", "")
            result.append(
                RemoteTemplate(
                    name=str(item.get("name", "")),
                    language=str(item.get("locale", "pt_BR")),
                    category="marketing" if item.get("category") == "MARKETING" else "utility",
                    status="approved" if item.get("status") == "APPROVED" else "pending",
                    components=[{"type": "BODY", "text": text}],
                    provider_template_id=str(item.get("id", "")),
                )
            )
        return result
