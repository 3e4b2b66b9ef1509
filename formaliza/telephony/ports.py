"""The Telephony port: what a domain app (triage, the flows' telephony cards) asks of a PBX.

A call joins an operator's extension and a client's number. Adapters: `tel_link` (no PBX: the
operator's phone dials a `tel:` link and the operator records the outcome on a form) and
`asterisk_ari` (Asterisk REST Interface: originate, hang up, redirect, and channel events over
its WebSocket). Inputs and outputs are dataclasses; adapters raise `TelephonyError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

# Call states, in the order a call goes through them (ARI channel states map onto these).
DIALING = "dialing"
RINGING = "ringing"
ANSWERED = "answered"
ENDED = "ended"
MANUAL = "manual"  # dialled by the operator's own phone (tel: link); outcome typed by hand
STATES = (DIALING, RINGING, ANSWERED, ENDED, MANUAL)


class TelephonyError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CallRequest:
    operator_extension: str  # e.g. "1001" (the operator's SIP/PJSIP extension)
    client_number: str  # E.164, e.g. "+5511987654321"
    caller_id: str = ""
    reference: str = ""  # what the call is about (e.g. "triage-order:42"), echoed in events


@dataclass(frozen=True)
class CallHandle:
    call_id: str
    state: str
    dial_url: str = ""  # a `tel:` link when the operator must dial by hand


@dataclass(frozen=True)
class CallEvent:
    call_id: str
    kind: str  # "started" | "state" | "ended"
    state: str
    at: dt.datetime
    cause: int | None = None  # Q.850 cause code on "ended" (16 normal clearing, 17 busy, …)
    cause_text: str = ""
    raw: dict = field(default_factory=dict)


class Telephony(Protocol):
    #: True when the adapter reports events itself; False when the operator types the outcome.
    reports_events: bool

    def originate(self, request: CallRequest) -> CallHandle: ...

    def hangup(self, call_id: str) -> None: ...

    def divert(self, call_id: str, *, to_extension: str) -> None:
        """Forward a live call to another extension (transfer / redirect)."""
        ...

    def live_calls(self) -> list[CallHandle]: ...

    def listen(self, on_event: Callable[[CallEvent], None], *, stop: Callable[[], bool]) -> None:
        """Deliver call events until `stop()` is true (no-op for adapters without events)."""
        ...
