"""Tasks the worker tests enqueue; real `db_worker` processes import and run them."""

from django_tasks import task

from formaliza.core.models import sequence_next

MARKER_TENANT = -1


@task()
def bump(name: str) -> int:
    """Count one run of `name`: a task run twice shows up as a counter of 2."""
    return sequence_next(tenant_id=MARKER_TENANT, name=name)
