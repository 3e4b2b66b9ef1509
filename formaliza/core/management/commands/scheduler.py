"""Enqueue the periodic tasks of settings.PERIODIC_TASKS on their intervals.

Several schedulers may run (one per host): a periodic task is not enqueued again while an earlier
run of it is still waiting in the queue, and every periodic task is idempotent.
"""

from __future__ import annotations

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from formaliza.core.workers import tasks_of_dead_workers_requeue

logger = logging.getLogger(__name__)


def enqueue_due(last_run: dict[str, float], now: float) -> list[str]:
    enqueued = []
    for path, every in settings.PERIODIC_TASKS:
        if now - last_run.get(path, 0.0) < every:
            continue
        last_run[path] = now
        waiting = DBTaskResult.objects.filter(
            task_path=path, status=TaskResultStatus.READY
        ).exists()
        if waiting:
            continue
        import_string(path).enqueue()
        enqueued.append(path)
    return enqueued


class Command(BaseCommand):
    help = "Enfileira as tarefas periódicas (varreduras, expirações) nos seus intervalos."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enfileira o que vence e sai.")
        parser.add_argument("--tick", type=float, default=3.0)

    def handle(self, *args, once: bool, tick: float, **options):
        running = True

        def stop(*_):
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        last_run: dict[str, float] = {}
        while running:
            close_old_connections()
            for path in enqueue_due(last_run, time.monotonic()):
                logger.info("scheduler enqueued %s", path)
            # Not through the queue: the workers that would run it may be the dead ones.
            try:
                tasks_of_dead_workers_requeue()
            except Exception:
                logger.warning("verificação de workers mortos falhou", exc_info=True)
            if once:
                return
            time.sleep(tick)
