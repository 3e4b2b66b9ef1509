"""Signature of outbound webhooks.

Header `X-Formaliza-Signature: t=<unix seconds>,v1=<hex>` where hex is
HMAC-SHA256(secret, "<t>.<raw body>"). Binding the timestamp lets a receiver refuse replays older
than its tolerance; `verify` is what a receiver runs (our tests use it as one).
"""

from __future__ import annotations

import time

from formaliza.core.crypto import hmac_matches, hmac_sha256_hex

SIGNATURE_HEADER = "X-Formaliza-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def sign(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={hmac_sha256_hex(secret, f'{ts}.'.encode() + body)}"


def verify(
    *,
    secret: str,
    body: bytes,
    header: str,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: int | None = None,
) -> bool:
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        ts = int(parts["t"])
        signature = parts["v1"]
    except (KeyError, ValueError):
        return False
    current = int(time.time()) if now is None else now
    if abs(current - ts) > tolerance:
        return False
    return hmac_matches(secret, f"{ts}.".encode() + body, signature)
