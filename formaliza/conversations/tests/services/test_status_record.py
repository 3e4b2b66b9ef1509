"""Receipts after a failure (issue 12, item 4): a failed message keeps its failure; later
receipts are recorded as raw events and receipts but fill no delivery or reading time."""

from formaliza.accounts.roles import Role
from formaliza.conversations.fake_provider import payloads
from formaliza.conversations.models import InboundEvent, Message, Receipt
from formaliza.conversations.services import message_send_text
from formaliza.conversations.tests.helpers import CLIENT_PHONE, client_says, post_signed
from formaliza.core.testing import run_queued_tasks


def _statuses(channel, *statuses: dict) -> bytes:
    return payloads.dumps(
        payloads.meta_statuses(
            waba_id=channel.business_account_id, phone_number_id=channel.phone_number_id,
            display_phone="5511940001000", statuses=list(statuses),
        )
    )  # fmt: skip


def _failed_message(kit, fake_api, channel) -> Message:
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    message = message_send_text(
        actor=kit.actor(Role.ATTENDANT), channel=channel, to="11987654321", text="Olá!"
    )
    run_queued_tasks()
    fake_api.take_deliveries()  # the fake's own receipts are not delivered
    message.refresh_from_db()
    error = payloads.meta_error(131026, "Message undeliverable", "Receiver is incapable")
    failed = payloads.meta_status(
        message_id=message.provider_message_id, status="failed", recipient_id=CLIENT_PHONE,
        error=error,
    )  # fmt: skip
    post_signed(channel, _statuses(channel, failed))
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == "failed"
    return message


def test_receipts_after_a_failure_fill_no_delivery_or_reading_time(kit, fake_api, channel):
    # given a message the provider reported failed
    message = _failed_message(kit, fake_api, channel)
    events_before = InboundEvent.objects.count()

    # when 'delivered' and 'read' arrive afterwards
    for status in ("delivered", "read"):
        late = payloads.meta_status(
            message_id=message.provider_message_id, status=status, recipient_id=CLIENT_PHONE
        )
        assert post_signed(channel, _statuses(channel, late)).status_code == 200
    run_queued_tasks()

    # then the message keeps its failure and no delivery or reading time
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", "131026")
    assert (message.delivered_at, message.read_at) == (None, None)
    # and the late receipts are still on record, raw and parsed
    assert InboundEvent.objects.count() == events_before + 2
    assert set(Receipt.objects.filter(message=message).values_list("status", flat=True)) == {
        "failed",
        "delivered",
        "read",
    }
