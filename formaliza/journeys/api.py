"""Integrators' view of a formalization's journey and its sealed document (mounted by
formaliza.api under /api/v1/formalizations/{id}/…)."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.core.errors import Conflict, NotFound
from formaliza.evidence.selectors import sealed_document_for_subject
from formaliza.evidence.services import Subject, sealed_document_download_url, verification_url
from formaliza.journeys.models import STEP_DONE_FIELD, FaceMatch, Journey
from formaliza.proposals import selectors as proposal_selectors

router = Router()


class StepOut(Schema):
    step: str
    label: str
    done_at: dt.datetime | None


class JourneyDocumentOut(Schema):
    status: str
    code: str | None
    sha256: str | None
    verification_url: str | None
    sealed_at: dt.datetime | None
    failure_reason: str | None


class FaceMatchOut(Schema):
    """One comparison of a selfie with the ID front's face (docs/journeys.md, "Face match")."""

    id: int
    attempt: int
    status: str  # pending | accepted | review | refused | approved | rejected
    outcome: str  # compared | no_face_document | no_face_selfie | many_faces_selfie
    score: float | None
    accept_threshold: float
    review_threshold: float
    method: str
    model: str
    model_version: str
    reason: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    reviewer: str
    reviewed_at: dt.datetime | None
    review_reason: str


class JourneyOut(Schema):
    id: str
    status: str
    current_step: str
    phone_is_own: bool | None
    expires_at: dt.datetime
    first_sent_at: dt.datetime | None
    opened_at: dt.datetime | None
    signed_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_reason: str
    steps: list[StepOut]
    document: JourneyDocumentOut | None
    face_matches: list[FaceMatchOut]


class DownloadOut(Schema):
    sha256: str
    code: str
    download_url: str
    download_expires_at: dt.datetime


class JourneyErrorBody(Schema):
    code: str
    message: str


class JourneyErrorOut(Schema):
    error: JourneyErrorBody


ERRORS = {401: JourneyErrorOut, 403: JourneyErrorOut, 404: JourneyErrorOut, 409: JourneyErrorOut}


def _journey(actor: Actor, request_id: str) -> Journey:
    actor.require(Perm.PROPOSAL_VIEW)
    request = proposal_selectors.formalization_get(tenant=actor.tenant, request_id=request_id)
    journey = getattr(request, "journey", None) if request is not None else None
    if journey is None:
        raise NotFound("Jornada", code="journey_not_found")
    return journey


def _document(journey: Journey):
    return sealed_document_for_subject(
        tenant=journey.tenant, subject=Subject("journey", str(journey.pk))
    )


def _face_match(match: FaceMatch) -> dict:
    return {
        "id": match.pk, "attempt": match.attempt, "status": match.status,
        "outcome": match.outcome, "score": match.score,
        "accept_threshold": match.accept_threshold, "review_threshold": match.review_threshold,
        "method": match.method, "model": match.model, "model_version": match.model_version,
        "reason": match.reason, "created_at": match.created_at, "decided_at": match.decided_at,
        "reviewer": match.reviewer_name, "reviewed_at": match.reviewed_at,
        "review_reason": match.review_reason,
    }  # fmt: skip


def _face_matches(journey: Journey) -> list[dict]:
    return [_face_match(m) for m in journey.face_matches.order_by("attempt")]


@router.get(
    "/{request_id}/face-matches",
    response={200: list[FaceMatchOut], **ERRORS},
    summary="Conferências faciais da jornada (selfie × foto do documento)",
)
def list_face_matches(request, request_id: str):
    return _face_matches(_journey(Actor.of_api_key(request.auth), request_id))


@router.get(
    "/{request_id}/journey", response={200: JourneyOut, **ERRORS}, summary="Jornada do cliente"
)
def get_journey(request, request_id: str):
    journey = _journey(Actor.of_api_key(request.auth), request_id)
    document = _document(journey)
    sealed = document is not None and document.status == "sealed"
    return {
        "id": str(journey.pk),
        "status": journey.status,
        "current_step": journey.current_step,
        "phone_is_own": journey.phone_is_own,
        "expires_at": journey.expires_at,
        "first_sent_at": journey.first_sent_at,
        "opened_at": journey.opened_at,
        "signed_at": journey.signed_at,
        "closed_at": journey.closed_at,
        "closed_reason": journey.closed_reason,
        "steps": [
            {"step": step.value, "label": step.label, "done_at": getattr(journey, field)}
            for step, field in STEP_DONE_FIELD.items()
        ],
        "document": None
        if document is None
        else {
            "status": document.status,
            "code": document.code if sealed else None,
            "sha256": document.sha256 if sealed else None,
            "verification_url": verification_url(document.code) if sealed else None,
            "sealed_at": document.sealed_at,
            "failure_reason": document.last_error or None,
        },
        "face_matches": _face_matches(journey),
    }


@router.get(
    "/{request_id}/document",
    response={200: DownloadOut, **ERRORS},
    summary="Link novo para baixar o documento selado",
)
def get_document(request, request_id: str):
    journey = _journey(Actor.of_api_key(request.auth), request_id)
    document = _document(journey)
    if document is None or document.status != "sealed":
        raise Conflict(
            "document_not_sealed", "O documento desta formalização ainda não foi selado."
        )
    link = sealed_document_download_url(document=document)
    return {
        "sha256": document.sha256,
        "code": document.code,
        "download_url": link.url,
        "download_expires_at": link.expires_at,
    }
