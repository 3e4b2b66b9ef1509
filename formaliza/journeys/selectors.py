"""Reads of the journeys app. Back-office reads always take the tenant; the client's reads go
through a link token (looked up by its hash)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from formaliza.accounts.models import Tenant
from formaliza.core import br, clock
from formaliza.core.ids import sha256_hex
from formaliza.evidence.models import EvidenceEvent, SealedDocument
from formaliza.evidence.selectors import sealed_document_for_subject, sealed_documents_for_subjects
from formaliza.evidence.services import Subject, evidence_chain_verify, evidence_events
from formaliza.journeys.face_match import RETAKE_PROMPTS, Policy
from formaliza.journeys.links import as_uuid, current_link, link_url
from formaliza.journeys.models import (
    CaptureAccess,
    ContractTemplate,
    FaceMatch,
    FaceMatchPolicy,
    Journey,
    JourneyContract,
    JourneyIssue,
    JourneyLink,
    JourneyTerms,
    Step,
)

MAX_TOKEN_LENGTH = 100


class LinkState:
    OK = "ok"
    EXPIRED = "expired"  # the link's time ran out; the client may ask for a new one
    REPLACED = "replaced"  # a newer link exists; the client may ask for a new one
    STOPPED = "stopped"  # "Algo errado?": waiting for an operator
    SIGNED = "signed"
    JOURNEY_EXPIRED = "journey_expired"
    CANCELLED = "cancelled"
    REQUEST_CLOSED = "request_closed"  # formalization cancelled; the journey not revoked yet


@dataclass(frozen=True)
class ResolvedLink:
    link: JourneyLink
    journey: Journey
    state: str


def link_state(link: JourneyLink, journey: Journey) -> str:
    status = journey.status
    if status == Journey.Status.SIGNED:
        return LinkState.SIGNED
    if status == Journey.Status.EXPIRED:
        return LinkState.JOURNEY_EXPIRED
    if status == Journey.Status.CANCELLED:
        return LinkState.CANCELLED
    if journey.request.status != "open":
        return LinkState.REQUEST_CLOSED
    if link.revoked_at is not None:
        return LinkState.REPLACED
    if link.is_expired(clock.now()):
        return LinkState.EXPIRED
    if status == Journey.Status.STOPPED:
        return LinkState.STOPPED
    return LinkState.OK


def _resolved(link: JourneyLink | None) -> ResolvedLink | None:
    if link is None:
        return None
    journey = link.journey
    return ResolvedLink(link=link, journey=journey, state=link_state(link, journey))


def link_resolve(*, token: str) -> ResolvedLink | None:
    """The link of a token, or None for an unknown or malformed one. The lookup is by SHA-256
    (the token is never compared as stored text), and the match is confirmed in constant time."""
    digest = sha256_hex((token or "")[:MAX_TOKEN_LENGTH])
    link = (
        JourneyLink.objects.select_related("journey", "journey__tenant", "journey__request")
        .filter(token_hash=digest)
        .first()
    )
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        return None
    return _resolved(link)


def link_resolve_by_id(*, journey_id: Any, link_id: Any) -> ResolvedLink | None:
    """The link bound to a browser session (set when the client entered with the token)."""
    pk = as_uuid(journey_id)
    if pk is None or not str(link_id).isdigit():
        return None
    link = (
        JourneyLink.objects.select_related("journey", "journey__tenant", "journey__request")
        .filter(pk=link_id, journey_id=pk)
        .first()
    )
    return _resolved(link)


def journey_get(*, tenant: Tenant, journey_id: Any) -> Journey | None:
    pk = as_uuid(journey_id)
    if pk is None:
        return None
    return (
        Journey.objects.select_related("request", "contact", "terms", "tenant")
        .filter(tenant=tenant, pk=pk)
        .first()
    )


def journey_latest_for_phone(*, tenant: Tenant, phone: str) -> Journey | None:
    """The most recent journey sent to this phone (E.164): the open one when there is one (at
    most one per phone and CPF), else the last closed. The WhatsApp assistant uses it when a
    conversation was not started by the journey itself."""
    qs = Journey.objects.select_related("request", "tenant").filter(tenant=tenant, phone=phone)
    return (
        qs.filter(status__in=Journey.OPEN_STATUSES).order_by("-created_at").first()
        or qs.order_by("-created_at").first()
    )


def journey_list(*, tenant: Tenant, status: str = "", query: str = "") -> QuerySet[Journey]:
    qs = Journey.objects.filter(tenant=tenant).select_related("request").order_by("-created_at")
    if status:
        qs = qs.filter(status=status)
    query = (query or "").strip()
    if query:
        digits = br.only_digits(query)
        condition = Q(client_name__icontains=query) | Q(request__number=query)
        if digits:
            condition |= Q(cpf=digits) | Q(
                phone__endswith=digits[-8:] if len(digits) >= 8 else digits
            )
        qs = qs.filter(condition)
    return qs


@dataclass(frozen=True)
class StepStatus:
    label: str
    at: Any  # datetime or None


def journey_step_statuses(journey: Journey) -> list[StepStatus]:
    """The back office's per-step view (issue 5): sent, opened, terms, conditions, contracts
    read, ID front, ID back, selfie, signed, expired."""
    rows = [
        ("Link enviado", journey.first_sent_at),
        ("Aberto pelo cliente", journey.opened_at),
        ("Termos aceitos", journey.terms_accepted_at),
        ("Condições confirmadas", journey.conditions_confirmed_at),
        ("Contratos lidos", journey.contracts_read_at),
        ("Documento (frente)", journey.id_front_at),
        ("Documento (verso)", journey.id_back_at),
        ("Selfie", journey.selfie_at),
        ("Assinado", journey.signed_at),
        ("Expirado" if journey.status != "cancelled" else "Cancelado", journey.closed_at),
    ]
    return [StepStatus(label, at) for label, at in rows]


def journey_current_link(*, journey: Journey) -> JourneyLink | None:
    return current_link(journey)


def journey_link_url_current(*, journey: Journey) -> str:
    """The working link of an open journey (for the demo and the operator), or ""."""
    link = current_link(journey)
    if link is None or link.is_expired() or not journey.is_open:
        return ""
    return link_url(link.token)


def journey_timeline(*, journey: Journey) -> list[EvidenceEvent]:
    return evidence_events(subject=Subject("journey", str(journey.pk)))


def journey_chain_verdict(*, journey: Journey):
    return evidence_chain_verify(subject=Subject("journey", str(journey.pk)))


def journey_sealed_document(*, journey: Journey) -> SealedDocument | None:
    """The final PDF requested when the journey was signed (None before signing)."""
    return sealed_document_for_subject(
        tenant=journey.tenant, subject=Subject("journey", str(journey.pk))
    )


def journey_sealed_documents(
    *, tenant: Tenant, journeys: list[Journey]
) -> dict[str, SealedDocument]:
    """The final PDFs of a page of journeys, by journey id (one query)."""
    return sealed_documents_for_subjects(
        tenant=tenant, subject_type="journey", subject_ids=[str(j.pk) for j in journeys]
    )


def issue_list(*, tenant: Tenant, status: str = JourneyIssue.Status.OPEN) -> QuerySet[JourneyIssue]:
    qs = JourneyIssue.objects.filter(tenant=tenant).select_related(
        "journey", "journey__request", "resolved_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


STEP_LABELS = dict(Step.choices)


def issue_get(*, tenant: Tenant, issue_id: Any) -> JourneyIssue | None:
    try:
        return JourneyIssue.objects.filter(tenant=tenant, pk=int(issue_id)).first()
    except (TypeError, ValueError):
        return None


def journey_for_request(*, request_id: Any) -> Journey | None:
    """The journey of a formalization request (system use: the request id came from our own
    proposals app, not from a client)."""
    pk = as_uuid(request_id)
    return Journey.objects.filter(request_id=pk).first() if pk else None


def contract_rendered_pdf(contract: JourneyContract) -> bytes | None:
    """The contract's pre-rendered PDF, or None when it is not there (yet)."""
    if not contract.rendered_pdf:
        return None
    with contract.rendered_pdf.open("rb") as handle:
        return handle.read()


