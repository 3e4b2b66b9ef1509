"""Test helpers that run the real task code the way `db_worker` does, inside the test's
transaction (a real worker process would not see uncommitted test data)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

from formaliza.core import clock


def _worker() -> Worker:
    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def run_queued_tasks(*, until: dt.datetime | None = None, max_tasks: int = 500) -> int:
    """Run READY tasks whose run_after is due (or due by `until`), including tasks the run
    enqueues, until none is left. Returns how many ran."""
    worker = _worker()
    ran = 0
    while ran < max_tasks:
        horizon = until or clock.now()
        pending = (
            DBTaskResult.objects.filter(status=TaskResultStatus.READY)
            .filter(Q(run_after__lte=horizon) | Q(run_after=get_date_max()))
            .order_by("-priority", "enqueued_at")
            .first()
        )
        if pending is None:
            break
        pending.claim(worker.worker_id)
        worker.run_task(pending)
        ran += 1
    return ran


def queued_tasks(task_path_suffix: str = "") -> list[DBTaskResult]:
    qs = DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by("enqueued_at")
    return [t for t in qs if t.task_path.endswith(task_path_suffix)]


def failed_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status=TaskResultStatus.FAILED))
