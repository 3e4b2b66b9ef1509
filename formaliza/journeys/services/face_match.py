"""The face match of a journey: asked when a selfie is accepted (same transaction), run in the
background by `journey_face_match_run` (the model never runs in a request), decided in three
bands (face_match.py), and settled by a person in the back office's review queue for the middle
band. Every result is an evidence event (`face_match.*`).

The journey is not held meanwhile: the client goes on to the confirmation and may sign. A
refused selfie brings the client back to the selfie step (when not signed yet); the seal of a
signed journey waits until the match is accepted or approved (services/completion.py), and a
reviewer's refusal cancels the journey and its formalization.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.core import clock
from formaliza.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from formaliza.core.tasks import enqueue
from formaliza.evidence.services import RequestContext
from formaliza.journeys.face_match import Decision, Policy, decide
from formaliza.journeys.models import (
    CaptureAccess,
    CaptureKind,
    FaceMatch,
    FaceMatchPolicy,
    Journey,
    JourneyCapture,
)
from formaliza.journeys.ports import FaceComparison, face_verifier
from formaliza.journeys.selectors import face_match_get, face_match_policy
from formaliza.journeys.services._common import (
    SYSTEM,
    current_link,
    evidence_actor,
    link_revoke,
    lock_journey,
    record,
)
from formaliza.journeys.services.completion import journey_signed_complete
from formaliza.proposals import services as proposals

JOURNEY_FACE_MATCH_RUN_TASK = "formaliza.journeys.tasks.journey_face_match_run"
REVIEW_REASON_MAX = 2000

logger = logging.getLogger(__name__)


def face_match_request(*, journey: Journey, selfie: JourneyCapture) -> FaceMatch | None:
    """Queue the comparison of a just-accepted selfie (call it in the selfie's transaction, the
    journey locked). None when the tenant's face match is off."""
    policy = face_match_policy(tenant=journey.tenant)
    if not policy.enabled:
        return None
    document = (
        journey.captures.filter(kind=CaptureKind.ID_FRONT, accepted=True).order_by("-pk").first()
    )
    if document is None:  # the steps' order makes this impossible; no comparison without it
        return None
    match = FaceMatch.objects.create(
        tenant=journey.tenant, journey=journey, selfie=selfie, document=document,
        attempt=journey.face_matches.count() + 1, accept_threshold=policy.accept_threshold,
        review_threshold=policy.review_threshold, max_attempts=policy.max_attempts,
    )  # fmt: skip
    enqueue(JOURNEY_FACE_MATCH_RUN_TASK, str(match.pk), queue_name="media")
    return match


def _read(capture: JourneyCapture) -> bytes:
    with capture.image.open("rb") as handle:
        return handle.read()


def _compare(match: FaceMatch) -> FaceComparison | None:
    """The verifier's answer, outside any transaction (about a second of CPU). None when the
    photos cannot be read or the model fails: the match then goes to review, it never hangs."""
    try:
        return face_verifier().compare(
            selfie_jpeg=_read(match.selfie), document_jpeg=_read(match.document)
        )
    except Exception:  # any failure of storage or model: a person looks instead
        logger.exception("face match %s: comparison failed", match.pk)
        return None


def _evidence(match: FaceMatch, decision: Decision | None) -> dict:
    return {
        "face_match": match.pk, "attempt": match.attempt, "status": match.status,
        "outcome": match.outcome, "score": match.score,
        "accept_threshold": match.accept_threshold, "review_threshold": match.review_threshold,
        "max_attempts": match.max_attempts, "method": match.method, "model": match.model,
        "model_version": match.model_version, "seconds": match.seconds,
        "selfie_sha256": match.selfie.display_sha256,
        "document_sha256": match.document.display_sha256,
        "retake": bool(decision and decision.retake), "reason": match.reason,
    }  # fmt: skip


def _fill(match: FaceMatch, result: FaceComparison) -> None:
    match.outcome, match.score = result.outcome, result.score
    match.method, match.model = result.method[:300], result.model[:120]
    match.model_version, match.seconds = result.model_version[:200], result.seconds
    match.selfie_box = list(result.selfie_box) if result.selfie_box else None
    match.document_box = list(result.document_box) if result.document_box else None
    if result.document_crop_jpeg:
        match.document_crop.save("crop.jpg", ContentFile(result.document_crop_jpeg), save=False)


