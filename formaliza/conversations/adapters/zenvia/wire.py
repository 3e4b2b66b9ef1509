"""Zenvia API v2 wire format (WhatsApp and SMS on the same API): `POST /v2/channels/<channel>/
messages` with `contents`, and the `MESSAGE` / `MESSAGE_STATUS` webhook events."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from formaliza.conversations.content import (
    Interactive,
    Media,
    NumberedChoices,
    TemplateMessage,
    Text,
)
from formaliza.conversations.ports import (
    InboundMedia,
    InboundMessage,
    OutboundRequest,
    ProviderError,
    StatusUpdate,
    WebhookItem,
    WebhookRejected,
)

STATUS_MAP = {
    "SENT": "sent",
    "DELIVERED": "delivered",
    "READ": "read",
    "NOT_DELIVERED": "failed",
    "REJECTED": "failed",
    "DELETED": "deleted",
}
FILE_KINDS = {"image/": "image", "audio/": "audio", "video/": "video"}


def _contents(request: OutboundRequest) -> list[dict]:
    content = request.content
    if isinstance(content, Text):
        return [{"type": "text", "text": content.body}]
    if isinstance(content, NumberedChoices):
        return [{"type": "text", "text": content.body}]
    if isinstance(content, TemplateMessage):
        fields: dict[str, str] = {}
        for component in content.components:
            for n, p in enumerate(component.parameters, start=1):
                if p.type == "text":
                    fields[p.name or str(n)] = p.text
        return [{"type": "template", "templateId": content.provider_template_id, "fields": fields}]
    if isinstance(content, Interactive):
        item: dict[str, Any] = {"type": content.style, "body": content.body}
        if content.footer:
            item["footer"] = content.footer
        if content.style == "button":
            if content.header:
                item["header"] = {"type": "text", "text": content.header}
            item["buttons"] = [{"id": c.id, "title": c.title} for c in content.rows]
        else:
            if content.header:
                item["header"] = content.header
            item["button"] = content.button
            rows = [
                {
                    "id": c.id,
                    "title": c.title,
                    **({"description": c.description} if c.description else {}),
                }
                for c in content.rows
            ]
            item["sections"] = [{"title": content.section_title or "Opções", "rows": rows}]
        return [item]
    if isinstance(content, Media):
        item = {"type": "file", "fileUrl": content.media_id, "fileMimeType": content.mime_type}
        if content.caption:
            item["fileCaption"] = content.caption
        if content.filename:
            item["fileName"] = content.filename
        return [item]
    raise ValueError(f"Zenvia cannot send {type(content).__name__}")


def message_payload(*, sender: str, request: OutboundRequest) -> dict:
    return {"from": sender, "to": request.to, "contents": _contents(request)}


def error_from_response(status_code: int, body: bytes) -> ProviderError:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        data = {}
    detail = "; ".join(str(d.get("message", "")) for d in data.get("details", []) or [])
    if status_code == 401:
        code = "zenvia_auth"
    elif status_code == 429:
        code = "http_429"
    elif status_code >= 500:
        code = "http_5xx"
    else:
        code = "zenvia_validation"
    return ProviderError(
        code=code,
        title=str(data.get("message", f"HTTP {status_code}"))[:300],
        detail=detail,
        retryable=status_code >= 500 or status_code == 429,
        http_status=status_code,
    )


def _when(value: Any) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.now(tz=dt.UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _file_kind(mime: str) -> str:
    return next(
        (kind for prefix, kind in FILE_KINDS.items() if mime.startswith(prefix)), "document"
    )


def _inbound(event: dict) -> InboundMessage:
    message = event.get("message") or {}
    contents = message.get("contents") or [{}]
    first = contents[0]
    base = {
        "provider_message_id": str(message.get("id", "")),
        "sender": str(message.get("from", "")),
        "timestamp": _when(message.get("timestamp") or event.get("timestamp")),
        "channel_address": str(message.get("to", "")),
        "profile_name": str((message.get("visitor") or {}).get("name", "")),
        "context_id": str(message.get("idRef", "")),
        "raw": message,
    }
    kind = first.get("type", "")
    if kind == "text":
        if first.get("payload"):
            return InboundMessage(
                kind="button_reply", text=first.get("text", ""), reply_id=str(first["payload"]),
                reply_title=first.get("text", ""), **base,
            )  # fmt: skip
        return InboundMessage(kind="text", text=first.get("text", ""), **base)
    if kind == "file":
        mime = str(first.get("fileMimeType", ""))
        media = InboundMedia(
            kind=_file_kind(mime), media_id="", mime_type=mime, caption=str(first.get("fileCaption", "")),
            filename=str(first.get("fileName", "")), url=str(first.get("fileUrl", "")),
        )  # fmt: skip
        return InboundMessage(kind=media.kind, text=media.caption, media=media, **base)
    if kind == "location":
        text = f"{first.get('name', '')} {first.get('address', '')} ({first.get('latitude')}, {first.get('longitude')})"
        return InboundMessage(kind="location", text=text.strip(), data={"location": first}, **base)
    return InboundMessage(kind="unsupported", data={"type": kind}, **base)


def _status(event: dict) -> StatusUpdate | None:
    status = event.get("messageStatus") or {}
    mapped = STATUS_MAP.get(str(status.get("code", "")))
    if mapped is None:
        return None
    causes = status.get("causes") or []
    cause = causes[0] if causes else {}
    return StatusUpdate(
        provider_message_id=str(event.get("messageId", "")),
        status=mapped,
        timestamp=_when(status.get("timestamp")),
        error_code=(
            "rejected" if status.get("code") == "REJECTED"
            else ("not_delivered" if mapped == "failed" else "")
        ),
        error_title=str(cause.get("reason", "") or status.get("description", ""))[:300],
        error_detail=str(cause.get("details", "") or cause.get("channelErrorCode", "")),
    )  # fmt: skip


def webhook_parse(body: bytes) -> list[WebhookItem]:
    try:
        event = json.loads(body)
    except ValueError as exc:
        raise WebhookRejected("body is not JSON") from exc
    if not isinstance(event, dict):
        raise WebhookRejected("not a Zenvia event")
    if event.get("type") == "MESSAGE":
        if (event.get("direction") or (event.get("message") or {}).get("direction")) != "IN":
            return []
        return [_inbound(event)]
    if event.get("type") == "MESSAGE_STATUS":
        status = _status(event)
        return [status] if status else []
    raise WebhookRejected("not a Zenvia event")
