"""Services enqueue their app's tasks by dotted path (core.tasks.enqueue): every such path
written in the code or the settings must name a task, or a typo would surface only when the
task is first enqueued in production."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from formaliza.core.tasks import enqueue, task_named

ROOT = Path(__file__).resolve().parents[2]
PATH = re.compile(r"[\"'](formaliza(?:\.[a-z_]+)+\.tasks\.[a-z_]+)[\"']")


def _named_in_code() -> set[str]:
    found = set()
    for source in ROOT.rglob("*.py"):
        if "tests" in source.parts or "migrations" in source.parts:
            continue
        found.update(PATH.findall(source.read_text()))
    return found


def _named_in_settings() -> set[str]:
    paths = {path for path, _ in settings.PERIODIC_TASKS}
    for name in dir(settings):
        if name.endswith("_HANDLERS") and name != "FILE_UPLOAD_HANDLERS":
            paths.update(getattr(settings, name))
    return paths


def test_the_code_names_tasks_by_path():
    assert len(_named_in_code()) >= 9  # the scan finds what it is meant to check


@pytest.mark.parametrize("path", sorted(_named_in_code() | _named_in_settings()))
def test_every_task_path_names_a_task(path):
    assert task_named(path).module_path == path


def test_a_path_that_is_not_a_task_is_refused():
    with pytest.raises(TypeError):
        task_named("formaliza.core.tasks.backoff_delay")


@pytest.mark.django_db
def test_enqueue_by_path_writes_the_task_row_with_its_options():
    from django_tasks_db.models import DBTaskResult

    from formaliza.core import clock

    at = clock.now().replace(microsecond=0)
    enqueue("formaliza.core.tasks.stale_tasks_requeue", run_after=at, queue_name="media")
    row = DBTaskResult.objects.get()
    assert (row.task_path, row.queue_name, row.run_after) == (
        "formaliza.core.tasks.stale_tasks_requeue",
        "media",
        at,
    )
