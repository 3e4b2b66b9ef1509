"""The database-backed limiters: the algorithm, and spacing that holds across workers."""

import itertools
import threading

import pytest
from django.db import connections

from formaliza.accounts.services import tenant_create
from formaliza.conversations.limiter import gcra, throughput_reserve
from formaliza.conversations.tests.helpers import whatsapp_channel


def test_gcra_spaces_reservations_after_the_burst():
    tat, now, grants = 0.0, 100.0, []
    for _ in range(5):
        slot, tat = gcra(tat=tat, now=now, interval=6.0, burst=3, max_wait=60)
        grants.append(slot.wait)
    assert grants == [0.0, 0.0, 0.0, 6.0, 12.0]


def test_gcra_refuses_beyond_the_longest_wait_without_consuming():
    slot, tat = gcra(tat=0.0, now=100.0, interval=1.0, burst=1, max_wait=0.5)
    slot2, tat2 = gcra(tat=tat, now=100.0, interval=1.0, burst=1, max_wait=0.5)
    assert slot.granted and not slot2.granted and tat2 is None
    assert slot2.wait == pytest.approx(1.0)


def test_gcra_recovers_after_idle_time():
    _, tat = gcra(tat=0.0, now=100.0, interval=1.0, burst=1, max_wait=5)
    slot, _ = gcra(tat=tat, now=200.0, interval=1.0, burst=1, max_wait=5)
    assert slot.wait == 0.0


@pytest.mark.django_db(transaction=True)
def test_throughput_is_never_exceeded_across_concurrent_workers():
    """Six 'workers' (threads, each with its own database connection) reserve slots as fast as
    they can; the slots they are granted never put more than `rate` sends in any second."""
    channel = whatsapp_channel(
        tenant_create(name="Limite", slug="limite"), throughput_per_second=20
    )
    times: list[float] = []
    lock = threading.Lock()

    def work():
        try:
            for _ in range(10):
                slot = throughput_reserve(channel_id=channel.pk, per_second=20, max_wait=10)
                assert slot.granted
                with lock:
                    times.append(slot.at)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    times.sort()
    assert len(times) == 60
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.05  # 1/20 s apart
    # No one-second window holds more than 20 slots.
    for i, start in enumerate(times):
        assert sum(1 for t in times[i:] if t < start + 1.0) <= 20
