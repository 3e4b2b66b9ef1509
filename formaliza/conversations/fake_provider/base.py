"""Shared pieces of the fake provider: what is registered, what is delivered, error shapes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as default_policy


@dataclass
class Number:
    phone_number_id: str
    access_token: str
    app_secret: str
    callback_url: str = ""
    waba_id: str = ""
    display_phone: str = "5511900000000"
    verify_token: str = ""
    throughput: int = 80
    pair_interval: float = 6.0
    pair_burst: int = 10
    enforce_window: bool = True


@dataclass
class ZenviaSender:
    sender_id: str
    token: str
    webhook_secret: str
    callback_url: str = ""
    channel: str = "sms"


@dataclass(order=True)
class Delivery:
    due: float
    seq: int
    url: str = field(compare=False)
    body: bytes = field(compare=False)
    headers: dict = field(compare=False)
    attempts: int = field(default=0, compare=False)


class Reply(Exception):
    def __init__(self, status: int, payload: dict):
        super().__init__(status)
        self.status = status
        self.payload = payload


def meta_fail(status: int, code: int, message: str, details: str = "") -> Reply:
    return Reply(
        status,
        {
            "error": {
                "message": f"(#{code}) {message}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details or message},
                "fbtrace_id": uuid.uuid4().hex[:20],
            }
        },
    )


def zenvia_fail(status: int, code: str, message: str, details: list | None = None) -> Reply:
    return Reply(status, {"code": code, "message": message, "details": details or []})


def multipart(content_type: str, body: bytes) -> dict[str, tuple[bytes, str]]:
    message = BytesParser(policy=default_policy).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts: dict[str, tuple[bytes, str]] = {}
    if not message.is_multipart():
        return parts
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            parts[name] = (part.get_payload(decode=True) or b"", part.get_content_type())
    return parts
