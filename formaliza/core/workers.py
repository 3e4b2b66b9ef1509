"""Liveness of task workers and recovery of the tasks a dead worker left RUNNING.

Every `manage.py task_worker` process writes a heartbeat (`WorkerHeartbeat`) every
TASK_WORKER_HEARTBEAT_SECONDS from a background thread. `tasks_of_dead_workers_requeue` (run by
the scheduler on every tick and by the `stale_tasks_requeue` task) hands back to the queue:
- a task RUNNING on a worker whose heartbeat is older than TASK_WORKER_DEAD_AFTER_SECONDS (its
  process was killed: kill -9, OOM, a lost host) — within seconds;
- a task RUNNING on a worker that never wrote a heartbeat (a plain `db_worker`) once it has run
  longer than TASK_STALE_AFTER_SECONDS, as before.
A task on a live worker is never touched, however long it runs. Putting a task back is safe
because every task is idempotent (core.tasks); the message dispatch's claim makes sure a message
handed to a provider is never sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django_tasks.base import TaskResultStatus

from formaliza.core import clock
from formaliza.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def heartbeat_beat(*, worker_id: str, started_at: dt.datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": clock.now(), "pid": os.getpid(),
                  "hostname": socket.gethostname()[:255], "started_at": started_at},
    )  # fmt: skip


def heartbeat_clear(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


class Heartbeat(threading.Thread):
    """Beats for `worker_id` until stopped; a failed beat (database busy) is logged and retried."""

    def __init__(self, worker_id: str, every: float | None = None):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.every = every if every is not None else settings.TASK_WORKER_HEARTBEAT_SECONDS
        self.started_at = clock.now()
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_event.is_set():
                try:
                    close_old_connections()
                    heartbeat_beat(worker_id=self.worker_id, started_at=self.started_at)
                except Exception:
                    logger.warning("worker %s: batimento falhou", self.worker_id, exc_info=True)
                self._stop_event.wait(self.every)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=self.every + 5)
        try:
            heartbeat_clear(worker_id=self.worker_id)
        finally:
            connection.close()


def tasks_of_dead_workers_requeue() -> int:
    """Put back to READY the tasks left RUNNING by dead workers (see the module's docstring);
    forget the heartbeats of the dead. Returns how many tasks went back."""
    from django_tasks_db.models import DBTaskResult

    now = clock.now()
    dead_cutoff = now - dt.timedelta(seconds=settings.TASK_WORKER_DEAD_AFTER_SECONDS)
    stale_cutoff = now - dt.timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    beats = dict(WorkerHeartbeat.objects.values_list("worker_id", "beat_at"))
    dead = {w for w, at in beats.items() if at < dead_cutoff}
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
        "pk", "worker_ids", "started_at"
    )
    orphans = []
    for pk, worker_ids, started_at in running:
        worker = worker_ids[-1] if worker_ids else None
        if worker in dead:
            orphans.append((pk, f"worker {worker} parou de dar sinal de vida"))
        elif worker not in beats and started_at and started_at < stale_cutoff:
            orphans.append((pk, f"rodando há mais de {settings.TASK_STALE_AFTER_SECONDS} s"))
    count = 0
    with transaction.atomic():
        for pk, why in orphans:
            # Only if still RUNNING: a task that finished meanwhile is left as it is.
            if DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None, run_after=now
            ):
                count += 1
                logger.warning("tarefa %s devolvida à fila: %s", pk, why)
        if dead:
            WorkerHeartbeat.objects.filter(worker_id__in=dead, beat_at__lt=dead_cutoff).delete()
    return count
