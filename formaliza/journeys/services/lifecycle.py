"""The journey's life: start (from an opened formalization), links (resend, renew, a client's
request for a new one), expiry, cancellation when its formalization closes, and the sweep."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, Conflict, NotFound
from formaliza.core.ids import sha256_hex
from formaliza.core.tasks import enqueue
from formaliza.evidence.services import RequestContext
from formaliza.journeys import documents
from formaliza.journeys.models import Journey, JourneyContract, JourneyLink, JourneyNotification
from formaliza.journeys.services._common import (
    SYSTEM,
    client_actor,
    current_link,
    evidence_actor,
    link_issue,
    link_revoke,
    link_url,
    lock_journey,
    notify,
    record,
    require_active,
)
from formaliza.journeys.services.content import contract_template_for, journey_terms_current
from formaliza.proposals import services as proposals
from formaliza.proposals.models import FormalizationRequest

JOURNEY_CONTRACTS_RENDER_TASK = "formaliza.journeys.tasks.journey_contracts_render"
JOURNEY_NOTIFICATION_SEND_TASK = "formaliza.journeys.tasks.journey_notification_send"

logger = logging.getLogger(__name__)

OPEN = FormalizationRequest.Status.OPEN


@dataclass(frozen=True)
class JourneyStarted:
    journey: Journey
    link_url: str  # empty when the journey already existed (the token is not shown again)
    created: bool


def _render_contracts(journey: Journey, request: FormalizationRequest) -> list[dict]:
    tenant = journey.tenant
    contexts = []
    proposals_qs = request.proposals.select_related("product", "agreement", "agency")
    for position, proposal in enumerate(proposals_qs.order_by("created_at"), 1):
        context = documents.contract_context(
            proposal=proposal, tenant_name=tenant.name, tenant_cnpj=tenant.cnpj
        )
        template = contract_template_for(tenant=tenant, product_id=proposal.product_id)
        html = documents.contract_render(body=template.body, context=context)
        JourneyContract.objects.create(
            journey=journey, proposal=proposal, position=position,
            title=f"{template.title} nº {proposal.number}", html=html,
            sha256=sha256_hex(html), template_sha256=sha256_hex(template.body),
        )  # fmt: skip
        contexts.append(context)
    return contexts


def _render_in_background(journey: Journey) -> None:
    enqueue(JOURNEY_CONTRACTS_RENDER_TASK, str(journey.pk), queue_name="sealing")


def _close_stale_journeys(request: FormalizationRequest) -> None:
    """A journey still open for this phone and CPF whose formalization has closed (cancelled)
    gives way; one whose formalization is still open blocks the new one."""
    stale = Journey.objects.select_for_update(of=("self",)).filter(
        tenant=request.tenant, phone=request.phone, cpf=request.cpf,
        status__in=Journey.OPEN_STATUSES,
    )  # fmt: skip
    for other in stale.select_related("request"):
        if other.request.status == OPEN:
            raise Conflict(
                "journey_already_active",
                "Já existe uma jornada em andamento para este CPF neste celular.",
                journey_id=str(other.pk),
            )
        _close_for_closed_request(other)


def journey_start(*, request_id: Any) -> JourneyStarted | None:
    """Open the journey of a formalization request: snapshot the conditions, render every
    contract, issue the link and queue it to the client. Idempotent (one journey per request);
    None when the request closed before the task ran."""
    with transaction.atomic():
        request = (
            # The request row only (not its tenant or contact: the pipeline locks the contact,
            # and taking it here too could deadlock with a cancellation).
            FormalizationRequest.objects.select_for_update(of=("self",))
            .select_related("tenant", "contact")
            .filter(pk=request_id)
            .first()
        )
        if request is None:
            raise NotFound("Formalização", code="formalization_not_found")
        existing = Journey.objects.filter(request=request).first()
        if existing is not None:
            return JourneyStarted(journey=existing, link_url="", created=False)
        if request.status != OPEN:
            logger.info("formalization %s is %s: no journey opened", request.pk, request.status)
            return None
        _close_stale_journeys(request)
        journey = _create(request)
        link, token = link_issue(journey, reason=JourneyLink.Reason.INITIAL)
        record(
            journey, "journey.created", actor=SYSTEM,
            data={
                "formalization": {"id": str(request.pk), "number": request.number},
                "client": {"name": journey.client_name, "cpf": journey.cpf},
                "phone": journey.phone,
                "terms": {"version": journey.terms.version, "sha256": journey.terms.sha256},
                "conditions_sha256": journey.conditions_sha256,
                "contracts": [
                    {"proposal": c.proposal.number, "sha256": c.sha256, "template_sha256": c.template_sha256}
                    for c in journey.contracts.select_related("proposal")
                ],
                "link": {"id": link.pk, "expires_at": link.expires_at},
                "expires_at": journey.expires_at,
            },
        )  # fmt: skip
        notify(journey, kind=JourneyNotification.Kind.LINK, reason="initial", link=link)
        _render_in_background(journey)
    return JourneyStarted(journey=journey, link_url=link_url(token), created=True)


def _create(request: FormalizationRequest) -> Journey:
    now = clock.now()
    try:
        with transaction.atomic():
            journey = Journey.objects.create(
                tenant=request.tenant, request=request, contact=request.contact,
                cpf=request.cpf, phone=request.phone,
                client_name=(request.contact.name or "Cliente")[:150],
                expires_at=now + dt.timedelta(days=settings.JOURNEY_TTL_DAYS),
                terms=journey_terms_current(tenant=request.tenant),
                conditions_snapshot={}, conditions_sha256="",
            )  # fmt: skip
    except IntegrityError as exc:  # the partial unique index: one active per (phone, CPF)
        raise Conflict(
            "journey_already_active",
            "Já existe uma jornada em andamento para este CPF neste celular.",
        ) from exc
    snapshot = documents.conditions_snapshot(contexts=_render_contracts(journey, request))
    journey.conditions_snapshot = snapshot
    journey.conditions_sha256 = documents.snapshot_sha256(snapshot)
    journey.save(update_fields=["conditions_snapshot", "conditions_sha256", "updated_at"])
    return journey


def journey_link_resend(
    *, actor: Actor, journey_id: Any, context: RequestContext | None = None
) -> JourneyLink:
    """Send the current link again (it keeps its expiry)."""
    actor.require(Perm.JOURNEY_MANAGE)
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id, tenant=actor.tenant)
        require_active(journey)
        link = current_link(journey)
        if link is None or link.is_expired():
            raise Conflict(
                "journey_link_expired",
                "O link atual expirou. Use “Renovar link” para enviar um novo ao cliente.",
            )
        record(
            journey, "link.resent", actor=evidence_actor(actor), context=context,
            data={"link": {"id": link.pk, "expires_at": link.expires_at}},
        )  # fmt: skip
        notify(journey, kind=JourneyNotification.Kind.LINK, reason="resend", link=link)
    return link


@dataclass(frozen=True)
class LinkRenewed:
    link: JourneyLink
    link_url: str


def _renew(journey: Journey, *, reason: str) -> tuple[JourneyLink | None, JourneyLink, str]:
    old = current_link(journey)
    link_revoke(old, reason="Substituído por um link novo")
    new, token = link_issue(journey, reason=reason)
    return old, new, token


def journey_link_renew(
    *, actor: Actor, journey_id: Any, context: RequestContext | None = None
) -> LinkRenewed:
    """Issue a new link and send it; the previous link stops working at once."""
    actor.require(Perm.JOURNEY_MANAGE)
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id, tenant=actor.tenant)
        require_active(journey)
        old, new, token = _renew(journey, reason=JourneyLink.Reason.RENEWED)
        record(
            journey, "link.renewed", actor=evidence_actor(actor), context=context,
            data={"old_link": old.pk if old else None,
                  "link": {"id": new.pk, "expires_at": new.expires_at}},
        )  # fmt: skip
        notify(journey, kind=JourneyNotification.Kind.LINK, reason="renew", link=new)
    return LinkRenewed(link=new, link_url=link_url(token))


def journey_link_request(*, link_id: int, context: RequestContext) -> JourneyLink:
    """The client, on an expired or replaced link's page, asks for a new link by WhatsApp.
    Rate-limited per journey; the new link goes to the journey's phone, never to the page."""
    now = clock.now()
    with transaction.atomic():
        link = JourneyLink.objects.filter(pk=link_id).first()
        if link is None:
            raise NotFound("Link", code="link_not_found")
        journey = lock_journey(journey_id=link.journey_id)
        require_active(journey)
        current = current_link(journey)
        if current is not None and current.pk == link.pk and not current.is_expired(now):
            raise Conflict("link_still_valid", "Seu link ainda vale: continue por ele.")
        recent = list(
            journey.links.filter(
                reason=JourneyLink.Reason.REQUESTED, created_at__gte=now - dt.timedelta(hours=1)
            ).order_by("-created_at")
        )
        cooldown = dt.timedelta(seconds=settings.JOURNEY_LINK_REQUEST_COOLDOWN_SECONDS)
        if len(recent) >= settings.JOURNEY_LINK_REQUESTS_PER_HOUR or (
            recent and now - recent[0].created_at < cooldown
        ):
            raise ApplicationError(
                code="link_request_rate_limited",
                message="Você já pediu um link novo há pouco. Confira o WhatsApp; se não chegou, tente de novo daqui a alguns minutos.",
                status=429,
            )
        old, new, _token = _renew(journey, reason=JourneyLink.Reason.REQUESTED)
        record(
            journey, "link.requested", actor=client_actor(journey), context=context,
            data={"from_link": link.pk, "old_link": old.pk if old else None,
                  "link": {"id": new.pk, "expires_at": new.expires_at}},
        )  # fmt: skip
        notify(journey, kind=JourneyNotification.Kind.LINK, reason="requested", link=new)
    return new


