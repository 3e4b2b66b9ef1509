"""A task that dies with its worker goes back to the queue within seconds (heartbeats), and a
task on a live worker is never taken away, however long it runs."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from formaliza.core import clock
from formaliza.core.models import WorkerHeartbeat
from formaliza.core.tests.test_workers import _counters, _database_url
from formaliza.core.tests.worker_tasks import bump, hangs_on_first_run
from formaliza.core.workers import tasks_of_dead_workers_requeue


def _task_worker(worker_id: str, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "LOG_LEVEL": "WARNING",
           "TASK_WORKER_HEARTBEAT_SECONDS": "0.2"}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "task_worker", "--queue-name", "*",
         "--interval", "0.05", "--no-reload", "--no-startup-delay", "--worker-id", worker_id,
         "-v", "0", *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait_for(predicate, timeout=120.0):
    # Generous deadline for a loaded machine; what is checked is the outcome, not the speed.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_task_killed_with_its_worker_is_requeued_and_runs_again(settings):
    settings.TASK_STALE_AFTER_SECONDS = 3600  # the old sweep alone would wait an hour
    settings.TASK_WORKER_DEAD_AFTER_SECONDS = 1
    hangs_on_first_run.enqueue("job")
    doomed = _task_worker("doomed")
    try:
        assert _wait_for(lambda: _counters().get("job:runs") == 1), "the worker never ran it"
        assert _wait_for(lambda: WorkerHeartbeat.objects.filter(worker_id="doomed").exists())
        assert tasks_of_dead_workers_requeue() == 0  # alive: its running task is left alone
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
    finally:
        if doomed.poll() is None:
            doomed.kill()
    task = DBTaskResult.objects.get()
    assert task.status == "RUNNING"

    assert _wait_for(lambda: tasks_of_dead_workers_requeue() == 1)
    task.refresh_from_db()
    assert (task.status, task.started_at) == ("READY", None)
    assert not WorkerHeartbeat.objects.filter(worker_id="doomed").exists()

    rescuer = _task_worker("rescuer", "--batch")
    output, _ = rescuer.communicate(timeout=300)
    assert rescuer.returncode == 0, output.decode()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.worker_ids == ["doomed", "rescuer"]
    assert _counters() == {"job:runs": 2, "job": 1}
    # A worker that stops normally takes its heartbeat with it.
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_only_tasks_of_silent_workers_or_heartbeatless_stale_ones_go_back(settings):
    settings.TASK_STALE_AFTER_SECONDS = 900
    settings.TASK_WORKER_DEAD_AFTER_SECONDS = 12
    now = clock.now()
    for worker, beat in (("alive", now), ("silent", now - dt.timedelta(seconds=13))):
        WorkerHeartbeat.objects.create(worker_id=worker, pid=1, started_at=now, beat_at=beat)

    def running(worker, minutes):
        bump.enqueue(f"{worker}-{minutes}")
        result = DBTaskResult.objects.latest("enqueued_at")
        result.claim(worker)
        DBTaskResult.objects.filter(pk=result.pk).update(
            started_at=now - dt.timedelta(minutes=minutes)
        )
        return result.pk

    long_on_live = running("alive", 60)  # a long export on a live worker
    on_silent = running("silent", 0)
    fresh_unknown = running("plain-db-worker", 1)
    stale_unknown = running("plain-db-worker", 16)

    assert tasks_of_dead_workers_requeue() == 2
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status[long_on_live] == "RUNNING"
    assert status[on_silent] == "READY"
    assert status[fresh_unknown] == "RUNNING"
    assert status[stale_unknown] == "READY"
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]
    assert tasks_of_dead_workers_requeue() == 0  # nothing twice
