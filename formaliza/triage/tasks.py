"""Workers' entry points of triage (idempotent)."""

from __future__ import annotations

from django_tasks import task

from formaliza.triage.services.rules import triage_rules_run as rules_run


@task(queue_name="default")
def triage_rules_run() -> dict:
    """Periodic (settings.PERIODIC_TASKS): the scheduler's rules."""
    return rules_run().acted
