"""WhatsApp Business Cloud API (Meta Graph API) adapter."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from django.conf import settings

from formaliza.conversations.adapters import http
from formaliza.conversations.adapters.meta_cloud import wire
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
from formaliza.core.crypto import hmac_matches

SIGNATURE_HEADER = "X-Hub-Signature-256"
TEMPLATE_PAGES_MAX = 20


def signature_valid(*, app_secret: str, body: bytes, header: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex>` over the raw body, compared in constant time."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    return hmac_matches(app_secret, body, header[len("sha256=") :])


class MetaCloudProvider:
    def __init__(self, config: ChannelConfig):
        self.config = config
        self.base = (config.api_base_url or settings.META_GRAPH_API_URL).rstrip("/")

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.access_token}"}

    # --- inbound ----------------------------------------------------------------------------
    def verify_request(self, *, body: bytes, headers: Mapping[str, str], url: str) -> bool:
        return signature_valid(
            app_secret=self.config.app_secret,
            body=body,
            header=headers.get(SIGNATURE_HEADER, ""),
        )

    def handshake(self, *, query: Mapping[str, str]) -> str | None:
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") != "subscribe" or not self.config.verify_token:
            return None
        if not hmac.compare_digest(token.encode(), self.config.verify_token.encode()):
            return None
        return query.get("hub.challenge", "")

    def parse_webhook(self, *, body: bytes) -> list[WebhookItem]:
        return wire.webhook_parse(body)

    # --- outbound ---------------------------------------------------------------------------
    def send(self, request: OutboundRequest) -> SendResult:
        url = f"{self.base}/{self.config.phone_number_id}/messages"
        response = http.request(
            self.config, "POST", url, json=wire.message_payload(request), headers=self._auth()
        )
        if response.status_code != 200:
            raise wire.error_from_response(response.status_code, response.content)
        data = response.json()
        messages = data.get("messages") or [{}]
        contacts = data.get("contacts") or [{}]
        return SendResult(
            provider_message_id=str(messages[0].get("id", "")),
            recipient_id=str(contacts[0].get("wa_id", "")),
            raw=data,
        )

    def upload_media(self, *, content: bytes, mime_type: str, filename: str) -> str:
        url = f"{self.base}/{self.config.phone_number_id}/media"
        response = http.request(
            self.config,
            "POST",
            url,
            headers=self._auth(),
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename or "arquivo", content, mime_type)},
        )
        if response.status_code != 200:
            raise wire.error_from_response(response.status_code, response.content)
        return str(response.json().get("id", ""))

    def fetch_media(self, *, media: InboundMedia, max_bytes: int) -> FetchedMedia:
        """Two steps: the media id gives a short-lived URL, fetched with the same token."""
        response = http.request(
            self.config, "GET", f"{self.base}/{media.media_id}", headers=self._auth()
        )
        if response.status_code != 200:
            error = wire.error_from_response(response.status_code, response.content)
            if response.status_code in (400, 404):
                error.code = "media_expired"
            raise error
        meta = response.json()
        declared_size = meta.get("file_size")
        try:
            declared_size = int(declared_size) if declared_size is not None else None
        except (TypeError, ValueError):
            declared_size = None
        if declared_size is not None and declared_size > max_bytes:
            raise ProviderError(code="media_too_large", title="Arquivo grande demais.")
        content = http.download(self.config, meta["url"], headers=self._auth(), max_bytes=max_bytes)
        return FetchedMedia(
            content=content,
            mime_type=str(meta.get("mime_type") or media.mime_type),
            declared_sha256=str(meta.get("sha256") or media.sha256),
            declared_size=declared_size,
        )

    def list_templates(self) -> list[RemoteTemplate]:
        url = f"{self.base}/{self.config.business_account_id}/message_templates"
        params: dict | None = {"limit": 100}
        result: list[RemoteTemplate] = []
        for _ in range(TEMPLATE_PAGES_MAX):
            response = http.request(self.config, "GET", url, headers=self._auth(), params=params)
            if response.status_code != 200:
                raise wire.error_from_response(response.status_code, response.content)
            data = response.json()
            for item in data.get("data", []):
                result.append(
                    RemoteTemplate(
                        name=item.get("name", ""),
                        language=item.get("language", ""),
                        category=str(item.get("category", "")).lower(),
                        status=str(item.get("status", "")).lower(),
                        components=item.get("components", []),
                        provider_template_id=str(item.get("id", "")),
                    )
                )
            url = (data.get("paging") or {}).get("next") or ""
            params = None
            if not url:
                break
        return result
