"""Background work helpers shared by every app.

Tasks are Django tasks (django-tasks backport) stored by the database backend: enqueueing writes a
row in the caller's transaction, so a rolled-back write never leaves a phantom task and a
committed one never loses its task. Tasks must be idempotent: a worker can die after doing the work
and before marking the task done, and the task then runs again.

Each app's `tasks.py` holds its workers' entry points and imports the services they run; a
service that enqueues a task names it by its dotted path (`enqueue(...)`), as the queue row
itself does, so that no service imports `tasks.py` back and the imports of an app run one way
(checked by the `acyclic_siblings` contract; a test checks that every path named is a task).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from functools import cache

from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks.base import Task

from formaliza.core import clock

logger = logging.getLogger(__name__)


def backoff_delay(attempt: int, *, base: float, cap: float) -> float:
    """Exponential backoff with jitter: attempt 1 -> ~base, 2 -> ~2*base, ... capped.

    The jitter (50-100% of the step) spreads retries of many failures that happened together.
    """
    step = min(cap, base * (2 ** max(0, attempt - 1)))
    return step * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not security


@cache
def task_named(path: str) -> Task:
    """The task defined at dotted `path` (e.g. "formaliza.conversations.tasks.message_dispatch")."""
    found = import_string(path)
    if not isinstance(found, Task):
        raise TypeError(f"{path} is not a task")
    return found


def enqueue(
    path: str, *args, run_after: dt.datetime | None = None, queue_name: str | None = None
) -> None:
    """Enqueue the task at `path` in the caller's transaction (at `run_after`, on
    `queue_name`, when given)."""
    found = task_named(path)
    options = {k: v for k, v in (("run_after", run_after), ("queue_name", queue_name)) if v}
    (found.using(**options) if options else found).enqueue(*args)


def run_after_seconds(seconds: float) -> dt.datetime:
    return clock.now() + dt.timedelta(seconds=seconds)


@task(queue_name="default")
def stale_tasks_requeue() -> int:
    """Hand tasks left RUNNING by a worker that died back to the queue (see core.workers: a
    worker whose heartbeat stopped, or a heartbeat-less one after TASK_STALE_AFTER_SECONDS).
    Putting a task back to READY is safe because every task is idempotent."""
    from formaliza.core.workers import tasks_of_dead_workers_requeue

    return tasks_of_dead_workers_requeue()
