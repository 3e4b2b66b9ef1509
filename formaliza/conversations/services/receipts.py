"""Delivery receipts (AR digital): provider status updates recorded once and applied so that a
message's status only ever moves forward, whatever order or how many times they arrive."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction

from formaliza.conversations.models import (
    STATUS_RANK,
    Channel,
    ContactHandle,
    DispatchAttempt,
    Message,
    MessageStatus,
    Receipt,
)
from formaliza.conversations.ports import StatusUpdate
from formaliza.conversations.services.hooks import status_handlers_enqueue
from formaliza.conversations.services.turns import next_turn_enqueue
from formaliza.core import clock

S = MessageStatus
TIME_FIELDS = {
    S.SENT: "sent_at",
    S.DELIVERED: "delivered_at",
    S.READ: "read_at",
    S.FAILED: "failed_at",
    "deleted": "deleted_at",
}


def _message_for(channel: Channel, update: StatusUpdate) -> Message | None:
    if update.callback_data:
        try:
            public_id = uuid.UUID(update.callback_data)
        except ValueError:
            public_id = None
        if public_id is not None:
            found = Message.objects.filter(channel=channel, public_id=public_id).first()
            if found is not None:
                return found
    if update.provider_message_id:
        return Message.objects.filter(
            channel=channel, provider_message_id=update.provider_message_id
        ).first()
    return None


def status_record(*, channel: Channel, update: StatusUpdate) -> Receipt | None:
    """Record one status update; None when it was already recorded (a replay)."""
    if update.status not in TIME_FIELDS or not update.provider_message_id:
        return None
    message = _message_for(channel, update)
    try:
        with transaction.atomic():
            receipt = Receipt.objects.create(
                tenant_id=channel.tenant_id, channel=channel, message=message,
                provider_message_id=update.provider_message_id,
                callback_data=update.callback_data[:512], status=update.status,
                occurred_at=update.timestamp, received_at=clock.now(),
                error_code=update.error_code[:40], error_title=update.error_title[:300],
                error_detail=update.error_detail,
                data={**update.data, "recipient_id": update.recipient},
            )  # fmt: skip
    except IntegrityError:
        return None
    if message is not None:
        receipt_apply(message=message, receipt=receipt)
    return receipt


def receipt_apply(*, message: Message, receipt: Receipt) -> bool:
    """Apply a receipt to its message under a row lock. True when the status advanced."""
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.status == S.FAILED:
            # A failed message keeps its failure: a later receipt (a provider's late or
            # contradictory report) stays on record as a receipt and changes nothing here.
            message.status = locked.status
            return False
        was_in_flight = locked.status == S.SENDING
        field = TIME_FIELDS[receipt.status]
        if getattr(locked, field) is None:
            setattr(locked, field, receipt.occurred_at)
        if not locked.provider_message_id:
            locked.provider_message_id = receipt.provider_message_id
        advanced = False
        if (
            receipt.status in STATUS_RANK
            and STATUS_RANK[receipt.status] > STATUS_RANK[locked.status]
        ):
            locked.status = receipt.status
            advanced = True
        if advanced and receipt.status == S.FAILED:
            locked.error_code = receipt.error_code or "not_delivered"
            locked.error_title, locked.error_detail = receipt.error_title, receipt.error_detail
        if advanced and was_in_flight:
            # The provider had the message although our worker never heard back (it died or
            # is still finishing): the attempt did reach it.
            locked.claimed_until = None
            locked.accepted_at = locked.accepted_at or receipt.occurred_at
            DispatchAttempt.objects.filter(
                message=locked, outcome=DispatchAttempt.Outcome.IN_FLIGHT
            ).update(outcome=DispatchAttempt.Outcome.ACCEPTED, finished_at=clock.now())
        locked.save()
        if receipt.status == S.FAILED and receipt.error_code == "131050":
            ContactHandle.objects.filter(
                pk=locked.handle_id, marketing_blocked_at__isnull=True
            ).update(marketing_blocked_at=clock.now())
        if advanced:
            status_handlers_enqueue(message_id=locked.pk, status=locked.status)
            if was_in_flight:
                next_turn_enqueue(message=locked)
    message.status = locked.status
    return advanced


def receipts_link_orphans(*, limit: int = 1000) -> int:
    """Attach receipts that came before their message's provider id was known."""
    linked = 0
    # Receipts of messages sent by other systems on the same number never find a message;
    # look only at recent ones so they do not crowd out the rest.
    since = clock.now() - dt.timedelta(days=1)
    orphans = Receipt.objects.filter(message__isnull=True, received_at__gte=since).order_by("-id")[
        :limit
    ]
    for receipt in orphans:
        message = _message_for(
            receipt.channel,
            StatusUpdate(
                provider_message_id=receipt.provider_message_id, status=receipt.status,
                timestamp=receipt.occurred_at, callback_data=receipt.callback_data,
            ),
        )  # fmt: skip
        if message is None:
            continue
        Receipt.objects.filter(pk=receipt.pk).update(message=message)
        receipt_apply(message=message, receipt=receipt)
        linked += 1
    return linked
