"""What follows the client's signature once the identity check allows it: the formalization
completes (every proposal to FORMALIZADA, `proposal.activity_changed` webhooks), the completion
message is queued and the final PDF's seal is requested. Called in the signing transaction, or —
when the face match was still running or in review at signing — in the transaction that clears
it (services/face_match.py)."""

from __future__ import annotations

from formaliza.accounts.actors import Actor
from formaliza.journeys.models import Journey, JourneyNotification
from formaliza.journeys.services._common import notify
from formaliza.journeys.services.seal_request import journey_seal_request
from formaliza.proposals import services as proposals


def journey_signed_complete(*, journey: Journey) -> None:
    """Call with the journey locked and signed; idempotent only through the caller (the face
    match calls it once, when it clears a journey signed while it waited)."""
    proposals.formalization_complete(
        actor=Actor.of_system(journey.tenant, "journeys"),
        request_id=journey.request_id,
        note=f"Assinada pelo cliente na jornada {journey.pk}.",
    )
    notify(journey, kind=JourneyNotification.Kind.COMPLETION, reason="signed")
    journey_seal_request(journey=journey)