def _apply(journey: Journey, match: FaceMatch, decision: Decision) -> None:
    """Carry out a decision on the locked journey."""
    match.status = {
        "accepted": FaceMatch.Status.ACCEPTED,
        "review": FaceMatch.Status.REVIEW,
        "refused": FaceMatch.Status.REFUSED,
    }[decision.band]
    match.reason = decision.reason[:300]
    match.decided_at = clock.now()
    match.save()
    if decision.retake:
        # Back to the selfie step: the confirmation page (or its form) sends the client there.
        journey.selfie_at = None
        journey.save(update_fields=["selfie_at", "updated_at"])
    record(journey, f"face_match.{match.status}", actor=SYSTEM, data=_evidence(match, decision))
    if match.is_cleared and journey.status == Journey.Status.SIGNED:
        journey_signed_complete(journey=journey)


def journey_face_match_run(*, face_match_id: Any) -> str:
    """Run one queued comparison and decide it. Idempotent: a match already decided (the task
    ran before) is left as it is."""
    match = FaceMatch.objects.select_related("selfie", "document").filter(pk=face_match_id).first()
    if match is None or match.status != FaceMatch.Status.PENDING:
        return "ignored"
    result = _compare(match)
    with transaction.atomic():
        journey = lock_journey(journey_id=match.journey_id)
        match = (
            FaceMatch.objects.select_for_update()
            .select_related("selfie", "document")
            .get(pk=match.pk)
        )
        if match.status != FaceMatch.Status.PENDING:
            return "ignored"
        if not journey.is_open and journey.status != Journey.Status.SIGNED:
            # Expired or cancelled meanwhile: nothing to decide for.
            match.status, match.reason = FaceMatch.Status.REVIEW, "jornada encerrada"
            match.save(update_fields=["status", "reason", "updated_at"])
            return "closed"
        if result is None:
            decision = Decision("review", retake=False, reason="falha na comparação automática")
        else:
            _fill(match, result)
            can_retake = journey.status == Journey.Status.ACTIVE and journey.signed_at is None
            decision = decide(
                result, policy=_policy_of(match), attempt=match.attempt, can_retake=can_retake
            )
        _apply(journey, match, decision)
    return match.status


def _policy_of(match: FaceMatch) -> Policy:
    # The thresholds frozen on the match when it was asked (a policy change applies to the next).
    return Policy(
        enabled=True, accept_threshold=match.accept_threshold,
        review_threshold=match.review_threshold, max_attempts=match.max_attempts,
    )  # fmt: skip


REVIEW_DECISIONS = {"approve": FaceMatch.Status.APPROVED, "reject": FaceMatch.Status.REJECTED}


def journey_face_match_review(
    *, actor: Actor, face_match_id: Any, decision: str, reason: str, context: RequestContext
) -> FaceMatch:
    """A person settles a match in review: approve (the seal of a signed journey goes) or
    refuse (the journey and its formalization are cancelled). The reason is required."""
    actor.require(Perm.JOURNEY_IMAGES)
    actor.require(Perm.JOURNEY_MANAGE)
    reason = (reason or "").strip()[:REVIEW_REASON_MAX]
    found = face_match_get(tenant=actor.tenant, face_match_id=face_match_id)
    if found is None:
        raise NotFound("Conferência facial", code="face_match_not_found")
    if decision not in REVIEW_DECISIONS:
        raise ValidationFailed(
            [FieldError("decision", "invalid_decision", "Escolha aprovar ou reprovar.")]
        )
    if not reason:
        raise ValidationFailed(
            [FieldError("reason", "reason_required", "Informe o motivo da decisão.")]
        )
    with transaction.atomic():
        journey = lock_journey(journey_id=found.journey_id, tenant=actor.tenant)
        match = (
            FaceMatch.objects.select_for_update()
            .select_related("selfie", "document")
            .get(pk=found.pk)
        )
        if match.status != FaceMatch.Status.REVIEW:
            raise Conflict(
                "face_match_not_in_review",
                f"Esta conferência não está em revisão ({match.get_status_display().lower()}).",
            )
        match.status = REVIEW_DECISIONS[decision]
        match.reviewed_by, match.reviewer_name = actor.user, actor.label[:150]
        match.reviewed_at, match.review_reason = clock.now(), reason
        match.save()
        record(
            journey, f"face_match.{match.status}", actor=evidence_actor(actor), context=context,
            data={**_evidence(match, None), "reviewer": actor.label, "review_reason": reason},
        )  # fmt: skip
        if match.status == FaceMatch.Status.APPROVED:
            if journey.status == Journey.Status.SIGNED:
                journey_signed_complete(journey=journey)
        else:
            _cancel(journey, actor=actor, reason=reason)
    return match


