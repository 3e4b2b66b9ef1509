"""At-least-once delivery: replays, reordering and concurrent duplicates cause no second message,
status change or handler call, and statuses never go back."""

import itertools
import json

import pytest

from formaliza.accounts.roles import Role
from formaliza.conversations.fake_provider import payloads
from formaliza.conversations.models import (
    Attachment,
    ContactHandle,
    Conversation,
    InboundEvent,
    Message,
    Receipt,
)
from formaliza.conversations.services import message_send_text
from formaliza.conversations.tests.helpers import client_says, deliver, fixture, post_signed
from formaliza.conversations.tests.media_samples import FIXTURE_MEDIA
from formaliza.core.testing import run_queued_tasks

MESSAGE_FIXTURES = [
    "text", "text_legacy_wa_id", "text_referral", "image", "audio", "document", "location",
    "contacts", "button", "interactive_button_reply", "interactive_list_reply", "unsupported",
    "system", "batch",
]  # fmt: skip


def _snapshot():
    return {
        "messages": sorted(Message.objects.values_list("provider_message_id", "kind", "choice_id")),
        "handles": ContactHandle.objects.count(),
        "conversations": Conversation.objects.count(),
        "attachments": Attachment.objects.filter(status="stored").count(),
    }


def test_replaying_every_fixture_in_any_order_has_no_second_effect(fake_api, channel, handlers):
    fake_api.media.update(FIXTURE_MEDIA)
    for name in MESSAGE_FIXTURES:
        post_signed(channel, fixture(name))
    run_queued_tasks()
    first = _snapshot()
    calls = list(handlers)

    # The same POSTs again (identical bodies), then re-batched: every message in its own
    # envelope with another byte layout, in reverse order.
    for name in reversed(MESSAGE_FIXTURES):
        post_signed(channel, fixture(name))
    for name in reversed(MESSAGE_FIXTURES):
        envelope = json.loads(fixture(name))
        for entry in envelope["entry"]:
            for change in entry["changes"]:
                for message in change["value"].get("messages", []):
                    single = {
                        **envelope,
                        "entry": [
                            {
                                **entry,
                                "changes": [
                                    {**change, "value": {**change["value"], "messages": [message]}}
                                ],
                            }
                        ],
                    }
                    post_signed(channel, json.dumps(single, indent=1).encode())
    run_queued_tasks()

    assert _snapshot() == first
    assert handlers == calls  # no handler ran twice
    assert len(first["messages"]) == 16


def _sent_message(kit, fake_api, channel):
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    message = message_send_text(
        actor=kit.actor(Role.ATTENDANT), channel=channel, to="11987654321", text="Olá!"
    )
    run_queued_tasks()
    return message


@pytest.mark.parametrize("order", list(itertools.permutations(["sent", "delivered", "read"])))
def test_statuses_are_monotonic_whatever_the_order(kit, fake_api, channel, handlers, order):
    message = _sent_message(kit, fake_api, channel)
    deliveries = {
        json.loads(d.body)["entry"][0]["changes"][0]["value"]["statuses"][0]["status"]: d
        for d in fake_api.take_deliveries()
    }
    handlers.clear()
    for status in order:
        fake_api.collected.append(deliveries[status])
        assert deliver(fake_api, times=2) == [200, 200]  # each one twice
        run_queued_tasks()

    message.refresh_from_db()
    assert message.status == "read"
    assert message.sent_at and message.delivered_at and message.read_at
    assert Receipt.objects.filter(message=message).count() == 3
    # Handlers hear of each advance once; a late 'delivered' after 'read' is not an advance.
    advances = [c[2] for c in handlers]
    assert advances[-1] == "read" and len(advances) == len(set(advances))
    assert "delivered" not in advances[advances.index("read") :]


def test_delivered_may_be_skipped_when_read_at_once(kit, fake_api, channel):
    message = _sent_message(kit, fake_api, channel)
    reads = [d for d in fake_api.take_deliveries() if b'"status":"read"' in d.body]
    fake_api.collected.extend(reads)
    deliver(fake_api)
    run_queued_tasks()
    message.refresh_from_db()
    assert (message.status, message.delivered_at) == ("read", None)


def test_failed_is_terminal(kit, fake_api, channel):
    message = _sent_message(kit, fake_api, channel)
    fake_api.take_deliveries()
    failed = payloads.meta_statuses(
        waba_id=channel.business_account_id, phone_number_id=channel.phone_number_id,
        display_phone="5511940001000",
        statuses=[payloads.meta_status(message_id=message.provider_message_id if message.provider_message_id else "x",
                                       status="failed", recipient_id="5511987654321",
                                       error=payloads.meta_error(131026, "Message undeliverable", "x"))],
    )  # fmt: skip
    message.refresh_from_db()
    failed["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = message.provider_message_id
    post_signed(channel, payloads.dumps(failed))
    late = payloads.meta_statuses(
        waba_id=channel.business_account_id, phone_number_id=channel.phone_number_id,
        display_phone="5511940001000",
        statuses=[payloads.meta_status(message_id=message.provider_message_id, status="read", recipient_id="5511987654321")],
    )  # fmt: skip
    post_signed(channel, payloads.dumps(late))
    run_queued_tasks()
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", "131026")


def test_a_receipt_before_the_send_answer_is_linked_when_the_id_is_known(kit, fake_api, channel):
    """The status webhook can beat our worker's commit of the provider id."""
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    message = message_send_text(
        actor=kit.actor(Role.ATTENDANT), channel=channel, to="11987654321", text="Olá"
    )
    early = payloads.meta_statuses(
        waba_id=channel.business_account_id, phone_number_id=channel.phone_number_id,
        display_phone="5511940001000",
        statuses=[payloads.meta_status(message_id="wamid.EARLY", status="delivered", recipient_id="5511987654321")],
    )  # fmt: skip
    post_signed(channel, payloads.dumps(early))
    run_queued_tasks()  # dispatches (the fake gives another wamid) and records the orphan
    orphan = Receipt.objects.get(provider_message_id="wamid.EARLY")
    assert orphan.message is None
    Message.objects.filter(pk=message.pk).update(provider_message_id="wamid.EARLY")

    from formaliza.conversations.services import receipts_link_orphans

    assert receipts_link_orphans() == 1
    message.refresh_from_db()
    assert message.status == "delivered"


def test_the_same_event_processed_twice_is_a_no_op(channel, handlers):
    post_signed(channel, fixture("text"))
    event = InboundEvent.objects.get()
    from formaliza.conversations.tasks import inbound_event_process

    inbound_event_process.enqueue(event.pk)  # a duplicate task
    run_queued_tasks()
    assert Message.objects.count() == 1
    assert len(handlers) == 1


def test_the_sweep_requeues_lost_event_tasks_and_prunes_old_raw_bodies(channel):
    import datetime as dt

    from django_tasks_db.models import DBTaskResult

    from formaliza.conversations.services.inbound import inbound_events_prune, inbound_events_sweep
    from formaliza.core import clock

    post_signed(channel, fixture("text"))
    DBTaskResult.objects.all().delete()  # the queue lost the processing task
    InboundEvent.objects.update(received_at=clock.now() - dt.timedelta(minutes=5))
    assert inbound_events_sweep() == 1
    run_queued_tasks()
    assert Message.objects.count() == 1

    assert inbound_events_prune(older_than_days=30) == 0
    InboundEvent.objects.update(received_at=clock.now() - dt.timedelta(days=31))
    assert inbound_events_prune(older_than_days=30) == 1
    assert Message.objects.count() == 1  # what the event said stays
