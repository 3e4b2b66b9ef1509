"""Tasks the worker tests enqueue; real `db_worker` processes import and run them."""

from django_tasks import task

from formaliza.core.models import sequence_next

MARKER_TENANT = -1


@task()
def bump(name: str) -> int:
    """Count one run of `name`: a task run twice shows up as a counter of 2."""
    return sequence_next(tenant_id=MARKER_TENANT, name=name)


@task()
def hangs_on_first_run(name: str) -> int:
    """Count a run of `name`, hanging on the first one (a worker is killed during it)."""
    import time

    if sequence_next(tenant_id=MARKER_TENANT, name=f"{name}:runs") == 1:
        time.sleep(600)
    return sequence_next(tenant_id=MARKER_TENANT, name=name)