def journey_current_step(*, journey_id: Any) -> str:
    """The step the journey is at now (after a step service moved it on)."""
    return Journey.objects.get(pk=journey_id).current_step  # a property of the step times


@dataclass(frozen=True)
class JourneyRecords:
    """What the back office's journey page lists beside its timeline."""

    links: QuerySet
    notifications: QuerySet
    contracts: QuerySet
    captures: QuerySet
    issues: QuerySet
    accesses: QuerySet  # who opened the photos, newest first (the last 50)


def journey_contracts(*, journey: Journey) -> QuerySet[JourneyContract]:
    return journey.contracts.select_related("proposal").order_by("position")


def journey_records(*, journey: Journey) -> JourneyRecords:
    return JourneyRecords(
        links=journey.links.order_by("-created_at"),
        notifications=journey.notifications.order_by("-created_at"),
        contracts=journey_contracts(journey=journey),
        captures=journey.captures.order_by("created_at", "pk"),
        issues=journey.issues.order_by("-created_at"),
        accesses=CaptureAccess.objects.filter(capture__journey=journey)
        .select_related("user", "capture")
        .order_by("-accessed_at")[:50],
    )


def journey_terms_list(*, tenant: Tenant) -> QuerySet[JourneyTerms]:
    return JourneyTerms.objects.filter(tenant=tenant).order_by("-version")


