"""Demo data of triage: certificate orders in each of the four lists (and a few in none), some
assigned to the demo operator, one already called without an answer (waiting for the daily
follow-up) and one whose client answered the reschedule call."""

from __future__ import annotations

import datetime as dt

from faker import Faker

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import Tenant
from formaliza.core import clock
from formaliza.triage.events import Who
from formaliza.triage.models import Slot
from formaliza.triage.services import (
    ContactInput,
    OrderInput,
    contact_record,
    order_assign,
    order_upsert,
)

PRODUCTS = ("e-CPF A1", "e-CNPJ A1", "e-CPF A3 (token)", "e-CNPJ A3 (cartão)")


def _statuses(worklist: str, now: dt.datetime) -> dict:
    yesterday = (now - dt.timedelta(days=1)).replace(hour=14, minute=0, second=0, microsecond=0)
    return {
        "reagendar": {"payment_status": "paid", "documents_status": "received",
                      "appointment_at": yesterday, "attendance": "no_show"},
        "documentos": {"payment_status": "paid", "documents_status": "pending"},
        "pagamentos": {"payment_status": "pending", "documents_status": "received",
                       "payment_link": "https://pagamentos.example.com/boleto/demo"},
        "agendar": {"payment_status": "paid", "documents_status": "received"},
        "agendado": {"payment_status": "paid", "documents_status": "received",
                     "appointment_at": now + dt.timedelta(days=1)},
        "emitido": {"payment_status": "paid", "documents_status": "received",
                    "appointment_at": yesterday, "attendance": "attended", "emitted_at": now},
    }[worklist]  # fmt: skip


def triage_seed(*, tenant: Tenant, operator: Actor) -> None:
    fake = Faker("pt_BR")
    fake.seed_instance(4004)
    who = Who.system("importação de demonstração")
    now = clock.now()
    plan = ["reagendar"] * 3 + ["documentos"] * 4 + ["pagamentos"] * 3 + ["agendar"] * 3
    plan += ["agendado", "emitido"]
    orders = []
    for n, worklist in enumerate(plan, start=1):
        company = "CNPJ" in PRODUCTS[n % len(PRODUCTS)]
        data = OrderInput(
            external_id=f"CD-2026-{n:04d}",
            client_name=fake.name(),
            product=PRODUCTS[n % len(PRODUCTS)],
            client_document=fake.cnpj() if company else fake.cpf(),
            client_phone=f"+55119870{n:05d}",
            client_email=f"cliente{n}@example.com",
            accountant_email="contabilidade@example.com" if company else "",
            **_statuses(worklist, now),
        )
        orders.append(order_upsert(tenant=tenant, data=data, who=who)[0])
    for order in orders[::2]:
        if order.worklist:
            order_assign(order=order, user=operator.user, who=Who.of(operator))
    by_operator = Who.of(operator)
    # A documents order called yesterday... without an answer: back tomorrow morning.
    contact_record(
        order=orders[4], kind="call", who=by_operator, channel="phone",
        data=ContactInput(outcome="sem_resposta", duration_seconds=0),
    )  # fmt: skip
    # Videoconference slots for the booking link: the next hours and tomorrow.
    base = clock.local(now).replace(minute=0, second=0, microsecond=0)
    for hours in (2, 3, 4, 24, 25, 26):
        Slot.objects.get_or_create(
            tenant=tenant, starts_at=base + dt.timedelta(hours=hours),
            defaults={"capacity": 1 if hours == 2 else 3},
        )  # fmt: skip
    # A payment order: the cordial message went out; the call comes next.
    contact_record(
        order=orders[7], kind="message", who=by_operator, channel="whatsapp",
        data=ContactInput(outcome="pendente_pagamento", note="Cliente pediu o Pix."),
    )  # fmt: skip
