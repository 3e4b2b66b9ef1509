"""Calls through the Telephony port: the tel: link's call ends with what the operator typed."""

from __future__ import annotations

import pytest

from formaliza.accounts.actors import Actor
from formaliza.core.errors import ApplicationError
from formaliza.telephony import ports
from formaliza.telephony.models import Call
from formaliza.triage.events import Who
from formaliza.triage.services import ContactInput, order_call, outcome_record
from formaliza.triage.tests.helpers import make_order


def _who(kit):
    return Who.of(Actor.of_user(kit.users["operator"]))


def test_a_tel_link_call_is_a_contact_and_ends_with_the_typed_duration(kit):
    order = make_order(kit.tenant, "reagendar")
    attempt, call = order_call(order=order, who=_who(kit))
    assert call.dial_url == "tel:+5511987654321" and call.state == ports.MANUAL
    assert call.reference == f"triage-order:{order.pk}" and attempt.call_id == call.pk
    outcome_record(
        order=order, who=_who(kit),
        data=ContactInput(outcome="pendente_documentos", duration_seconds=120),
    )  # fmt: skip
    call.refresh_from_db()
    attempt.refresh_from_db()
    assert call.state == ports.ENDED and call.duration_seconds == 120 and call.cause == 16
    assert attempt.duration_seconds == 120 and attempt.outcome == "pendente_documentos"


def test_no_answer_ends_the_call_as_not_answered(kit):
    order = make_order(kit.tenant, "agendar")
    _, call = order_call(order=order, who=_who(kit))
    outcome_record(order=order, who=_who(kit), data=ContactInput(outcome="sem_resposta"))
    call.refresh_from_db()
    assert call.cause == 19 and call.duration_seconds == 0


def test_a_second_call_before_the_outcome_rings_nobody(kit):
    order = make_order(kit.tenant, "agendar")
    order_call(order=order, who=_who(kit))
    with pytest.raises(ApplicationError) as caught:
        order_call(order=order, who=_who(kit))
    assert caught.value.code == "triage_outcome_pending"
    assert Call.objects.count() == 1


def test_an_order_without_phone_cannot_be_called(kit):
    order = make_order(kit.tenant, "agendar", client_phone="")
    with pytest.raises(ApplicationError) as caught:
        order_call(order=order, who=_who(kit))
    assert caught.value.code == "triage_no_phone" and not Call.objects.exists()


def test_through_asterisk_ari_the_operators_extension_rings_and_the_pbx_gives_the_duration(
    kit, settings
):
    import datetime as dt

    from formaliza.core import clock
    from formaliza.telephony.fake_ari import FakeAri
    from formaliza.telephony.services import call_event_apply

    fake = FakeAri(username="u", password="p", answer_after=30)
    fake.start()
    try:
        settings.TELEPHONY = {
            "adapter": "formaliza.telephony.adapters.asterisk_ari.AsteriskAriTelephony",
            "options": {"url": fake.url, "username": "u", "password": "p", "context": "ops"},
        }
        settings.TRIAGE_EXTENSIONS = {kit.users["operator"].email: "2002"}
        order = make_order(kit.tenant, "reagendar")
        attempt, call = order_call(order=order, who=_who(kit))
        method, path, query = fake.requests[-1]
    finally:
        fake.stop()
    assert (method, path) == ("POST", "/ari/channels") and query["endpoint"] == "PJSIP/2002"
    assert call.dial_url == "" and call.reference == f"triage-order:{order.pk}"
    # The events the listener (manage.py telephony_events) applies from the ARI socket.
    start = clock.now()
    for state, offset in ((ports.ANSWERED, 5), (ports.ENDED, 77)):
        call_event_apply(event=ports.CallEvent(
            call_id=call.call_id, kind="state" if state == ports.ANSWERED else "ended",
            state=state, at=start + dt.timedelta(seconds=offset), cause=16))  # fmt: skip
    outcome_record(order=order, who=_who(kit), data=ContactInput(outcome="pendente_documentos"))
    attempt.refresh_from_db()
    assert attempt.duration_seconds == 72
