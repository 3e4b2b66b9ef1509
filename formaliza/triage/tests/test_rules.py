"""The scheduler's rules with a controllable clock: the agendar message once, the 30-minute
escalation to a call task, the same-day payment rule, the daily follow-up; opt-out and window
gates respected; the same rule run twice acts once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from formaliza.accounts.actors import Actor
from formaliza.conversations.models import Message
from formaliza.conversations.services import TemplateInput
from formaliza.conversations.services import template_save as wa_template_save
from formaliza.conversations.services.conversations import handle_for_outbound
from formaliza.conversations.tests.helpers import sms_channel, whatsapp_channel
from formaliza.core import clock
from formaliza.core.errors import ValidationFailed
from formaliza.triage.events import Who
from formaliza.triage.models import CertificateOrder, OrderEvent
from formaliza.triage.services import (
    ContactInput,
    contact_record,
    order_message_send,
    template_save,
    triage_rules_run,
)
from formaliza.triage.tests.helpers import make_order

NINE = dt.datetime(2026, 12, 3, 9, 0, tzinfo=clock.SAO_PAULO)
PHONE = "+5511987654321"


@pytest.fixture
def whatsapp(kit):
    channel = whatsapp_channel(kit.tenant)
    wa_template_save(tenant=kit.tenant, channel_id=channel.pk, data=TemplateInput(
        name="triagem_agendar", language="pt_BR", category="utility",
        components=[{"type": "BODY", "text": "Olá {{1}}, vamos agendar? {{2}}"}]))  # fmt: skip
    template_save(tenant=kit.tenant, worklist="agendar", user=None,
                  body="Olá {nome}! Agende: {link_agendamento}",
                  whatsapp_template="triagem_agendar")  # fmt: skip
    return channel


def _order(kit, worklist="agendar", **kw):
    return make_order(kit.tenant, worklist, client_name="Ana Souza", client_phone=PHONE, **kw)


def _fresh(order) -> CertificateOrder:
    return CertificateOrder.objects.get(pk=order.pk)


def test_agendar_message_once_then_a_call_task_after_30_minutes(kit, whatsapp):
    with time_machine.travel(NINE, tick=False):
        order = _order(kit)
        first = triage_rules_run()
        again = triage_rules_run()
    assert first.acted == {"agendar_message": 1} and again.acted == {}
    message = Message.objects.get()
    assert message.kind == "template" and "Olá Ana, vamos agendar?" in message.body
    assert _fresh(order).next_step.label == "Ligar para confirmar agendamento"
    with time_machine.travel(NINE + dt.timedelta(minutes=29), tick=False):
        assert triage_rules_run().acted == {}
    with time_machine.travel(NINE + dt.timedelta(minutes=31), tick=False):
        assert triage_rules_run().acted == {"agendar_escalate": 1}
        assert triage_rules_run().acted == {}
    order = _fresh(order)
    assert order.call_task_at is not None and order.next_step.label.startswith("Ligar agora")
    assert order.events.filter(kind=OrderEvent.Kind.RULE).count() == 1
    assert Message.objects.count() == 1


def test_a_reply_inside_30_minutes_is_not_escalated(kit, whatsapp):
    with time_machine.travel(NINE, tick=False):
        order = _order(kit)
        triage_rules_run()
    handle = Message.objects.get().handle
    handle.last_inbound_at = NINE + dt.timedelta(minutes=10)
    handle.save()
    with time_machine.travel(NINE + dt.timedelta(hours=2), tick=False):
        assert triage_rules_run().acted == {}
    assert _fresh(order).call_task_at is None


def test_inside_the_window_the_text_goes_and_the_custom_text_is_used(kit, whatsapp):
    handle = handle_for_outbound(channel=whatsapp, to=PHONE)
    handle.last_inbound_at = clock.now()
    handle.save()
    _order(kit)
    triage_rules_run()
    message = Message.objects.get()
    assert message.kind == "text"
    assert message.body.startswith("Olá Ana! Agende: http://127.0.0.1:8000/t/agendar/")


def test_opt_out_sends_nothing_anywhere_and_makes_a_call_task(kit, whatsapp):
    sms_channel(kit.tenant)
    handle = handle_for_outbound(channel=whatsapp, to=PHONE)
    handle.opted_out_at = clock.now()
    handle.save()
    order = _order(kit)
    assert triage_rules_run().acted == {"agendar_message": 1}
    assert triage_rules_run().acted == {}
    assert not Message.objects.exists()
    order = _fresh(order)
    assert order.call_task_at is not None
    assert order.events.filter(text__startswith="Mensagem não enviada.").count() == 1


def test_window_closed_without_whatsapp_template_falls_back_to_sms(kit):
    whatsapp_channel(kit.tenant)
    sms = sms_channel(kit.tenant)
    order = _order(kit, "pagamentos")
    actor = Actor.of_user(kit.users["operator"])
    attempt = order_message_send(order=order, actor=actor, who=Who.of(actor))
    message = Message.objects.get()
    assert message.channel_id == sms.pk and attempt.channel == "sms"
    assert "boleto" in message.body


def test_payment_message_without_reply_the_same_day_becomes_a_call_task(kit):
    sms_channel(kit.tenant)
    actor = Actor.of_user(kit.users["operator"])
    with time_machine.travel(NINE + dt.timedelta(hours=1), tick=False):
        order = _order(kit, "pagamentos")
        order_message_send(order=order, actor=actor, who=Who.of(actor))
    with time_machine.travel(NINE.replace(hour=16, minute=59), tick=False):
        assert triage_rules_run().acted == {}
    with time_machine.travel(NINE.replace(hour=17), tick=False):
        assert triage_rules_run().acted == {"payment_same_day": 1}
        assert triage_rules_run().acted == {}
    assert _fresh(order).call_task_reason == "sem resposta à cobrança no mesmo dia."


def test_daily_follow_up_brings_the_order_back_in_the_morning(kit):
    operator = Who.of(Actor.of_user(kit.users["operator"]))
    with time_machine.travel(NINE.replace(hour=15), tick=False):
        order = _order(kit, "documentos")
        contact_record(order=order, kind="call", data=ContactInput(outcome="sem_resposta"),
                       who=operator)  # fmt: skip
    with time_machine.travel(NINE + dt.timedelta(hours=22), tick=False):  # 07:00 next day
        assert triage_rules_run().acted == {}
    with time_machine.travel(NINE + dt.timedelta(hours=23, minutes=1), tick=False):
        assert triage_rules_run().acted == {"follow_up": 1}
        assert triage_rules_run().acted == {}
    order = _fresh(order)
    assert order.follow_up_at is None
    assert order.events.last().text == "Acompanhamento diário: o pedido voltou para a lista."


def test_a_template_with_an_unknown_variable_is_refused(kit):
    with pytest.raises(ValidationFailed) as caught:
        template_save(tenant=kit.tenant, worklist="agendar", body="Olá {cliente}",
                      whatsapp_template="", user=None)  # fmt: skip
    assert caught.value.fields[0].message.startswith("Variável desconhecida: {cliente}.")


def test_the_accountant_request_needs_an_email_and_an_email_channel(kit):
    from formaliza.core.errors import ApplicationError
    from formaliza.triage.services import order_accountant_request

    actor = Actor.of_user(kit.users["operator"])
    no_email = _order(kit, "documentos")
    with pytest.raises(ApplicationError) as missing:
        order_accountant_request(order=no_email, actor=actor, who=Who.of(actor))
    with_email = _order(kit, "documentos", accountant_email="c@example.com")
    with pytest.raises(ApplicationError) as no_channel:
        order_accountant_request(order=with_email, actor=actor, who=Who.of(actor))
    assert missing.value.code == "triage_no_accountant"
    assert no_channel.value.code == "triage_no_email_channel"
    assert not Message.objects.exists() and not with_email.attempts.exists()