def _cancel(journey: Journey, *, actor: Actor, reason: str) -> None:
    """The identity was refused: the journey ends and its formalization is cancelled (the
    proposals return to APROVA_INICIO_FLUXO_ASS, as when a journey expires)."""
    if journey.status not in (*Journey.OPEN_STATUSES, Journey.Status.SIGNED):
        return
    why = f"Conferência facial reprovada: {reason}"[:300]
    journey.status = Journey.Status.CANCELLED
    journey.closed_at, journey.closed_reason = clock.now(), why
    journey.save(update_fields=["status", "closed_at", "closed_reason", "updated_at"])
    link_revoke(current_link(journey), reason="conferência facial reprovada")
    record(
        journey, "journey.cancelled", actor=evidence_actor(actor),
        data={"reason": why, "formalization": {"number": journey.request.number}},
    )  # fmt: skip
    if journey.request.status == "open":
        proposals.formalization_cancel(
            actor=Actor.of_system(journey.tenant, "journeys"),
            request_id=journey.request_id,
            reason=why,
        )


@dataclass(frozen=True)
class OpenedFaceImage:
    match: FaceMatch
    file: IO[bytes]


FACE_IMAGES = ("selfie", "document")


def journey_face_match_image_open(
    *, actor: Actor, face_match_id: Any, which: str, context: RequestContext
) -> OpenedFaceImage:
    """A reviewer opens the selfie or the ID's face crop of a match: logged as an access to
    the photo it comes from (CaptureAccess), before the bytes are handed over."""
    actor.require(Perm.JOURNEY_IMAGES)
    match = face_match_get(tenant=actor.tenant, face_match_id=face_match_id)
    if match is None or which not in FACE_IMAGES:
        raise NotFound("Imagem", code="capture_not_found")
    capture = match.selfie if which == "selfie" else match.document
    # Without a crop (no face found on the ID) the reviewer sees the whole ID front.
    stored = capture.image if which == "selfie" or not match.document_crop else match.document_crop
    if not stored:
        raise NotFound("Imagem", code="capture_not_found")
    CaptureAccess.objects.create(
        tenant=actor.tenant, capture=capture, user=actor.user, ip=context.ip,
        user_agent=context.user_agent[:300],
    )  # fmt: skip
    return OpenedFaceImage(match=match, file=stored.open("rb"))


def face_match_policy_save(
    *,
    actor: Actor,
    enabled: bool,
    accept_threshold: float,
    review_threshold: float,
    max_attempts: int,
) -> FaceMatchPolicy:
    """The tenant's face-match settings; they apply to the selfies sent from now on."""
    actor.require(Perm.JOURNEY_CONTENT)
    errors = []
    if not 0 < review_threshold <= accept_threshold <= 1:
        errors.append(
            FieldError(
                "review_threshold", "thresholds_out_of_order",
                "Os limites devem ficar entre 0 e 1, com o de revisão até o de aceite.",
            )
        )  # fmt: skip
    if not 1 <= max_attempts <= 10:
        errors.append(FieldError("max_attempts", "attempts_out_of_range", "Use de 1 a 10 selfies."))
    if errors:
        raise ValidationFailed(errors)
    policy, _ = FaceMatchPolicy.objects.update_or_create(
        tenant=actor.tenant,
        defaults={
            "enabled": enabled, "accept_threshold": accept_threshold,
            "review_threshold": review_threshold, "max_attempts": max_attempts,
            "updated_by": actor.label[:150],
        },
    )  # fmt: skip
    return policy


__all__ = [
    "OpenedFaceImage",
    "face_match_policy_save",
    "face_match_request",
    "journey_face_match_image_open",
    "journey_face_match_review",
    "journey_face_match_run",
]
