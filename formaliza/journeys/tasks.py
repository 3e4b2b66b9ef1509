"""Background work of the journeys app; each task runs the service it is named after and is
safe to run twice."""

from __future__ import annotations

from django_tasks import task

from formaliza.journeys import services


@task(queue_name="default")
def journey_start(request_id: str) -> str:
    """Registered in settings.FORMALIZATION_OPENED_HANDLERS: a formalization opened."""
    started = services.journey_start(request_id=request_id)
    return str(started.journey.pk) if started else ""


@task(queue_name="messages")
def journey_notification_send(notification_id: str) -> str:
    return services.journey_notification_send(notification_id=notification_id)


@task(queue_name="default")
def journeys_sweep() -> dict:
    result = services.journeys_sweep()
    return {
        "expired": result.expired,
        "cancelled": result.cancelled,
        "requeued_messages": result.requeued_messages,
    }
