"""Contacts and their outcomes: the playbook's next step, the required outcome, the follow-up."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from formaliza.accounts.actors import Actor
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, ValidationFailed
from formaliza.triage import selectors
from formaliza.triage.events import Who
from formaliza.triage.models import ContactAttempt, OrderEvent
from formaliza.triage.services import ContactInput, contact_record, contact_start, outcome_record
from formaliza.triage.tests.helpers import make_order

NOON = dt.datetime(2026, 12, 3, 12, tzinfo=clock.SAO_PAULO)


def _who(kit):
    return Who.of(Actor.of_user(kit.users["operator"]))


def test_next_step_follows_the_playbook_of_the_list(kit):
    order = make_order(kit.tenant, "documentos")
    labels = [selectors.order_next_step(order).label]
    for kind in ("call", "message", "accountant"):
        contact_record(order=order, kind=kind, data=ContactInput(outcome="pendente_documentos"),
                       who=_who(kit))  # fmt: skip
        order.refresh_from_db()
        labels.append(selectors.order_next_step(order).label)
    assert labels == [
        "Ligar para solicitar documentos", "Enviar mensagem solicitando documentos",
        "Solicitar à contabilidade", "Acompanhamento diário: ligar de novo",
    ]  # fmt: skip


def test_a_contact_without_outcome_blocks_the_next(kit):
    order = make_order(kit.tenant, "pagamentos")
    contact_start(order=order, kind="call", who=_who(kit), channel="phone")
    with pytest.raises(ApplicationError) as caught:
        contact_start(order=order, kind="message", who=_who(kit))
    assert caught.value.code == "triage_outcome_pending"
    assert order.attempts.count() == 1
    outcome_record(order=order, data=ContactInput(outcome="pendente_pagamento"), who=_who(kit))
    # A message's outcome is the client's reply: it blocks nothing.
    contact_start(order=order, kind="message", who=_who(kit))
    contact_start(order=order, kind="call", who=_who(kit))
    assert order.attempts.count() == 3


def test_outcome_is_required_and_named(kit):
    order = make_order(kit.tenant, "reagendar")
    contact_start(order=order, kind="call", who=_who(kit))
    with pytest.raises(ValidationFailed) as missing:
        outcome_record(order=order, data=ContactInput(outcome=""), who=_who(kit))
    with pytest.raises(ValidationFailed) as no_time:
        outcome_record(order=order, data=ContactInput(outcome="reagendado"), who=_who(kit))
    assert missing.value.fields[0].message == "Escolha o resultado do contato."
    assert no_time.value.fields[0].field == "appointment_at"
    assert not order.events.filter(kind=OrderEvent.Kind.OUTCOME).exists()


@time_machine.travel(NOON, tick=False)
def test_rescheduled_on_the_call_leaves_the_no_show_list(kit):
    order = make_order(kit.tenant, "reagendar")
    new_time = NOON + dt.timedelta(hours=3)
    contact_record(order=order, kind="call", who=_who(kit),
                   data=ContactInput(outcome="reagendado", appointment_at=new_time,
                                     duration_seconds=95))  # fmt: skip
    order.refresh_from_db()
    assert order.worklist == "" and order.appointment_at == new_time and order.attendance == ""
    attempt = order.attempts.get()
    assert attempt.duration_seconds == 95 and attempt.outcome == "reagendado"
    texts = list(order.events.values_list("text", flat=True))
    assert "Resultado: Reagendado." in texts
    assert "Saiu da lista “Reagendar (não compareceram)”." in texts


def test_no_answer_rests_until_the_next_morning_then_comes_back(kit):
    order = make_order(kit.tenant, "agendar")
    with time_machine.travel(NOON, tick=False):
        contact_record(order=order, kind="call", data=ContactInput(outcome="sem_resposta"),
                       who=_who(kit))  # fmt: skip
        order.refresh_from_db()
        assert clock.local(order.follow_up_at) == dt.datetime(
            2026, 12, 4, 8, tzinfo=clock.SAO_PAULO
        )
        assert list(selectors.worklist_orders(tenant=kit.tenant, worklist="agendar")) == []
        waiting = selectors.worklist_orders(tenant=kit.tenant, worklist="agendar", waiting=True)
        assert list(waiting) == [order]
        assert selectors.seconds_since_last_contact(order) == 0
    with time_machine.travel(dt.datetime(2026, 12, 4, 8, 1, tzinfo=clock.SAO_PAULO), tick=False):
        assert list(selectors.worklist_orders(tenant=kit.tenant, worklist="agendar")) == [order]
        assert selectors.seconds_since_last_contact(order) == 20 * 3600 + 60


def test_cancelled_asks_for_cancellation_and_leaves_the_lists(kit):
    order = make_order(kit.tenant, "documentos")
    contact_record(order=order, kind="call", data=ContactInput(outcome="cancelado",
                   note="Já fez o certificado em outro local."), who=_who(kit))  # fmt: skip
    order.refresh_from_db()
    assert order.cancel_requested_at is not None and order.worklist == ""
    assert order.attempts.get().kind == ContactAttempt.Kind.CALL
