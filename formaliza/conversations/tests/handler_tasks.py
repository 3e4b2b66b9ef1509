"""Tasks standing in for the flow engine and journeys in tests: they record their calls."""

from django_tasks import task

CALLS: list[tuple] = []


@task()
def record_inbound(message_id: int) -> None:
    CALLS.append(("inbound", message_id))


@task()
def record_status(message_id: int, status: str) -> None:
    CALLS.append(("status", message_id, status))
