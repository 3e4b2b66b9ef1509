"""SMS through Zenvia's API format (fake) and e-mail through EMAIL_BACKEND: the same message and
receipt model as WhatsApp."""

import pytest
from django.core import mail
from django.test import Client

from formaliza.accounts.roles import Role
from formaliza.conversations.errors import InvalidContent
from formaliza.conversations.models import ContactHandle, Message
from formaliza.conversations.services import (
    ChannelInput,
    channel_create,
    message_send_choices,
    message_send_email,
    message_send_text,
)
from formaliza.conversations.tests.helpers import deliver, fixture, sms_channel, webhook_path
from formaliza.conversations.tests.media_samples import PDF
from formaliza.core.testing import run_queued_tasks


@pytest.fixture
def sms(kit, fake_api):
    return sms_channel(kit.tenant, fake_api, opt_out_keywords=["SAIR", "PARAR"])


def post_zenvia(channel, body: bytes, token: str | None = None):
    headers = {"X-Formaliza-Webhook-Token": channel.app_secret if token is None else token}
    return Client().post(
        webhook_path(channel), data=body, content_type="application/json", headers=headers
    )


def test_sms_goes_in_zenvias_format_any_time_and_gets_receipts(kit, fake_api, sms, handlers):
    message = message_send_text(actor=kit.actor(Role.OPERATOR), channel=sms, to="(11) 98765-4321",
                                text="Seu link de formalização: https://exemplo/j/abc")  # fmt: skip
    run_queued_tasks()
    (sent,) = fake_api.sent
    assert sent["payload"] == {
        "from": "formaliza", "to": "5511987654321",
        "contents": [{"type": "text", "text": "Seu link de formalização: https://exemplo/j/abc"}],
    }  # fmt: skip
    message.refresh_from_db()
    assert message.status == "accepted" and message.provider_message_id == sent["id"]

    assert set(deliver(fake_api)) == {200}
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == "delivered" and message.sent_at and message.delivered_at
    assert [s for (_, _, s) in [c for c in handlers if c[0] == "status"]] == [
        "accepted",
        "sent",
        "delivered",
    ]


def test_sms_choices_are_numbered_text(kit, fake_api, sms):
    message_send_choices(actor=kit.actor(Role.OPERATOR), channel=sms, to="11987654321", body="Deseja continuar?",
                         choices=[("s", "Sim"), ("n", "Não")])  # fmt: skip
    run_queued_tasks()
    text = fake_api.sent[0]["payload"]["contents"][0]["text"]
    assert "1 - Sim\n2 - Não" in text


def test_undeliverable_sms_fails_with_the_cause(kit, fake_api, sms):
    message = message_send_text(
        actor=kit.actor(Role.OPERATOR), channel=sms, to="11987650000", text="Oi"
    )
    run_queued_tasks()
    deliver(fake_api)
    run_queued_tasks()
    message.refresh_from_db()
    assert (message.status, message.error_code, message.error_title) == (
        "failed",
        "not_delivered",
        "Número inexistente",
    )


def test_inbound_sms_and_its_opt_out_keyword(kit, sms, handlers):
    body = fixture("sms_message", "zenvia")
    assert post_zenvia(sms, body).status_code == 200
    run_queued_tasks()
    message = Message.objects.get(direction="in")
    assert (message.kind, message.body, message.consent_action) == ("text", "SAIR", "opt_out")
    handle = ContactHandle.objects.get(channel=sms)
    assert handle.address == "+5511987654321" and handle.opted_out_at is not None
    assert [c for c in handlers if c[0] == "inbound"] == []


def test_zenvia_status_fixtures_apply_to_our_message(kit, fake_api, sms):
    message = message_send_text(
        actor=kit.actor(Role.OPERATOR), channel=sms, to="11987654321", text="Oi"
    )
    run_queued_tasks()
    fake_api.take_deliveries()
    Message.objects.filter(pk=message.pk).update(provider_message_id="ZENVIA-OUT-1")
    for name in ("sms_status_delivered", "sms_status_not_delivered"):
        assert post_zenvia(sms, fixture(name, "zenvia")).status_code == 200
    run_queued_tasks()
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", "not_delivered")
    assert message.delivered_at is not None  # the receipt before the failure is kept


def test_zenvia_webhook_without_the_channel_token_changes_nothing(sms):
    from formaliza.conversations.models import InboundEvent

    body = fixture("sms_message", "zenvia")
    assert post_zenvia(sms, body, token="").status_code == 403
    assert post_zenvia(sms, body, token="outro-token").status_code == 403
    assert InboundEvent.objects.count() == 0


def test_zenvia_whatsapp_button_reply(kit, fake_api):
    channel = channel_create(tenant=kit.tenant, data=ChannelInput(
        name="WhatsApp Zenvia", kind="whatsapp", provider="zenvia", sender_id="5511940001000",
        access_token="tok"))  # fmt: skip
    assert post_zenvia(channel, fixture("whatsapp_button_reply", "zenvia")).status_code == 200
    run_queued_tasks()
    message = Message.objects.get()
    assert (message.kind, message.choice_id, message.handle.profile_name) == (
        "button_reply",
        "continuar",
        "Maria Santos",
    )


@pytest.fixture
def email_channel(kit, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return channel_create(tenant=kit.tenant, data=ChannelInput(
        name="E-mail", kind="email", provider="email", sender_id="Promotora <contato@promotora.com.br>"))  # fmt: skip


def test_email_is_sent_through_email_backend_with_attachments(kit, email_channel, handlers):
    message = message_send_email(
        actor=kit.actor(Role.OPERATOR), channel=email_channel, to="Maria@Example.com",
        subject="Seu contrato", text="Segue o contrato.", html="<p>Segue o contrato.</p>",
        files=[("contrato.pdf", "application/pdf", PDF)], reference="journey:1",
    )  # fmt: skip
    run_queued_tasks()
    (email,) = mail.outbox
    assert (email.subject, email.to, email.from_email) == (
        "Seu contrato",
        ["maria@example.com"],
        "Promotora <contato@promotora.com.br>",
    )
    assert email.attachments[0][0] == "contrato.pdf" and email.attachments[0][1] == PDF
    assert email.alternatives[0][1] == "text/html"
    message.refresh_from_db()
    assert message.status == "sent" and message.sent_at is not None
    assert email.extra_headers["Message-ID"].strip("<>") == message.provider_message_id
    assert message.handle.address == "maria@example.com"
    assert ("status", message.pk, "sent") in handlers


def test_email_server_down_is_retried(kit, email_channel, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    message = message_send_email(actor=kit.actor(Role.OPERATOR), channel=email_channel, to="maria@example.com",
                                 subject="Oi", text="Oi")  # fmt: skip
    run_queued_tasks()
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("queued", "smtp_error")


def test_invalid_email_address(kit, email_channel):
    with pytest.raises(InvalidContent) as invalid:
        message_send_email(
            actor=kit.actor(Role.OPERATOR),
            channel=email_channel,
            to="maria@",
            subject="Oi",
            text="Oi",
        )
    assert invalid.value.fields[0].field == "to"
    assert Message.objects.count() == 0
