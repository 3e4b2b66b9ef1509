"""Webhook bodies in the providers' real shapes: what Meta posts for a client's message or a
status change, and Zenvia's MESSAGE / MESSAGE_STATUS events. Used by the fake provider server
and by tests to produce deliveries exactly like the real ones."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid
from typing import Any

from formaliza.core.crypto import hmac_sha256_hex


def wamid() -> str:
    """A Cloud API message id: 'wamid.' + base64 of an opaque id."""
    return "wamid." + base64.b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes[:8]).decode()


def meta_envelope(*, waba_id: str, phone_number_id: str, display_phone: str, value: dict) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": waba_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": display_phone,
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def meta_message(
    *, wa_id: str, message_type: str, body: dict, message_id: str | None = None,
    timestamp: int | None = None, context_id: str = "",
) -> dict:  # fmt: skip
    """One entry of `value.messages`: {"from", "id", "timestamp", "type", <type>: {...}}."""
    message: dict[str, Any] = {
        "from": wa_id,
        "id": message_id or wamid(),
        "timestamp": str(timestamp if timestamp is not None else int(time.time())),
        "type": message_type,
    }
    if context_id:
        message["context"] = {"from": wa_id, "id": context_id}
    message.update(body)
    return message


def meta_inbound(
    *, waba_id: str, phone_number_id: str, display_phone: str, wa_id: str, profile_name: str,
    messages: list[dict],
) -> dict:  # fmt: skip
    return meta_envelope(
        waba_id=waba_id, phone_number_id=phone_number_id, display_phone=display_phone,
        value={"contacts": [{"profile": {"name": profile_name}, "wa_id": wa_id}], "messages": messages},
    )  # fmt: skip


def meta_status(
    *, message_id: str, status: str, recipient_id: str, timestamp: int | None = None,
    callback_data: str = "", category: str = "utility", error: dict | None = None,
) -> dict:  # fmt: skip
    """One entry of `value.statuses`."""
    item: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(timestamp if timestamp is not None else int(time.time())),
        "recipient_id": recipient_id,
    }
    if callback_data:
        item["biz_opaque_callback_data"] = callback_data
    if status in ("sent", "delivered", "read"):
        item["conversation"] = {
            "id": uuid.uuid5(uuid.NAMESPACE_URL, recipient_id).hex,
            "expiration_timestamp": str(int(time.time()) + 86400),
            "origin": {"type": category},
        }
        item["pricing"] = {"billable": True, "pricing_model": "PMP", "category": category}
    if error:
        item["errors"] = [error]
    return item


def meta_error(code: int, title: str, details: str) -> dict:
    return {"code": code, "title": title, "message": title, "error_data": {"details": details}}


def meta_statuses(
    *, waba_id: str, phone_number_id: str, display_phone: str, statuses: list[dict]
) -> dict:
    return meta_envelope(
        waba_id=waba_id, phone_number_id=phone_number_id, display_phone=display_phone,
        value={"statuses": statuses},
    )  # fmt: skip


def meta_signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac_sha256_hex(app_secret, body)


def dumps(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _iso(at: float | None = None) -> str:
    moment = dt.datetime.fromtimestamp(at if at is not None else time.time(), tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def zenvia_message_event(
    *, channel: str, sender: str, to: str, contents: list[dict], visitor_name: str = "",
    message_id: str | None = None,
) -> dict:  # fmt: skip
    message = {
        "id": message_id or str(uuid.uuid4()),
        "from": sender,
        "to": to,
        "direction": "IN",
        "channel": channel,
        "contents": contents,
        "timestamp": _iso(),
    }
    if visitor_name:
        message["visitor"] = {"name": visitor_name}
    return {
        "id": str(uuid.uuid4()),
        "timestamp": _iso(),
        "type": "MESSAGE",
        "subscriptionId": str(uuid.uuid5(uuid.NAMESPACE_URL, to)),
        "channel": channel,
        "direction": "IN",
        "message": message,
    }


ZENVIA_DESCRIPTIONS = {
    "SENT": "The message has been forwarded to the provider",
    "DELIVERED": "The message has been delivered by the provider",
    "READ": "The message has been read by the recipient",
    "NOT_DELIVERED": "The provider was unable to deliver the message.",
    "REJECTED": "The message was rejected by the provider",
}


def zenvia_status_event(
    *, channel: str, message_id: str, code: str, causes: list[dict] | None = None
) -> dict:
    status: dict[str, Any] = {
        "timestamp": _iso(),
        "code": code,
        "description": ZENVIA_DESCRIPTIONS.get(code, code),
    }
    if causes:
        status["causes"] = causes
    return {
        "id": str(uuid.uuid4()),
        "timestamp": _iso(),
        "type": "MESSAGE_STATUS",
        "subscriptionId": str(uuid.uuid5(uuid.NAMESPACE_URL, message_id)),
        "channel": channel,
        "messageId": message_id,
        "contentIndex": 0,
        "messageStatus": status,
    }
