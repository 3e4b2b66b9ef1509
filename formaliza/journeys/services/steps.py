"""What the client does on the journey pages, one service per step. Each locks the journey,
checks the step is the current one (a double submit changes nothing), records its evidence
event with the request's context, and moves the journey on."""

from __future__ import annotations

import hmac
from typing import Any

from django.db import transaction

from formaliza.core import clock
from formaliza.core.errors import ApplicationError, Conflict
from formaliza.evidence.bundle import conditions_sha256
from formaliza.evidence.services import RequestContext
from formaliza.journeys import documents
from formaliza.journeys.models import (
    CaptureKind,
    Journey,
    JourneyIssue,
    JourneyLink,
    Step,
)
from formaliza.journeys.selectors import FaceGate, face_match_gate
from formaliza.journeys.services._common import (
    client_actor,
    lock_journey,
    record,
    require_active,
    require_step,
)
from formaliza.journeys.services.completion import journey_signed_complete
from formaliza.journeys.services.reading import reading_proofs


def _save(journey: Journey, *fields: str) -> None:
    journey.save(update_fields=[*fields, "updated_at"])


def journey_open(*, journey_id: Any, link_id: int, context: RequestContext) -> Journey:
    """The client's browser opened (or reopened) the journey through a link."""
    now = clock.now()
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id)
        link = JourneyLink.objects.select_for_update().get(pk=link_id, journey=journey)
        first = journey.opened_at is None
        if first:
            journey.opened_at = now
            _save(journey, "opened_at")
        if link.first_opened_at is None:
            link.first_opened_at = now
            link.save(update_fields=["first_opened_at"])
        record(
            journey, "journey.opened", actor=client_actor(journey), context=context,
            data={"link": link.pk, "first_open": first, "resumed_at_step": journey.current_step},
        )  # fmt: skip
    return journey


def journey_welcome_confirm(
    *, journey_id: Any, phone_is_own: bool, context: RequestContext
) -> Journey:
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id)
        require_step(journey, Step.WELCOME)
        journey.phone_is_own = phone_is_own
        journey.welcome_at = clock.now()
        _save(journey, "phone_is_own", "welcome_at")
        record(
            journey, "welcome.confirmed", actor=client_actor(journey), context=context,
            data={"phone_is_own": phone_is_own, "phone": journey.phone},
        )  # fmt: skip
    return journey


def _same_hash(shown: str, expected: str) -> bool:
    return hmac.compare_digest((shown or "").encode(), expected.encode())


def journey_terms_accept(*, journey_id: Any, terms_sha256: str, context: RequestContext) -> Journey:
    """Accept the terms version pinned on the journey; `terms_sha256` is the hash the page
    showed, so what was accepted is exactly what was displayed."""
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id)
        require_step(journey, Step.TERMS)
        if not _same_hash(terms_sha256, journey.terms.sha256):
            raise Conflict("terms_mismatch", "Os termos mudaram enquanto você lia. Leia de novo.")
        journey.terms_accepted_at = clock.now()
        _save(journey, "terms_accepted_at")
        record(
            journey, "terms.accepted", actor=client_actor(journey), context=context,
            data={"version": journey.terms.version, "sha256": journey.terms.sha256,
                  "title": journey.terms.title, "electronic_signature_accepted": True},
        )  # fmt: skip
    return journey


def journey_conditions_confirm(
    *, journey_id: Any, snapshot_sha256: str, context: RequestContext
) -> Journey:
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id)
        require_step(journey, Step.CONDITIONS)
        if not _same_hash(snapshot_sha256, journey.conditions_sha256):
            raise Conflict(
                "conditions_mismatch", "As condições mudaram enquanto você lia. Confira de novo."
            )
        journey.conditions_confirmed_at = clock.now()
        _save(journey, "conditions_confirmed_at")
        propostas = journey.conditions_snapshot["propostas"]
        record(
            journey, "conditions.confirmed", actor=client_actor(journey), context=context,
            data={"sha256": journey.conditions_sha256,
                  "proposals": [p["numero"] for p in propostas],
                  # Per proposal, the hash the sealed report prints next to its conditions.
                  "items_sha256": {p["numero"]: conditions_sha256(documents.conditions_items(p))
                                   for p in propostas}},
        )  # fmt: skip
    return journey


ISSUE_STEPS = (Step.CONDITIONS, Step.CONTRACTS)


def journey_issue_report(*, journey_id: Any, message: str, context: RequestContext) -> JourneyIssue:
    """'Algo errado?': the client stops; an operator gets a task and calls back."""
    message = (message or "").strip()[:2000]
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id)
        require_active(journey)
        step = journey.current_step
        if step not in ISSUE_STEPS:
            raise ApplicationError(
                code="step_out_of_order",
                message="Esta etapa não está disponível agora. Continue de onde parou.",
                status=409,
            )
        journey.status = Journey.Status.STOPPED
        journey.stopped_at = clock.now()
        _save(journey, "status", "stopped_at")
        issue = JourneyIssue.objects.create(
            tenant=journey.tenant, journey=journey, step=step, message=message
        )
        record(
            journey, "issue.reported", actor=client_actor(journey), context=context,
            data={"issue": issue.pk, "step": step, "message": message},
        )  # fmt: skip
    return issue


def _capture_summary(journey: Journey) -> dict:
    captures = list(journey.captures.order_by("created_at"))
    summary = {}
    for kind in CaptureKind.values:
        of_kind = [c for c in captures if c.kind == kind]
        accepted = next((c for c in reversed(of_kind) if c.accepted), None)
        refused = sum(1 for c in of_kind if not c.accepted)
        summary[kind] = {
            "attempts": len(of_kind),
            "refused": refused,
            "retakes": refused + sum(c.client_retakes for c in of_kind),
            "original_sha256": accepted.original_sha256 if accepted else None,
            "display_sha256": accepted.display_sha256 if accepted else None,
            "blur_score": accepted.blur_score if accepted else None,
            "face": accepted.face if accepted else None,
        }
    return summary


def journey_sign(*, journey_id: Any, context: RequestContext) -> Journey:
    """The client confirms and signs: the journey is signed, the formalization completes (every
    proposal to FORMALIZADA, `proposal.activity_changed` webhooks), the completion message is
    queued and the final PDF's seal is requested — all in one transaction, so a signed journey
    never exists without its seal request, unless the face match has not cleared it yet: then
    the signature is recorded and the rest follows its decision (services/face_match.py). Sealing, and then `formalization.completed` to the
    integrator, follow in the background (services/seal_request.py)."""
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id)
        require_step(journey, Step.CONFIRM)
        gate = face_match_gate(journey=journey)
        now = clock.now()
        journey.signed_at = now
        journey.status = Journey.Status.SIGNED
        _save(journey, "signed_at", "status")
        record(
            journey, "journey.signed", actor=client_actor(journey), context=context,
            data={
                "formalization": journey.request.number,
                "phone": journey.phone, "phone_is_own": journey.phone_is_own,
                "terms": {"version": journey.terms.version, "sha256": journey.terms.sha256,
                          "accepted_at": journey.terms_accepted_at},
                "conditions_sha256": journey.conditions_sha256,
                "contracts": reading_proofs(journey),
                "captures": _capture_summary(journey),
                "face_match": gate,
            },
        )  # fmt: skip
        # With the face match still running or in review, the rest waits for its decision.
        if gate in (FaceGate.OFF, FaceGate.CLEARED):
            journey_signed_complete(journey=journey)
    return journey
