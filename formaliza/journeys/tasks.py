"""Background work of the journeys app; each task runs the service it is named after and is
safe to run twice."""

from __future__ import annotations

from django_tasks import task

from formaliza.journeys import selectors, services


@task(queue_name="default")
def journey_start(request_id: str) -> str:
    """Registered in settings.FORMALIZATION_OPENED_HANDLERS: a formalization opened."""
    started = services.journey_start(request_id=request_id)
    return str(started.journey.pk) if started else ""


@task(queue_name="default")
def journey_request_closed(request_id: str) -> str:
    """Registered in settings.FORMALIZATION_CLOSED_HANDLERS: the request completed or was
    cancelled; an open journey for it stops at once (its link is revoked)."""
    journey = selectors.journey_for_request(request_id=request_id)
    if journey is None:
        return ""
    return services.journey_cancel_closed(journey_id=journey.pk).status


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


@task(queue_name="default")
def journey_sealed(document_id: str) -> str:
    """Registered in settings.EVIDENCE_SEALED_HANDLERS: a final PDF was sealed; for a journey's,
    the integrator gets `formalization.completed` (once)."""
    return services.journey_sealed_notify(document_id=document_id)


@task(queue_name="default")
def journey_seal_failed(document_id: str) -> str:
    """Registered in settings.EVIDENCE_SEAL_FAILED_HANDLERS: a final PDF could not be sealed; for
    a journey's, operators get a task in "Pendências"."""
    return services.journey_seal_failure_report(document_id=document_id)


@task(queue_name="sealing")
def journey_contracts_render(journey_id: str) -> int:
    """Render the journey's contracts to PDF ahead of its seal (see services.rendering)."""
    return services.journey_contracts_render(journey_id=journey_id)


@task(queue_name="media")
def journey_face_match_run(face_match_id: str) -> str:
    """Compare an accepted selfie with the ID front's face and decide (services.face_match);
    the model is loaded once per worker process."""
    return services.journey_face_match_run(face_match_id=face_match_id)
