from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import Tenant
from formaliza.accounts.roles import Perm
from formaliza.core import br
from formaliza.proposals.models import CatalogEntry, FormalizationRequest, Proposal


def _visible(actor: Actor) -> QuerySet[Proposal]:
    """Proposals the actor may see: its tenant's; a correspondent tied to a branch sees only
    that branch's."""
    qs = Proposal.objects.filter(tenant=actor.tenant)
    if not actor.can(Perm.PROPOSAL_VIEW):
        return qs.none()
    user = actor.user
    if user is not None and user.branch_id and not actor.can(Perm.PROPOSAL_VIEW_ALL_BRANCHES):
        qs = qs.filter(branch_id=user.branch_id)
    return qs


def _as_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def proposal_get(*, actor: Actor, proposal_id: Any) -> Proposal | None:
    pk = _as_uuid(proposal_id)
    if pk is None:
        return None
    return (
        _visible(actor)
        .select_related(
            "contact", "branch", "agreement", "employer", "agency", "sales_channel", "product"
        )
        .filter(pk=pk)
        .first()
    )


def proposal_get_by_number(*, actor: Actor, number: str) -> Proposal | None:
    return _visible(actor).filter(number=number).first()


@dataclass(frozen=True)
class ProposalFilters:
    activity: str = ""
    cpf: str = ""
    name: str = ""
    number: str = ""
    created_from: dt.date | None = None
    created_to: dt.date | None = None


def proposal_list(*, actor: Actor, filters: ProposalFilters) -> QuerySet[Proposal]:
    qs = _visible(actor).select_related("product").order_by("-created_at")
    if filters.activity:
        qs = qs.filter(activity=filters.activity)
    if filters.cpf:
        qs = qs.filter(cpf=br.only_digits(filters.cpf))
    if filters.name:
        qs = qs.filter(name__icontains=filters.name.strip())
    if filters.number:
        qs = qs.filter(number=filters.number.strip())
    if filters.created_from:
        qs = qs.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        qs = qs.filter(created_at__date__lte=filters.created_to)
    return qs


def proposal_siblings_in_typing(*, proposal: Proposal) -> int:
    """How many of the client's other proposals are still being typed (a warning on approval)."""
    return (
        Proposal.objects.filter(contact_id=proposal.contact_id, activity="DIGITACAO")
        .exclude(pk=proposal.pk)
        .count()
    )


def proposal_group_status(*, proposal: Proposal) -> list[Proposal]:
    """The client's proposals at APROVA_INICIO_FLUXO_ASS (approved or not), for the approval screen."""
    return list(
        Proposal.objects.filter(
            contact_id=proposal.contact_id, activity="APROVA_INICIO_FLUXO_ASS"
        ).order_by("created_at")
    )


def formalization_open_for(*, tenant: Tenant, cpf: str, phone: str) -> FormalizationRequest | None:
    return FormalizationRequest.objects.filter(
        tenant=tenant, cpf=cpf, phone=phone, status=FormalizationRequest.Status.OPEN
    ).first()


def formalization_get(*, tenant: Tenant, request_id: Any) -> FormalizationRequest | None:
    pk = _as_uuid(request_id)
    if pk is None:
        return None
    return (
        FormalizationRequest.objects.filter(tenant=tenant, pk=pk).select_related("contact").first()
    )


def formalization_list(*, tenant: Tenant, status: str = "") -> QuerySet[FormalizationRequest]:
    qs = (
        FormalizationRequest.objects.filter(tenant=tenant)
        .select_related("contact")
        .order_by("-created_at")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related("proposals")


def formalization_payload(request: FormalizationRequest) -> dict:
    return {
        "formalization": {
            "id": str(request.pk),
            "number": request.number,
            "status": request.status,
            "cpf": request.cpf,
            "phone": request.phone,
            "proposals": [
                {"id": str(p.pk), "number": p.number, "external_id": p.external_id}
                for p in request.proposals.order_by("created_at")
            ],
        }
    }


def catalog_options(*, tenant: Tenant) -> dict[str, list[CatalogEntry]]:
    options: dict[str, list[CatalogEntry]] = {}
    for entry in CatalogEntry.objects.filter(tenant=tenant, is_active=True).order_by("code"):
        options.setdefault(entry.kind, []).append(entry)
    return options