def contract_template_list(*, tenant: Tenant) -> QuerySet[ContractTemplate]:
    return ContractTemplate.objects.filter(tenant=tenant).select_related("product")


# --- face match --------------------------------------------------------------------------------


def face_match_policy(*, tenant: Tenant) -> Policy:
    """The tenant's face-match policy, or the defaults of settings without one."""
    row = FaceMatchPolicy.objects.filter(tenant=tenant).first()
    if row is None:
        return Policy.defaults()
    return Policy(
        enabled=row.enabled, accept_threshold=row.accept_threshold,
        review_threshold=row.review_threshold, max_attempts=row.max_attempts,
    )  # fmt: skip


def face_match_latest(*, journey: Journey) -> FaceMatch | None:
    return journey.face_matches.order_by("-attempt").first()


class FaceGate:
    """Where the journey's identity check stands, for the seal."""

    OFF = "off"  # no comparison asked (face match off when the selfie came)
    CLEARED = "cleared"  # accepted by the model or approved by a reviewer
    WAITING = "waiting"  # running, waiting for a new selfie, or in the review queue
    REJECTED = "rejected"  # a reviewer refused it: no seal


def face_match_gate(*, journey: Journey) -> str:
    latest = face_match_latest(journey=journey)
    if latest is None:
        return FaceGate.OFF
    if latest.is_cleared:
        return FaceGate.CLEARED
    if latest.status == FaceMatch.Status.REJECTED:
        return FaceGate.REJECTED
    return FaceGate.WAITING


def face_match_queue(
    *, tenant: Tenant, status: str = FaceMatch.Status.REVIEW
) -> QuerySet[FaceMatch]:
    qs = FaceMatch.objects.filter(tenant=tenant).select_related(
        "journey", "journey__request", "reviewed_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def face_match_get(*, tenant: Tenant, face_match_id: Any) -> FaceMatch | None:
    if not str(face_match_id).isdigit():
        return None
    return (
        FaceMatch.objects.filter(tenant=tenant, pk=int(face_match_id))
        .select_related("journey", "journey__request", "selfie", "document", "reviewed_by")
        .first()
    )


@dataclass(frozen=True)
class FaceClientState:
    """What the client's pages say about the face match (never the score)."""

    status: str  # FaceMatch.Status, or "off"
    retake_prompt: str  # set when the last selfie was refused and a new one is expected
    attempt: int
    max_attempts: int

    @property
    def pending(self) -> bool:
        return self.status == FaceMatch.Status.PENDING


def face_match_client_state(*, journey: Journey) -> FaceClientState:
    latest = face_match_latest(journey=journey)
    if latest is None:
        return FaceClientState("off", "", 0, 0)
    prompt = ""
    if latest.status == FaceMatch.Status.REFUSED and journey.selfie_at is None:
        prompt = RETAKE_PROMPTS.get(latest.outcome, RETAKE_PROMPTS["compared"])
    return FaceClientState(latest.status, prompt, latest.attempt, latest.max_attempts)
