"""Orders for the tests, one per list or as asked."""

from __future__ import annotations

import datetime as dt
import itertools

from formaliza.core import clock
from formaliza.triage.events import Who
from formaliza.triage.services import OrderInput, order_upsert

_n = itertools.count(1)
SYSTEM = Who.system("teste")

# The status fields that put an order in each list.
IN_LIST = {
    "reagendar": {
        "payment_status": "paid", "documents_status": "received",
        "appointment_at": dt.datetime(2026, 12, 1, 10, tzinfo=clock.SAO_PAULO),
        "attendance": "no_show",
    },
    "documentos": {"payment_status": "paid", "documents_status": "pending"},
    "pagamentos": {"payment_status": "pending", "documents_status": "received"},
    "agendar": {"payment_status": "paid", "documents_status": "received"},
}  # fmt: skip


def order_input(**overrides) -> OrderInput:
    n = next(_n)
    values = {
        "external_id": f"PED-{n:05d}", "client_name": f"Cliente Teste {n}",
        "product": "e-CPF A1", "client_phone": "11987654321",
        "client_email": f"cliente{n}@example.com",
    }  # fmt: skip
    values.update(overrides)
    return OrderInput(**values)


def make_order(tenant, worklist: str = "", **overrides):
    fields = {**IN_LIST.get(worklist, {}), **overrides}
    order, _ = order_upsert(tenant=tenant, data=order_input(**fields), who=SYSTEM)
    return order
