"""The gates every outbound message passes: channel active, consent, approved templates and
marketing rules, the 24-hour customer-service window. Checked when a message is written
(outbound.py) and again right before the provider call (dispatch.py)."""

from __future__ import annotations

import datetime as dt

from formaliza.conversations.errors import MessageRefused, error_explanation
from formaliza.conversations.models import Channel, ContactHandle, Message, Template
from formaliza.core import clock

WINDOW = dt.timedelta(hours=24)


def window_open(handle: ContactHandle, at: dt.datetime | None = None) -> bool:
    """Inside the 24-hour customer-service window opened by the client's last message."""
    at = at or clock.now()
    return handle.last_inbound_at is not None and at - handle.last_inbound_at < WINDOW


def gate_refusal(
    *, channel: Channel, handle: ContactHandle, outgoing_kind: str, template: Template | None,
    bypass_consent: bool = False, at: dt.datetime | None = None,
) -> str:  # fmt: skip
    """The code of the first gate that refuses this message, or "" when it may go."""
    if not channel.is_active:
        return "channel_inactive"
    if handle.is_opted_out and not bypass_consent:
        return "opted_out"
    if outgoing_kind == Message.Kind.TEMPLATE:
        if template is None or template.status != Template.Status.APPROVED:
            return "template_not_approved"
        if template.category == Template.Category.MARKETING:
            if handle.marketing_blocked_at is not None:
                return "marketing_blocked"
            if channel.require_opt_in_for_marketing and handle.opted_in_at is None:
                return "marketing_needs_opt_in"
    elif channel.has_window and not window_open(handle, at):
        return "window_closed"
    return ""


def refusal_error(code: str, handle: ContactHandle) -> MessageRefused:
    """The pt-BR explanation of a refusal, with the client's last message time for the window."""
    message = error_explanation(code)
    if code == "window_closed" and handle.last_inbound_at:
        last = clock.local(handle.last_inbound_at).strftime("%d/%m/%Y %H:%M")
        message += f" Última mensagem do cliente: {last}."
    elif code == "window_closed":
        message += " O cliente ainda não escreveu neste canal."
    return MessageRefused(code, message)
