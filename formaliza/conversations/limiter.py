"""Send limiters shared by every worker, kept in the database.

Both use GCRA (the generic cell rate algorithm): one "theoretical arrival time" per key, read and
advanced under a row lock, so however many workers send, the reservations they get are spaced
`interval` apart (after an allowance of `burst` messages at once). Per number: throughput (80
msg/s by default, no burst: one slot every 12.5 ms). Per recipient: pacing (one message every
6 s after a burst of 5 by default), Meta's pair rate limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, transaction

from formaliza.conversations.models import ContactHandle, ThroughputLimiter


@dataclass(frozen=True)
class Slot:
    granted: bool
    wait: float  # granted: seconds to wait before the call; refused: seconds until one frees up
    at: float = 0.0  # granted: the reserved moment (unix seconds)


def gcra(*, tat: float, now: float, interval: float, burst: int, max_wait: float):
    """(slot, new tat). Pure: the arithmetic of the algorithm, tested on its own. `burst` is
    how many sends may go at once after a quiet period (1 = strictly spaced)."""
    tat = max(tat, now)
    allowed_at = tat - max(burst - 1, 0) * interval
    wait = max(0.0, allowed_at - now)
    if wait > max_wait:
        return Slot(granted=False, wait=wait), None
    return Slot(granted=True, wait=wait, at=now + wait), tat + interval


def _fast_commit() -> None:
    """A limiter's state need not survive a crash (losing the last few milliseconds of it is
    harmless), so on PostgreSQL its transactions skip the WAL flush: the row lock they hold is
    released as soon as the update is done, not after a disk sync."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def throughput_reserve(*, channel_id: int, per_second: int, max_wait: float) -> Slot:
    """Reserve the channel's next send slot, or say how long until one is free."""
    # One microsecond more than 1/rate: unix seconds in a double are only that precise, and
    # `rate` slots must never fit in one second even after rounding.
    interval = 1.0 / max(1, per_second) + 1e-6
    with transaction.atomic():
        _fast_commit()
        ThroughputLimiter.objects.get_or_create(channel_id=channel_id)
        row = ThroughputLimiter.objects.select_for_update().get(channel_id=channel_id)
        slot, tat = gcra(
            tat=row.tat, now=time.time(), interval=interval, burst=1, max_wait=max_wait
        )
        if slot.granted:
            ThroughputLimiter.objects.filter(channel_id=channel_id).update(tat=tat)
    return slot


def pacing_reserve(*, handle_id: int, interval: float, burst: int, max_wait: float) -> Slot:
    """Reserve the next send slot to one recipient."""
    if interval <= 0:
        return Slot(granted=True, wait=0.0)
    with transaction.atomic():
        _fast_commit()
        row = ContactHandle.objects.select_for_update().only("pk", "pace_tat").get(pk=handle_id)
        slot, tat = gcra(
            tat=row.pace_tat, now=time.time(), interval=interval, burst=burst, max_wait=max_wait
        )
        if slot.granted:
            ContactHandle.objects.filter(pk=handle_id).update(pace_tat=tat)
    return slot
