"""message_send and its gates: the 24-hour window, consent (opt-out, /bloquear, 131050,
marketing opt-in), channel state, templates; outbox in the caller's transaction."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from formaliza.accounts.roles import Role
from formaliza.conversations.errors import MessageRefused
from formaliza.conversations.models import ContactHandle, Message
from formaliza.conversations.services import (
    TemplateInput,
    consent_set,
    message_send_template,
    message_send_text,
    template_save,
)
from formaliza.conversations.tests.helpers import client_says, deliver
from formaliza.core import clock
from formaliza.core.errors import NotFound, PermissionDenied
from formaliza.core.testing import queued_tasks, run_queued_tasks

PHONE = "(11) 98765-4321"


@pytest.fixture
def templates(kit, fake_api, channel):
    for name, category in (("convite", "utility"), ("promocao", "marketing")):
        components = [{"type": "BODY", "text": "Olá {{1}}, tudo bem?"}]
        template_save(
            tenant=kit.tenant, channel_id=channel.pk,
            data=TemplateInput(name=name, language="pt_BR", category=category, components=components),
        )  # fmt: skip
        fake_api.register_template(
            channel.business_account_id,
            {
                "name": name,
                "language": "pt_BR",
                "category": category.upper(),
                "components": components,
            },
        )


def nothing_written():
    return Message.objects.filter(direction="out").count() == 0 and not queued_tasks(
        "message_dispatch"
    )


def test_free_text_is_refused_outside_the_window_with_a_clear_reason(kit, channel):
    with pytest.raises(MessageRefused) as refused:
        message_send_text(actor=kit.actor(Role.ATTENDANT), channel=channel, to=PHONE, text="Oi")
    assert refused.value.code == "window_closed"
    assert "24 horas" in refused.value.message and "ainda não escreveu" in refused.value.message
    assert nothing_written()


def test_free_text_goes_inside_the_window_and_not_after_it_closes(kit, fake_api, channel):
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    message = message_send_text(
        actor=kit.actor(Role.ATTENDANT), channel=channel, to=PHONE, text="Olá"
    )
    assert (message.status, message.kind) == ("queued", "text")

    later = clock.now() + dt.timedelta(hours=24, minutes=1)
    with time_machine.travel(later), pytest.raises(MessageRefused) as refused:
        message_send_text(
            actor=kit.actor(Role.ATTENDANT), channel=channel, to=PHONE, text="Oi de novo"
        )
    assert "Última mensagem do cliente" in refused.value.message


def test_the_window_is_checked_again_right_before_the_call(kit, fake_api, channel, handlers):
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    message = message_send_text(
        actor=kit.actor(Role.ATTENDANT), channel=channel, to=PHONE, text="Olá"
    )
    later = clock.now() + dt.timedelta(hours=25)

    with time_machine.travel(later):
        run_queued_tasks()

    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", "window_closed")
    assert fake_api.sent == []  # refused before any API call
    assert ("status", message.pk, "failed") in handlers


def test_templates_go_outside_the_window(kit, fake_api, channel, templates):
    message = message_send_template(
        actor=kit.actor(Role.OPERATOR),
        channel=channel,
        to=PHONE,
        template="convite",
        variables=["Maria Santos"],
    )
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == "accepted"
    assert message.body == "Olá Maria Santos, tudo bem?"
    (sent,) = fake_api.sent
    assert sent["payload"]["template"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "Maria Santos"}]}
    ]
    assert sent["payload"]["biz_opaque_callback_data"] == str(message.public_id)


def test_opted_out_client_gets_nothing(kit, fake_api, channel, templates):
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    handle = ContactHandle.objects.get()
    consent_set(tenant=kit.tenant, handle_id=handle.pk, opted_out=True, source="telefone")

    for send in (
        lambda: message_send_text(
            actor=kit.actor(Role.ATTENDANT), channel=channel, to=PHONE, text="Oi"
        ),
        lambda: message_send_template(
            actor=kit.actor(Role.OPERATOR),
            channel=channel,
            to=PHONE,
            template="convite",
            variables=["Maria"],
        ),
    ):
        with pytest.raises(MessageRefused) as refused:
            send()
        assert refused.value.code == "opted_out"
    assert Message.objects.filter(direction="out").count() == 0


def test_bloquear_opts_out_at_once_confirms_once_and_blocks_what_was_queued(
    kit, fake_api, channel, templates, handlers
):
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    handlers.clear()
    # The opt-out is received (not yet processed) while a template waits in the outbox.
    client_says(fake_api, channel, " /BLOQUEAR ")
    queued = message_send_template(
        actor=kit.actor(Role.OPERATOR),
        channel=channel,
        to=PHONE,
        template="convite",
        variables=["Maria"],
    )

    run_queued_tasks()

    handle = ContactHandle.objects.get()
    assert handle.opted_out_at is not None and "/BLOQUEAR" in handle.opt_out_source
    command = Message.objects.get(direction="in", body__icontains="bloquear")
    assert command.consent_action == "opt_out"
    assert ("inbound", command.pk) not in handlers  # the flow never sees the command
    queued.refresh_from_db()
    assert (queued.status, queued.error_code) == ("failed", "opted_out")
    confirmations = [s for s in fake_api.sent if s["payload"]["type"] == "text"]
    assert (
        len(confirmations) == 1
        and "não receberá mais" in confirmations[0]["payload"]["text"]["body"]
    )

    client_says(fake_api, channel, "/bloquear")  # again: no second confirmation
    run_queued_tasks()
    assert len([s for s in fake_api.sent if s["payload"]["type"] == "text"]) == 1


def test_configured_keywords_and_desbloquear(kit, fake_api, channel):
    channel.opt_out_keywords = ["/bloquear", "Parar de receber"]
    channel.save()
    client_says(fake_api, channel, "parar   de RECEBER")
    run_queued_tasks()
    handle = ContactHandle.objects.get()
    assert handle.opted_out_at is not None

    client_says(fake_api, channel, "/desbloquear")
    run_queued_tasks()
    handle.refresh_from_db()
    assert (handle.opted_out_at, handle.opted_in_at is not None) == (None, True)
    message = message_send_text(
        actor=kit.actor(Role.ATTENDANT), channel=channel, to=PHONE, text="Bem-vinda de volta"
    )
    assert message.status == "queued"


def test_marketing_needs_opt_in_and_131050_suppresses_it(kit, fake_api, channel, templates):
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    with pytest.raises(MessageRefused) as refused:
        message_send_template(actor=kit.actor(Role.OPERATOR), channel=channel, to=PHONE,
                              template="promocao", variables=["Maria"])  # fmt: skip
    assert refused.value.code == "marketing_needs_opt_in"
    handle = ContactHandle.objects.get()
    consent_set(tenant=kit.tenant, handle_id=handle.pk, opted_out=False, source="formulário")
    message = message_send_template(actor=kit.actor(Role.OPERATOR), channel=channel, to=PHONE,
                                    template="promocao", variables=["Maria"])  # fmt: skip
    assert message.status == "queued"
    ContactHandle.objects.filter(pk=handle.pk).update(marketing_blocked_at=clock.now())
    with pytest.raises(MessageRefused) as refused:
        message_send_template(actor=kit.actor(Role.OPERATOR), channel=channel, to=PHONE,
                              template="promocao", variables=["Maria"])  # fmt: skip
    assert refused.value.code == "marketing_blocked"
    # Utility templates are not marketing: they still go.
    message_send_template(actor=kit.actor(Role.OPERATOR), channel=channel, to=PHONE,
                          template="convite", variables=["Maria"])  # fmt: skip


def test_outbox_row_and_task_roll_back_with_the_callers_transaction(kit, channel, templates):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        message_send_template(actor=kit.actor(Role.OPERATOR), channel=channel, to=PHONE,
                              template="convite", variables=["Maria"])  # fmt: skip
        raise Boom
    assert nothing_written()
    assert DBTaskResult.objects.count() == 0


def test_idempotency_key_returns_the_first_message(kit, fake_api, channel, templates):
    first = message_send_template(actor=kit.actor(Role.OPERATOR), channel=channel, to=PHONE,
                                  template="convite", variables=["Maria"], idempotency_key="journey:1:invite")  # fmt: skip
    again = message_send_template(actor=kit.actor(Role.OPERATOR), channel=channel, to=PHONE,
                                  template="convite", variables=["Maria"], idempotency_key="journey:1:invite")  # fmt: skip
    run_queued_tasks()
    assert again.pk == first.pk
    assert len(fake_api.sent) == 1


def test_reference_finds_the_messages_and_their_receipts(kit, fake_api, channel, templates):
    from formaliza.conversations.selectors import messages_by_reference

    message = message_send_template(actor=kit.actor(Role.OPERATOR), channel=channel, to=PHONE,
                                    template="convite", variables=["Maria"], reference="journey:abc")  # fmt: skip
    run_queued_tasks()
    deliver(fake_api)
    run_queued_tasks()
    (found,) = messages_by_reference(tenant=kit.tenant, reference="journey:abc")
    assert found.pk == message.pk
    assert [r.status for r in found.receipts.all()] == ["sent", "delivered", "read"]


def test_another_tenants_channel_is_not_found_and_nothing_is_sent(
    kit, other_kit, fake_api, channel, templates
):
    with pytest.raises(NotFound):
        message_send_template(actor=other_kit.actor(Role.OPERATOR), channel=channel.pk, to=PHONE,
                              template="convite", variables=["Maria"])  # fmt: skip
    assert nothing_written()


def test_correspondents_cannot_send(kit, channel, templates):
    with pytest.raises(PermissionDenied):
        message_send_template(actor=kit.actor(Role.CORRESPONDENT), channel=channel, to=PHONE,
                              template="convite", variables=["Maria"])  # fmt: skip
    assert nothing_written()


def test_inactive_channel_refuses(kit, channel, templates):
    channel.is_active = False
    channel.save()
    with pytest.raises(MessageRefused) as refused:
        message_send_template(actor=kit.actor(Role.OPERATOR), channel=channel, to=PHONE,
                              template="convite", variables=["Maria"])  # fmt: skip
    assert refused.value.code == "channel_inactive"


def test_invalid_phone_is_a_field_error(kit, channel, templates):
    from formaliza.conversations.errors import InvalidContent

    with pytest.raises(InvalidContent) as invalid:
        message_send_template(actor=kit.actor(Role.OPERATOR), channel=channel, to="1234",
                              template="convite", variables=["Maria"])  # fmt: skip
    assert invalid.value.fields[0].field == "to"
    assert nothing_written()


def test_welcome_message_greets_a_new_atendimento_with_buttons(kit, fake_api, channel):
    channel.welcome_text = "Olá! Sou a assistente virtual."
    channel.welcome_choices = ["Começar", "Falar com atendente"]
    channel.save()
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    client_says(fake_api, channel, "Oi de novo")  # same atendimento: no second greeting
    run_queued_tasks()
    (sent,) = fake_api.sent
    assert sent["payload"]["interactive"]["type"] == "button"
    titles = [b["reply"]["title"] for b in sent["payload"]["interactive"]["action"]["buttons"]]
    assert titles == ["Começar", "Falar com atendente"]
