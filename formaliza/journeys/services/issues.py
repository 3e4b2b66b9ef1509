"""Operator tasks opened from the journey ("Algo errado?")."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.core import clock
from formaliza.core.errors import Conflict, NotFound
from formaliza.evidence.services import RequestContext
from formaliza.journeys.models import Journey, JourneyIssue, JourneyLink, JourneyNotification
from formaliza.journeys.services._common import (
    client_actor,
    current_link,
    evidence_actor,
    link_issue,
    link_revoke,
    lock_journey,
    notify,
    record,
)


def journey_issue_resolve(
    *,
    actor: Actor,
    issue_id: Any,
    resolution: str,
    resume: bool,
    context: RequestContext | None = None,
) -> JourneyIssue:
    """Close an operator task. With `resume`, a stopped journey goes back to the client (at the
    step where it stopped) with a new link; otherwise it stays stopped (e.g. the formalization
    will be cancelled and the proposal corrected)."""
    actor.require(Perm.JOURNEY_MANAGE)
    resolution = (resolution or "").strip()[:2000]
    with transaction.atomic():
        issue = (
            JourneyIssue.objects.select_for_update()
            .filter(tenant=actor.tenant, pk=issue_id if str(issue_id).isdigit() else None)
            .first()
        )
        if issue is None:
            raise NotFound("Pendência", code="issue_not_found")
        if issue.status != JourneyIssue.Status.OPEN:
            raise Conflict("issue_already_resolved", "Esta pendência já foi resolvida.")
        if issue.kind == JourneyIssue.Kind.SEAL:
            # Closing it by hand would hide a signed journey whose document is not sealed.
            raise Conflict(
                "seal_issue_resolves_itself",
                "Esta pendência se encerra sozinha quando o documento for selado: use "
                "“Tentar selar de novo” na página do documento.",
            )
        journey = lock_journey(journey_id=issue.journey_id, tenant=actor.tenant)
        issue.status = JourneyIssue.Status.RESOLVED
        issue.resolved_at = clock.now()
        issue.resolved_by = actor.user
        issue.resolution = resolution
        issue.save()
        resumed = resume and journey.status == Journey.Status.STOPPED
        new_link = None
        if resumed:
            journey.status = Journey.Status.ACTIVE
            journey.save(update_fields=["status", "updated_at"])
            link_revoke(current_link(journey), reason="Substituído ao liberar a jornada")
            new_link, _token = link_issue(journey, reason=JourneyLink.Reason.RENEWED)
        record(
            journey, "issue.resolved", actor=evidence_actor(actor), context=context,
            data={"issue": issue.pk, "resolution": resolution, "resumed": resumed,
                  "link": new_link.pk if new_link else None},
        )  # fmt: skip
        if new_link is not None:
            notify(journey, kind=JourneyNotification.Kind.LINK, reason="renew", link=new_link)
    return issue


HELP_MESSAGE = "O cliente pediu ajuda pelo WhatsApp (opção 3 – Ajuda): ligue para"


def journey_help_request(*, journey_id: Any, tenant=None) -> JourneyIssue:
    """The client asked the assistant for help (option 3, "Ajuda"): an operator gets a task in
    "Pendências" to call them. The journey goes on (the client may still finish by the link).
    One open help task per journey: asking again returns the open one."""
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id, tenant=tenant)
        if not journey.is_open:
            raise Conflict(
                "journey_closed",
                f"Esta jornada está {journey.get_status_display().lower()} e não pode mais mudar.",
            )
        message = f"{HELP_MESSAGE} {journey.phone_display}."
        issue = (
            journey.issues.filter(
                kind=JourneyIssue.Kind.CLIENT, status=JourneyIssue.Status.OPEN, message=message
            )
            .order_by("-created_at")
            .first()
        )
        if issue is not None:
            return issue
        issue = JourneyIssue.objects.create(
            tenant=journey.tenant, journey=journey, step=journey.current_step, message=message
        )
        record(
            journey, "issue.help_requested", actor=client_actor(journey),
            data={"issue": issue.pk, "step": journey.current_step, "channel": "whatsapp"},
        )  # fmt: skip
    return issue
