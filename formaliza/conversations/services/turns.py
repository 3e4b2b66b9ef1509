"""One outbound message at a time per recipient: a message's dispatch is enqueued when it is
written (outbound.py), when it is postponed or retried (dispatch.py), and when the message
before it to the same recipient is done — accepted, failed, or completed by a receipt
(dispatch.py, receipts.py)."""

from __future__ import annotations

import datetime as dt

from formaliza.conversations.models import Message, MessageStatus
from formaliza.core import clock
from formaliza.core.tasks import enqueue

DISPATCH_TASK = "formaliza.conversations.tasks.message_dispatch"


def dispatch_enqueue(*, message_id: int, at: dt.datetime | None = None) -> None:
    enqueue(DISPATCH_TASK, message_id, run_after=at)


def next_turn_enqueue(*, message: Message) -> None:
    """Enqueue the next queued message to the same recipient, now that `message` is done."""
    following = (
        Message.objects.filter(
            handle_id=message.handle_id,
            direction=Message.Direction.OUTBOUND,
            status=MessageStatus.QUEUED,
            id__gt=message.pk,
        )
        .order_by("id")
        .values_list("pk", "next_attempt_at")
        .first()
    )
    if following is not None:
        pk, at = following
        dispatch_enqueue(message_id=pk, at=at if at and at > clock.now() else None)