def _close(journey: Journey, *, status: str, reason: str) -> None:
    journey.status = status
    journey.closed_at = clock.now()
    journey.closed_reason = reason[:300]
    journey.save(update_fields=["status", "closed_at", "closed_reason", "updated_at"])
    link_revoke(current_link(journey), reason=reason)


def _close_for_closed_request(journey: Journey) -> None:
    request = journey.request
    reason = f"Formalização {request.number} {request.get_status_display().lower()}"
    if request.closed_reason:
        reason += f": {request.closed_reason}"
    _close(journey, status=Journey.Status.CANCELLED, reason=reason)
    record(
        journey, "journey.cancelled", actor=SYSTEM,
        data={"formalization": {"number": request.number, "status": request.status,
                                "reason": request.closed_reason}},
    )  # fmt: skip


def journey_cancel_closed(*, journey_id: Any) -> Journey:
    """Revoke the journey (and its link) of a formalization that was cancelled outside it.
    The proposals app never calls us: we see it here, from the sweep or when the link is used.
    Idempotent."""
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id)
        request = FormalizationRequest.objects.select_for_update().get(pk=journey.request_id)
        journey.request = request
        if journey.is_open and request.status != OPEN:
            _close_for_closed_request(journey)
    return journey


def journey_expire(
    *,
    actor: Actor,
    journey_id: Any,
    reason: str = "Prazo da formalização encerrado sem assinatura.",
    context: RequestContext | None = None,
) -> Journey:
    """End an unsigned journey: its link stops working and its formalization is cancelled (the
    proposals return to APROVA_INICIO_FLUXO_ASS, so the correspondent can start again).
    Idempotent."""
    actor.require(Perm.JOURNEY_MANAGE)
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id, tenant=actor.tenant)
        if not journey.is_open:
            return journey
        _close(journey, status=Journey.Status.EXPIRED, reason=reason)
        record(
            journey, "journey.expired", actor=evidence_actor(actor), context=context,
            data={"reason": reason, "expires_at": journey.expires_at,
                  "last_step_done": journey.current_step},
        )  # fmt: skip
        if journey.request.status == OPEN:
            proposals.formalization_cancel(
                actor=Actor.of_system(journey.tenant, "journeys"),
                request_id=journey.request_id,
                reason=f"Jornada expirada: {reason}",
            )
    return journey


