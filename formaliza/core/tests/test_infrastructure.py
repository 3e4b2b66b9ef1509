import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from formaliza.core import clock
from formaliza.core.crypto import decrypt, encrypt, mask
from formaliza.core.models import sequence_next
from formaliza.core.net import UnsafeURL, check_outbound_url, outbound_addresses
from formaliza.core.tasks import backoff_delay, stale_tasks_requeue
from formaliza.core.tests.worker_tasks import bump


def test_encryption_round_trip_and_tamper_detection():
    token = encrypt("segredo")
    assert token != "segredo"
    assert decrypt(token) == "segredo"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        decrypt(token[:-4] + "AAAA")


def test_mask_never_shows_whole_secret():
    assert mask("EAAB1234567890xyz") == "••••••••0xyz"
    assert "abc" not in mask("abcdef")


def test_sequences_are_per_tenant_and_name(db):
    assert [sequence_next(tenant_id=1, name="a") for _ in range(3)] == [1, 2, 3]
    assert sequence_next(tenant_id=2, name="a") == 1
    assert sequence_next(tenant_id=1, name="b") == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/x",
        "http://127.0.0.1/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://[::1]/",
        "http://169.254.169.254/",
        "file:///etc/passwd",
        "gopher://x",
    ],
)
def test_outbound_guard_refuses_internal_targets(url, settings):
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    with pytest.raises(UnsafeURL):
        check_outbound_url(url)


def test_outbound_guard_allow_list(settings):
    # given internal targets refused by default
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    for url in ("http://127.0.0.1:8080/x", "http://10.1.2.3/"):
        with pytest.raises(UnsafeURL):
            outbound_addresses(url)
    # when a host or a network is allowed, then exactly those addresses are let through
    assert outbound_addresses("http://127.0.0.1:8080/x", extra_allow=["127.0.0.1"]) == ["127.0.0.1"]
    assert outbound_addresses("http://10.1.2.3/", extra_allow=["10.0.0.0/8"]) == ["10.1.2.3"]
    with pytest.raises(UnsafeURL):
        outbound_addresses("http://10.1.2.3/", extra_allow=["127.0.0.1"])


def test_backoff_grows_and_is_capped():
    for attempt in range(1, 12):
        delay = backoff_delay(attempt, base=30, cap=3600)
        step = min(3600, 30 * 2 ** (attempt - 1))
        assert step / 2 <= delay <= step


def test_stale_running_tasks_are_requeued(db, settings):
    result = bump.enqueue("stale")
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=clock.now() - dt.timedelta(hours=2)
    )
    fresh = bump.enqueue("fresh")
    DBTaskResult.objects.filter(pk=fresh.id).update(status="RUNNING", started_at=clock.now())
    assert stale_tasks_requeue.call() == 1
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    assert DBTaskResult.objects.get(pk=fresh.id).status == "RUNNING"


def test_scheduler_enqueues_periodic_tasks_once(db, settings):
    from formaliza.core.management.commands.scheduler import enqueue_due

    settings.PERIODIC_TASKS = [("formaliza.core.tasks.stale_tasks_requeue", 60)]
    last: dict = {}
    assert enqueue_due(last, 1000.0) == ["formaliza.core.tasks.stale_tasks_requeue"]
    assert enqueue_due(last, 1010.0) == []  # not due yet
    assert enqueue_due(last, 1100.0) == []  # due, but the earlier run is still queued
    assert DBTaskResult.objects.count() == 1
