"""The intake rule: the client's message is always stored, whatever happens to any reply,
flow step or side effect after it; a reply that cannot be sent is recorded as refused with
its reason (issue 12, item 1)."""

import time

from formaliza.conversations.fake_provider import payloads
from formaliza.conversations.models import InboundEvent, Message
from formaliza.conversations.services import inbound_event_reprocess
from formaliza.conversations.tests.helpers import CLIENT_PHONE, post_signed
from formaliza.core.testing import run_queued_tasks

DAY_AND_A_HALF = 36 * 3600


def _old_message_webhook(channel, text: str, *, age_seconds: int = DAY_AND_A_HALF) -> bytes:
    """A signed delivery Meta retried for a day and a half: the message's own timestamp is
    older than the 24-hour window it would open."""
    message = payloads.meta_message(
        wa_id=CLIENT_PHONE, message_type="text", body={"text": {"body": text}},
        timestamp=int(time.time()) - age_seconds,
    )  # fmt: skip
    return payloads.dumps(
        payloads.meta_inbound(
            waba_id=channel.business_account_id, phone_number_id=channel.phone_number_id,
            display_phone="5511940001000", wa_id=CLIENT_PHONE, profile_name="Maria Santos",
            messages=[message],
        )
    )  # fmt: skip


def test_an_old_first_message_is_stored_although_the_welcome_cannot_go(kit, fake_api, channel):
    # given a channel that greets new atendimentos
    channel.welcome_text = "Olá! Sou a assistente virtual."
    channel.save()

    # when a first-time client's message arrives a day and a half late
    assert (
        post_signed(channel, _old_message_webhook(channel, "Quero formalizar")).status_code == 200
    )
    run_queued_tasks()

    # then the client's message is stored and the event processed
    inbound = Message.objects.get(direction="in")
    assert inbound.body == "Quero formalizar"
    assert InboundEvent.objects.get().status == InboundEvent.Status.PROCESSED
    # and the welcome is on record as refused, with its reason, and never reached the provider
    welcome = Message.objects.get(direction="out")
    assert (welcome.status, welcome.error_code) == ("failed", "window_closed")
    assert "24 horas" in welcome.error_title
    assert welcome.conversation_id == inbound.conversation_id
    assert fake_api.sent == []


def test_an_opt_out_is_kept_when_its_confirmation_cannot_go(kit, fake_api, channel):
    # given a channel that confirms opt-outs
    channel.opt_out_reply = "Pronto, você não receberá mais mensagens."
    channel.save()

    # when the client's "/bloquear" arrives after the window it would open has closed
    post_signed(channel, _old_message_webhook(channel, "/bloquear"))
    run_queued_tasks()

    # then the command is stored and honoured; the confirmation is recorded as refused
    command = Message.objects.get(direction="in")
    assert command.consent_action == "opt_out"
    assert command.handle.opted_out_at is not None
    confirmation = Message.objects.get(direction="out")
    assert (confirmation.status, confirmation.error_code) == ("failed", "window_closed")
    assert InboundEvent.objects.get().status == InboundEvent.Status.PROCESSED
    assert fake_api.sent == []


def test_reprocessing_a_failed_event_stores_its_message(kit, fake_api, channel):
    # given an event that failed before (stored raw, nothing applied)
    channel.welcome_text = "Olá!"
    channel.save()
    post_signed(channel, _old_message_webhook(channel, "Oi"))
    event = InboundEvent.objects.get()
    InboundEvent.objects.filter(pk=event.pk).update(status=InboundEvent.Status.FAILED)
    run_queued_tasks()  # the original task finds the event failed and skips it
    assert not Message.objects.exists()

    # when an operator reprocesses it
    inbound_event_reprocess(tenant=kit.tenant, event_id=event.pk)
    run_queued_tasks()

    # then the message is stored once and the event is processed
    assert Message.objects.filter(direction="in").count() == 1
    event.refresh_from_db()
    assert event.status == InboundEvent.Status.PROCESSED


def test_a_broken_handler_does_not_lose_the_message(kit, fake_api, channel, settings, caplog):
    # given an inbound handler that cannot be loaded (a misconfigured deployment)
    settings.CONVERSATION_INBOUND_HANDLERS = ["formaliza.conversations.tests.no_such_task"]

    # when a client writes (a fresh message: the window is open)
    post_signed(channel, _old_message_webhook(channel, "Oi", age_seconds=5))
    run_queued_tasks()

    # then the message is stored and the failure of what follows it is logged
    assert Message.objects.filter(direction="in", body="Oi").count() == 1
    assert "answering failed" in caplog.text
