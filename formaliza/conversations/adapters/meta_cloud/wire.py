"""WhatsApp Business Cloud API wire format: request bodies we send and webhook bodies we read.

Pure functions (no I/O) so they are easy to test against fixture payloads, and shared with the
fake Graph API server, which must read and write exactly the same shapes.
"""

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
from formaliza.conversations.errors import is_retryable
from formaliza.conversations.ports import (
    ChannelErrorEvent,
    InboundMedia,
    InboundMessage,
    OutboundRequest,
    ProviderError,
    StatusUpdate,
    WebhookItem,
    WebhookRejected,
)

MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
CAPTIONED = ("image", "video", "document")


def _template_component(component) -> dict:
    params = []
    for p in component.parameters:
        if p.type == "text":
            item: dict[str, Any] = {"type": "text", "text": p.text}
            if p.name:
                item["parameter_name"] = p.name
        elif p.type == "payload":
            item = {"type": "payload", "payload": p.payload}
        else:
            media: dict[str, Any] = {"id": p.media_id} if p.media_id else {"link": p.link}
            if p.type == "document" and p.filename:
                media["filename"] = p.filename
            item = {"type": p.type, p.type: media}
        params.append(item)
    result: dict[str, Any] = {"type": component.type, "parameters": params}
    if component.type == "button":
        result["sub_type"] = component.sub_type
        result["index"] = str(component.index)
    return result


def _interactive(content: Interactive) -> dict:
    body: dict[str, Any] = {"type": content.style, "body": {"text": content.body}}
    if content.header:
        body["header"] = {"type": "text", "text": content.header}
    if content.footer:
        body["footer"] = {"text": content.footer}
    if content.style == "button":
        body["action"] = {
            "buttons": [
                {"type": "reply", "reply": {"id": c.id, "title": c.title}} for c in content.rows
            ]
        }
    else:
        rows = []
        for c in content.rows:
            row = {"id": c.id, "title": c.title}
            if c.description:
                row["description"] = c.description
            rows.append(row)
        section = {"title": (content.section_title or "Opções")[:24], "rows": rows}
        body["action"] = {"button": content.button, "sections": [section]}
    return body


def message_payload(request: OutboundRequest) -> dict:
    """The JSON body of `POST /{phone_number_id}/messages`."""
    content = request.content
    payload: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": request.to,
    }
    if isinstance(content, Text):
        payload["type"] = "text"
        payload["text"] = {"preview_url": content.preview_url, "body": content.body}
    elif isinstance(content, NumberedChoices):
        payload["type"] = "text"
        payload["text"] = {"preview_url": False, "body": content.body}
    elif isinstance(content, TemplateMessage):
        payload["type"] = "template"
        template: dict[str, Any] = {"name": content.name, "language": {"code": content.language}}
        if content.components:
            template["components"] = [_template_component(c) for c in content.components]
        payload["template"] = template
    elif isinstance(content, Interactive):
        payload["type"] = "interactive"
        payload["interactive"] = _interactive(content)
    elif isinstance(content, Media):
        media: dict[str, Any] = {"id": content.media_id}
        if content.caption and content.kind in CAPTIONED:
            media["caption"] = content.caption
        if content.kind == "document" and content.filename:
            media["filename"] = content.filename
        payload["type"] = content.kind
        payload[content.kind] = media
    else:
        raise ValueError(f"WhatsApp cannot send {type(content).__name__}")
    if request.reply_to_provider_id:
        payload["context"] = {"message_id": request.reply_to_provider_id}
    if request.callback_data:
        payload["biz_opaque_callback_data"] = request.callback_data
    return payload


def error_from_response(status_code: int, body: bytes) -> ProviderError:
    """A Graph API error answer as a ProviderError (retryable per its code)."""
    try:
        error = json.loads(body or b"{}").get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = str(error.get("code") or "")
    if not code:
        code = "http_5xx" if status_code >= 500 else ("http_429" if status_code == 429 else "100")
    details = (error.get("error_data") or {}).get("details", "")
    retryable = is_retryable(code) or status_code >= 500
    return ProviderError(
        code=code,
        title=str(error.get("message", ""))[:300],
        detail=str(details),
        retryable=retryable,
        http_status=status_code,
    )


def _when(value: Any) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return dt.datetime.now(tz=dt.UTC)


def _error_fields(errors: list[dict] | None) -> tuple[str, str, str]:
    if not errors:
        return "", "", ""
    first = errors[0]
    details = (first.get("error_data") or {}).get("details", "") or first.get("message", "")
    return str(first.get("code", "")), str(first.get("title", ""))[:300], str(details)


def _media(kind: str, obj: dict) -> InboundMedia:
    return InboundMedia(
        kind=kind,
        media_id=str(obj.get("id", "")),
        mime_type=str(obj.get("mime_type", "")),
        sha256=str(obj.get("sha256", "")),
        caption=str(obj.get("caption", "")),
        filename=str(obj.get("filename", "")),
    )


