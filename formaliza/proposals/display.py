"""How a proposal's stored values read on screen (pt-BR formats)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from formaliza.core import br
from formaliza.proposals.fields import Spec


def display_value(proposal, spec: Spec) -> str:
    value = getattr(proposal, spec.name)
    if value is None or value == "":
        return "—"
    kind = spec.kind
    if kind == "bool":
        return "Sim" if value else "Não"
    if kind == "cpf":
        return br.cpf_format(value)
    if kind == "money":
        return br.money_format(value)
    if kind == "rate":
        return br.percent_format(Decimal(value))
    if kind == "date" and isinstance(value, dt.date):
        return br.date_format(value)
    if kind == "phone":
        return br.phone_format(value)
    if kind == "cep":
        return br.cep_format(value)
    if kind == "choice":
        return dict(spec.choices).get(value, value)
    return str(value)
