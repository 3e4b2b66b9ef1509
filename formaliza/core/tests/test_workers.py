"""Real `db_worker` processes against the test database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from formaliza.core.models import Sequence
from formaliza.core.tests.worker_tasks import MARKER_TENANT, bump

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(worker_id: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker", "--batch",
         "--queue-name", "*", "--interval", "0", "--no-reload", "--no-startup-delay",
         "--worker-id", worker_id, "-v", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _counters() -> dict[str, int]:
    return dict(Sequence.objects.filter(tenant_id=MARKER_TENANT).values_list("name", "value"))


def test_task_enqueued_in_a_rolled_back_transaction_never_runs():
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        bump.enqueue("rolled-back")
        raise Abort
    bump.enqueue("committed")
    assert DBTaskResult.objects.count() == 1

    worker = _start_worker("solo")
    output, _ = worker.communicate(timeout=120)

    assert worker.returncode == 0, output.decode()
    assert _counters() == {"committed": 1}


def test_two_workers_never_run_the_same_task_twice():
    names = [f"task-{n}" for n in range(120)]
    for name in names:
        bump.enqueue(name)

    workers = [_start_worker("w1"), _start_worker("w2")]
    outputs = [w.communicate(timeout=300)[0].decode() for w in workers]

    assert [w.returncode for w in workers] == [0, 0], outputs
    assert _counters() == dict.fromkeys(names, 1)
    results = list(DBTaskResult.objects.all())
    assert {r.status for r in results} == {"SUCCESSFUL"}
    assert all(len(r.worker_ids) == 1 for r in results)
    ran_by = {r.worker_ids[0] for r in results}
    # Each task ran once, by one of the two (on a loaded machine one worker may start after
    # the other drained the queue, so both taking tasks is not required).
    assert ran_by <= {"w1", "w2"}
