"""Background work of the history; each task runs the service it is named after and is safe to
run twice."""

from __future__ import annotations

from django_tasks import task

from formaliza.history import services


@task(queue_name="exports")
def history_export_run(export_id: str) -> str:
    return services.history_export_run(export_id=export_id)


@task(queue_name="default")
def history_exports_prune() -> int:
    return services.history_exports_prune()
