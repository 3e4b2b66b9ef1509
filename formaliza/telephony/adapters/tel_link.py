"""The default adapter: no PBX. The operator taps a `tel:` link and records the outcome."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from formaliza.telephony.ports import MANUAL, CallEvent, CallHandle, CallRequest, TelephonyError


def tel_url(number: str) -> str:
    digits = re.sub(r"[^\d+]", "", number)
    if not re.fullmatch(r"\+?\d{8,15}", digits):
        raise TelephonyError("invalid_number", "Número de telefone inválido para ligação.")
    return f"tel:{digits}"


class TelLinkTelephony:
    reports_events = False

    def __init__(self, **_options):
        pass

    def originate(self, request: CallRequest) -> CallHandle:
        return CallHandle(
            call_id=f"tel-{uuid.uuid4().hex}", state=MANUAL, dial_url=tel_url(request.client_number)
        )

    def hangup(self, call_id: str) -> None:
        return None  # the operator hangs up on the phone

    def divert(self, call_id: str, *, to_extension: str) -> None:
        raise TelephonyError(
            "divert_unsupported",
            "Sem central telefônica: transfira a ligação pelo próprio aparelho.",
        )

    def live_calls(self) -> list[CallHandle]:
        return []

    def listen(self, on_event: Callable[[CallEvent], None], *, stop: Callable[[], bool]) -> None:
        return None
