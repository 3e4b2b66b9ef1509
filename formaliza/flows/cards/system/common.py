"""What the system cards share: the patterns their settings accept, shifts and business hours,
numbers typed by people, the variables a registration lookup fills, and the retry of a question.
"""

from __future__ import annotations

import datetime as dt

from formaliza.flows import actions
from formaliza.flows.engine import Next, Wait

VARIABLE = r"^[a-z_][a-z0-9_]{0,39}$"
FLOW_KEY = r"^[a-z0-9][a-z0-9_-]{0,63}$"
OPTION_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"
OPTIONAL_VARIABLE = r"^(|[a-z_][a-z0-9_]{0,39})$"
OPTIONAL_FLOW_KEY = r"^(|[a-z0-9][a-z0-9_-]{0,63})$"

# Shifts (turnos), in the tenant's local time: [start, end) hours.
SHIFTS = {"madrugada": (0, 6), "manha": (6, 12), "tarde": (12, 18), "noite": (18, 24)}


def shift_of(now: dt.datetime) -> str:
    for name, (start, end) in SHIFTS.items():
        if start <= now.hour < end:
            return name
    return "noite"  # unreachable: the hours cover the day


def within_business_hours(now: dt.datetime, periods) -> bool:
    moment = now.time().replace(tzinfo=None)
    return any(p.weekday == now.weekday() and p.start <= moment < p.end for p in periods)


def typed_number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value or "").strip().replace(" ", "")
    if "," in text:  # 1.234,56 (pt-BR)
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def contact_vars_set(ctx, contact: dict) -> None:
    """Variables every card that links a contact sets: the name fills {{cliente}} from here
    on (flow variables win over the built-in)."""
    if contact.get("name"):
        ctx.set_var("cliente", contact["name"])
    if contact.get("document"):
        ctx.set_var("documento", contact["document"])
    if contact.get("kind"):
        ctx.set_var("tipo_cadastro", contact["kind"])


def attempts_left(ctx, card, *, retry_text: str) -> Next | Wait:
    """One more failed attempt: ask again or leave through `max_attempts`."""
    attempts = int(ctx.wait_data.get("attempts", 0)) + 1
    if attempts >= card.settings.max_attempts:
        return Next("max_attempts")
    ctx.emit(actions.SendText(text=ctx.render(retry_text)))
    return Wait(data={**ctx.wait_data, "attempts": attempts, "phase": "ask"})