def _contacts_text(cards: list[dict]) -> str:
    lines = []
    for card in cards:
        name = (card.get("name") or {}).get("formatted_name", "")
        phones = ", ".join(p.get("phone", "") for p in card.get("phones", []))
        lines.append(f"{name} {phones}".strip())
    return "\n".join(lines)


def _message(msg: dict, value: dict) -> InboundMessage:
    kind_in = msg.get("type", "unsupported")
    sender = str(msg.get("from", ""))
    names = {
        c.get("wa_id"): (c.get("profile") or {}).get("name", "") for c in value.get("contacts", [])
    }
    base = {
        "provider_message_id": str(msg.get("id", "")),
        "sender": sender,
        "timestamp": _when(msg.get("timestamp")),
        "channel_address": str((value.get("metadata") or {}).get("phone_number_id", "")),
        "profile_name": names.get(sender, ""),
        "context_id": str((msg.get("context") or {}).get("id", "")),
        "raw": msg,
    }
    data: dict[str, Any] = {}
    if msg.get("referral"):
        data["referral"] = msg["referral"]
    if kind_in == "text":
        return InboundMessage(
            kind="text", text=(msg.get("text") or {}).get("body", ""), data=data, **base
        )
    if kind_in in MEDIA_TYPES:
        media = _media(kind_in, msg.get(kind_in) or {})
        if kind_in == "audio":
            data["voice"] = bool((msg.get("audio") or {}).get("voice", False))
        return InboundMessage(kind=kind_in, text=media.caption, media=media, data=data, **base)
    if kind_in == "location":
        loc = msg.get("location") or {}
        text = " ".join(str(loc.get(k, "")) for k in ("name", "address") if loc.get(k))
        text = f"{text} ({loc.get('latitude')}, {loc.get('longitude')})".strip()
        return InboundMessage(kind="location", text=text, data={"location": loc}, **base)
    if kind_in == "contacts":
        cards = msg.get("contacts") or []
        return InboundMessage(
            kind="contacts", text=_contacts_text(cards), data={"contacts": cards}, **base
        )
    if kind_in == "reaction":
        reaction = msg.get("reaction") or {}
        base["context_id"] = str(reaction.get("message_id", ""))
        return InboundMessage(
            kind="reaction", text=reaction.get("emoji", ""), data={"reaction": reaction}, **base
        )
    if kind_in == "button":
        button = msg.get("button") or {}
        return InboundMessage(
            kind="template_reply", text=button.get("text", ""), reply_id=str(button.get("payload", "")),
            reply_title=button.get("text", ""), **base,
        )  # fmt: skip
    if kind_in == "interactive":
        inter = msg.get("interactive") or {}
        sub = inter.get("type", "")
        reply = inter.get(sub) or {}
        if sub in ("button_reply", "list_reply"):
            return InboundMessage(
                kind=sub, text=reply.get("title", ""), reply_id=str(reply.get("id", "")),
                reply_title=reply.get("title", ""), data={"description": reply.get("description", "")},
                **base,
            )  # fmt: skip
        return InboundMessage(kind="unsupported", data={"interactive": inter}, **base)
    if kind_in == "system":
        system = msg.get("system") or {}
        return InboundMessage(
            kind="system", text=system.get("body", ""), data={"system": system}, **base
        )
    code, title, detail = _error_fields(msg.get("errors"))
    data.update({"type": kind_in, "error_code": code, "error_title": title, "error_detail": detail})
    return InboundMessage(kind="unsupported", text="", data=data, **base)


def _status(status: dict, value: dict) -> StatusUpdate:
    code, title, detail = _error_fields(status.get("errors"))
    data = {k: status[k] for k in ("conversation", "pricing") if k in status}
    return StatusUpdate(
        provider_message_id=str(status.get("id", "")),
        status=str(status.get("status", "")),
        timestamp=_when(status.get("timestamp")),
        channel_address=str((value.get("metadata") or {}).get("phone_number_id", "")),
        recipient=str(status.get("recipient_id", "")),
        callback_data=str(status.get("biz_opaque_callback_data", "")),
        error_code=code,
        error_title=title,
        error_detail=detail,
        data=data,
    )


def webhook_parse(body: bytes) -> list[WebhookItem]:
    """Every message, status and error in a webhook POST (several entries and changes)."""
    try:
        envelope = json.loads(body)
    except ValueError as exc:
        raise WebhookRejected("body is not JSON") from exc
    if not isinstance(envelope, dict) or envelope.get("object") != "whatsapp_business_account":
        raise WebhookRejected("not a WhatsApp Business Account webhook")
    items: list[WebhookItem] = []
    for entry in envelope.get("entry") or []:
        for change in entry.get("changes") or []:
            if change.get("field") != "messages":
                continue
            value = change.get("value") or {}
            items.extend(_message(m, value) for m in value.get("messages") or [])
            items.extend(_status(s, value) for s in value.get("statuses") or [])
            for error in value.get("errors") or []:
                code, title, detail = _error_fields([error])
                items.append(ChannelErrorEvent(code, title, detail, dt.datetime.now(tz=dt.UTC)))
    return items
