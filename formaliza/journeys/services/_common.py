"""Helpers shared by the journey services: evidence, locking, links and messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from formaliza.accounts.actors import Actor
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, Conflict, NotFound
from formaliza.core.ids import random_token, sha256_hex
from formaliza.core.tasks import enqueue
from formaliza.evidence.services import (
    EvidenceActor,
    RequestContext,
    Subject,
    evidence_event_record,
)
from formaliza.journeys.links import TOKEN_BYTES, as_uuid, current_link, link_url
from formaliza.journeys.models import Journey, JourneyLink, JourneyNotification

JOURNEY_NOTIFICATION_SEND_TASK = "formaliza.journeys.tasks.journey_notification_send"

__all__ = ["as_uuid", "current_link", "link_url"]

SYSTEM = EvidenceActor("system", "Formaliza (jornadas)")


def subject_of(journey: Journey) -> Subject:
    return Subject("journey", str(journey.pk))


def client_actor(journey: Journey) -> EvidenceActor:
    return EvidenceActor("client", journey.client_name)


def evidence_actor(actor: Actor) -> EvidenceActor:
    return EvidenceActor("user" if actor.user is not None else "system", actor.label)


def record(
    journey: Journey,
    kind: str,
    *,
    actor: EvidenceActor,
    data: dict | None = None,
    context: RequestContext | None = None,
):
    return evidence_event_record(
        tenant=journey.tenant, subject=subject_of(journey), kind=kind, actor=actor,
        data=data or {}, context=context,
    )  # fmt: skip


def lock_journey(*, journey_id: Any, tenant=None) -> Journey:
    """The journey row, locked for the rest of the transaction (one step at a time). Only this
    row: locking the joined tenant or terms rows would serialize every journey of a tenant."""
    pk = as_uuid(journey_id)
    qs = Journey.objects.select_for_update(of=("self",)).select_related(
        "tenant", "request", "terms"
    )
    if tenant is not None:
        qs = qs.filter(tenant=tenant)
    journey = qs.filter(pk=pk).first() if pk else None
    if journey is None:
        raise NotFound("Jornada", code="journey_not_found")
    return journey


def require_active(journey: Journey) -> None:
    if journey.status == Journey.Status.STOPPED:
        raise Conflict(
            "journey_stopped",
            "Esta formalização está parada aguardando um atendente. Resolva a pendência antes.",
        )
    if journey.status != Journey.Status.ACTIVE:
        raise Conflict(
            "journey_closed",
            f"Esta jornada está {journey.get_status_display().lower()} e não pode mais mudar.",
        )


def require_step(journey: Journey, step: str) -> None:
    require_active(journey)
    if journey.current_step != step:
        raise ApplicationError(
            code="step_out_of_order",
            message="Esta etapa não está disponível agora. Continue de onde parou.",
            status=409,
            extra={"current_step": journey.current_step},
        )


def link_issue(journey: Journey, *, reason: str) -> tuple[JourneyLink, str]:
    """A new current link (the caller revoked the previous one). Returns it and its token, the
    only moment the token exists in clear outside the encrypted column."""
    now = clock.now()
    token = random_token(TOKEN_BYTES)
    expires_at = min(now + dt.timedelta(hours=settings.JOURNEY_LINK_TTL_HOURS), journey.expires_at)
    link = JourneyLink.objects.create(
        journey=journey, token_hash=sha256_hex(token), token=token, reason=reason,
        created_at=now, expires_at=expires_at,
    )  # fmt: skip
    return link, token


def link_revoke(link: JourneyLink | None, *, reason: str) -> None:
    if link is None or link.revoked_at is not None:
        return
    link.revoked_at = clock.now()
    link.revoked_reason = reason[:120]
    link.save(update_fields=["revoked_at", "revoked_reason"])


def notify(
    journey: Journey, *, kind: str, reason: str = "", link: JourneyLink | None = None
) -> JourneyNotification:
    """Queue a message to the client; the task sends it through the ClientMessenger port after
    this transaction commits (the row and its task commit together)."""
    notification = JourneyNotification.objects.create(
        tenant=journey.tenant, journey=journey, kind=kind, reason=reason, link=link,
        next_attempt_at=clock.now(),
    )  # fmt: skip
    enqueue(JOURNEY_NOTIFICATION_SEND_TASK, str(notification.pk), queue_name="messages")
    return notification