@dataclass(frozen=True)
class SweepResult:
    expired: int
    cancelled: int
    requeued_messages: int


def journeys_sweep(*, grace_seconds: int = 120) -> SweepResult:
    """Periodic: revoke journeys whose formalization closed, expire overdue ones, and requeue
    messages whose task was lost with a crashed worker. Safe to run any number of times."""
    now = clock.now()
    open_journeys = Journey.objects.filter(status__in=Journey.OPEN_STATUSES)
    cancelled = 0
    for journey_id in open_journeys.exclude(request__status=OPEN).values_list("pk", flat=True):
        journey_cancel_closed(journey_id=journey_id)
        cancelled += 1
    expired = 0
    overdue = open_journeys.filter(expires_at__lte=now).select_related("tenant")
    for journey in list(overdue[:500]):
        journey_expire(actor=Actor.of_system(journey.tenant, "journeys"), journey_id=journey.pk)
        expired += 1
    requeued = 0
    stuck = JourneyNotification.objects.filter(
        status=JourneyNotification.Status.PENDING,
        next_attempt_at__lte=now - dt.timedelta(seconds=grace_seconds),
    )
    for notification_id in stuck.values_list("pk", flat=True)[:1000]:
        enqueue(JOURNEY_NOTIFICATION_SEND_TASK, str(notification_id), queue_name="messages")
        requeued += 1
    return SweepResult(expired=expired, cancelled=cancelled, requeued_messages=requeued)
