"""The hash of an evidence event: SHA-256 over a canonical JSON of its content and the previous
hash. Pure functions, shared by recording and verification."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not serializable in evidence: {type(value).__name__}")


def canonical_json(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def normalize_data(data: dict) -> dict:
    """What the JSON column gives back for `data` (so the hash recomputes the same later)."""
    return json.loads(canonical_json(data))


def event_hash(
    *,
    subject_type: str,
    subject_id: str,
    sequence: int,
    kind: str,
    occurred_at: dt.datetime,
    actor_kind: str,
    actor_label: str,
    ip: str | None,
    user_agent: str,
    session_id: str,
    phone: str,
    data: dict,
    prev_hash: str,
) -> str:
    content = {
        "subject": f"{subject_type}:{subject_id}",
        "sequence": sequence,
        "kind": kind,
        # Microseconds are dropped: the chain must recompute the same on every database.
        "occurred_at": occurred_at.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
        "actor": [actor_kind, actor_label],
        "ip": ip or "",
        "user_agent": user_agent,
        "session": session_id,
        "phone": phone,
        "data": data,
        "prev": prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()
