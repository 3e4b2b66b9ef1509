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
