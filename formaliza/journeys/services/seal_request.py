"""The signed journey's final PDF: requested when the client signs (same transaction), and what
happens when the evidence app reports it sealed (the integrator is told) or failed (operators
get a task in "Pendências", closed by itself once a retry seals it)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import transaction

from formaliza.core import clock
from formaliza.core.errors import NotFound, ValidationFailed
from formaliza.evidence.models import SealedDocument
from formaliza.evidence.services import (
    sealed_document_download_url,
    sealed_document_request,
    verification_url,
)
from formaliza.journeys.evidence_bundle import (
    EvidenceUnavailable,
    journey_bundle,
)
from formaliza.journeys.models import Journey, JourneyIssue, Step
from formaliza.journeys.services._common import SYSTEM, lock_journey, record
from formaliza.journeys.services.history import journey_conversations_sign
from formaliza.proposals.selectors import formalization_payload
from formaliza.webhooks.services import webhook_event_emit

logger = logging.getLogger(__name__)

REQUESTED_BY = "Sistema (jornadas)"
SUBJECT_TYPE = "journey"


def journey_seal_request(*, journey: Journey) -> SealedDocument:
    """Build the bundle and ask evidence to seal it. Call it inside the signing transaction:
    a journey is never signed without its seal request (nor the reverse)."""
    try:
        bundle = journey_bundle(journey)
        return sealed_document_request(
            tenant=journey.tenant, bundle=bundle, requested_by=REQUESTED_BY
        )
    except EvidenceUnavailable as exc:
        logger.error("journey %s cannot be sealed: %s", journey.pk, exc.detail)
        raise
    except ValidationFailed as exc:
        problems = "; ".join(f"{f.field}: {f.message}" for f in exc.fields)
        logger.error("journey %s bundle refused by evidence: %s", journey.pk, problems)
        raise EvidenceUnavailable(problems) from exc


def _ours(document_id: Any) -> tuple[SealedDocument, Journey] | None:
    """The document and its journey, locked; None for another kind of subject (the handlers
    are called for every sealed document) or an id that is not a document of a journey."""
    try:
        pk = uuid.UUID(str(document_id))
    except ValueError:
        return None
    document = (
        SealedDocument.objects.select_related("tenant")
        .filter(pk=pk, subject_type=SUBJECT_TYPE)
        .first()
    )
    if document is None:
        return None
    try:
        journey = lock_journey(journey_id=document.subject_id, tenant=document.tenant)
    except NotFound:
        return None
    return document, journey


def _completed_payload(journey: Journey, document: SealedDocument) -> dict:
    link = sealed_document_download_url(document=document)
    return {
        **formalization_payload(journey.request),
        "journey": {"id": str(journey.pk), "signed_at": journey.signed_at},
        "document": {
            "id": str(document.pk),
            "sha256": document.sha256,
            "code": document.code,
            "pages": document.page_count,
            "size": document.size,
            "sealed_at": document.sealed_at,
            "timestamp_at": document.timestamp_at,
            "verification_url": verification_url(document.code),
            "download_url": link.url,
            "download_expires_at": link.expires_at,
        },
    }


def _close_seal_issues(journey: Journey, document: SealedDocument) -> None:
    now = clock.now()
    resolution = (
        f"Documento selado em {clock.local(document.sealed_at):%d/%m/%Y %H:%M} "
        f"(código {document.code}): pendência encerrada automaticamente."
    )
    JourneyIssue.objects.filter(
        journey=journey, kind=JourneyIssue.Kind.SEAL, status=JourneyIssue.Status.OPEN
    ).update(status=JourneyIssue.Status.RESOLVED, resolved_at=now, resolution=resolution,
             updated_at=now)  # fmt: skip


def journey_sealed_notify(*, document_id: Any) -> str:
    """The journey's final PDF is sealed (EVIDENCE_SEALED_HANDLERS): send the signed
    `formalization.completed` webhook, once, close any seal-failure task, and mark the
    journey's conversations `assinado` (history). Documents of other
    subjects are not ours."""
    with transaction.atomic():
        found = _ours(document_id)
        if found is None:
            return "ignored"
        document, journey = found
        if document.status != SealedDocument.Status.SEALED:
            return "not_sealed"
        _close_seal_issues(journey, document)
        journey_conversations_sign(journey, document)
        if journey.integrator_notified_at is not None:
            return "already_notified"
        event = webhook_event_emit(
            tenant=journey.tenant,
            event_type="formalization.completed",
            data=_completed_payload(journey, document),
        )
        journey.integrator_notified_at = clock.now()
        journey.integrator_event_id = event.pk if event else None
        journey.save(update_fields=["integrator_notified_at", "integrator_event_id", "updated_at"])
        record(
            journey, "integrator.notified", actor=SYSTEM,
            data={"webhook_event": str(event.pk) if event else None, "document": str(document.pk),
                  "code": document.code, "sha256": document.sha256},
        )  # fmt: skip
    return "notified" if event else "no_endpoint"


def journey_seal_failure_report(*, document_id: Any) -> str:
    """Sealing the journey's final PDF failed for good (EVIDENCE_SEAL_FAILED_HANDLERS): a task
    in "Pendências" with the reason and the way to retry. A second failure updates the open
    task; a document sealed meanwhile (retried) opens nothing."""
    with transaction.atomic():
        found = _ours(document_id)
        if found is None:
            return "ignored"
        document, journey = found
        if document.status != SealedDocument.Status.FAILED:
            return "not_failed"
        message = f"O documento final assinado não pôde ser selado: {document.last_error}"
        issue = JourneyIssue.objects.filter(
            journey=journey, kind=JourneyIssue.Kind.SEAL, status=JourneyIssue.Status.OPEN
        ).first()
        if issue is not None:
            issue.message = message
            issue.save(update_fields=["message", "updated_at"])
            return "updated"
        JourneyIssue.objects.create(
            tenant=journey.tenant, journey=journey, kind=JourneyIssue.Kind.SEAL,
            sealed_document_id=document.pk, step=Step.DONE, message=message,
        )  # fmt: skip
        logger.warning("journey %s: final PDF failed to seal: %s", journey.pk, document.last_error)
    return "opened"
