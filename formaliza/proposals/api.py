"""Integrators' endpoints for proposals and formalizations (mounted by formaliza.api)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Query, Router, Schema, Status
from pydantic import create_model

from formaliza.accounts.actors import Actor
from formaliza.core.api_schema import IsoDate, page_field, page_size_field
from formaliza.core.errors import NotFound
from formaliza.core.tenant_lookups import tenant_lookup
from formaliza.proposals import selectors, services
from formaliza.proposals.choices import Activity
from formaliza.proposals.fields import SPECS, Spec
from formaliza.proposals.models import FormalizationRequest, Proposal

proposals_router = Router()
formalizations_router = Router()

_IN_TYPES: dict[str, Any] = {
    "bool": bool,
    "int": int | None,
    "money": str | float | int | None,
    "rate": str | float | int | None,
}
_OUT_TYPES: dict[str, Any] = {
    "bool": bool,
    "int": int | None,
    "money": Decimal | None,
    "rate": Decimal | None,
    "date": dt.date | None,
}
_FORMATS = {"date": "date (AAAA-MM-DD)", "money": "decimal", "rate": "percent"}


def _json_extra(spec: Spec) -> dict:
    extra: dict[str, Any] = {}
    if spec.choices:
        extra["enum"] = [key for key, _ in spec.choices]
    if spec.kind in _FORMATS:
        extra["format"] = _FORMATS[spec.kind]
    return extra


def _in_field(spec: Spec):
    kind_type = _IN_TYPES.get(spec.kind, str | None)
    default = False if spec.kind == "bool" else None
    description = spec.label + (" (obrigatório)" if spec.required else "")
    if spec.kind == "catalog":
        description += " — código do catálogo"
    return (kind_type, Field(default, description=description, json_schema_extra=_json_extra(spec)))


ProposalIn = create_model(
    "ProposalIn", __base__=Schema, **{spec.name: _in_field(spec) for spec in SPECS}
)
ProposalFields = create_model(
    "ProposalFields",
    __base__=Schema,
    **{spec.name: (_OUT_TYPES.get(spec.kind, str | None), None) for spec in SPECS if spec.stored},
)


class Notice(Schema):
    code: str
    message: str


class ProposalOut(Schema):
    id: str
    number: str
    activity: str
    activity_label: str
    approved_in_activity: bool
    situation: str
    activity_since: dt.datetime
    created_at: dt.datetime
    created_via: str
    formalization_phone: str
    open_formalization_id: str | None
    fields: ProposalFields
    notices: list[Notice] = []


class ProposalPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProposalOut]


class DecisionIn(Schema):
    decision: Literal["approve", "reject", "pending", "cancel"]
    observation: str = Field(
        "",
        max_length=2000,
        description=(
            "Motivo. Obrigatório para `reject`, `pending` e `cancel` (sem ele: 422 "
            "`validation_failed`, campo `observation`, código `observation_required`)."
        ),
    )


class FormalizationOut(Schema):
    id: str
    number: str
    status: str
    cpf: str
    phone: str
    opened_by: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    closed_reason: str
    proposal_ids: list[str]


class DecisionOut(Schema):
    proposal: ProposalOut
    formalization: FormalizationOut | None


class ProposalHistoryItem(Schema):
    from_activity: str | None
    to_activity: str
    decision: str
    observation: str
    actor: str
    actor_kind: str
    formalization_id: str | None
    created_at: dt.datetime


class CancelIn(Schema):
    reason: str


class ErrorBody(Schema):
    code: str
    message: str
    fields: list[dict] | None = None


class ErrorOut(Schema):
    error: ErrorBody


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _field_values(proposal: Proposal) -> dict[str, Any]:
    values = {}
    for spec in SPECS:
        if not spec.stored:
            continue
        value = getattr(proposal, spec.name)
        if spec.kind in ("catalog", "branch"):
            value = value.code if value is not None else None
        values[spec.name] = value if value != "" else None
    return values


def proposal_out(proposal: Proposal, notices=()) -> dict[str, Any]:
    open_request = proposal.formalizations.filter(status=FormalizationRequest.Status.OPEN).first()
    return {
        "id": str(proposal.pk),
        "number": proposal.number,
        "activity": proposal.activity,
        "activity_label": Activity(proposal.activity).label,
        "approved_in_activity": proposal.approved_in_activity,
        "situation": proposal.situation,
        "activity_since": proposal.activity_since,
        "created_at": proposal.created_at,
        "created_via": proposal.created_via,
        "formalization_phone": proposal.formalization_phone,
        "open_formalization_id": str(open_request.pk) if open_request else None,
        "fields": _field_values(proposal),
        "notices": [{"code": n.code, "message": n.message} for n in notices],
    }


def formalization_out(request: FormalizationRequest) -> dict[str, Any]:
    return {
        "id": str(request.pk),
        "number": request.number,
        "status": request.status,
        "cpf": request.cpf,
        "phone": request.phone,
        "opened_by": request.opened_by,
        "created_at": request.created_at,
        "closed_at": request.closed_at,
        "closed_reason": request.closed_reason,
        "proposal_ids": [
            str(pk) for pk in request.proposals.order_by("created_at").values_list("pk", flat=True)
        ],
    }


@proposals_router.post("", response={201: ProposalOut, **ERRORS}, summary="Digitar proposta")
def create_proposal(request, payload: ProposalIn):
    actor = Actor.of_api_key(request.auth)
    created = services.proposal_create(actor=actor, data=payload.model_dump(), via="api")
    return Status(201, proposal_out(created.proposal, created.notices))


class ListFilters(Schema):
    activity: Activity | None = None
    cpf: str = ""
    name: str = ""
    number: str = ""
    created_from: IsoDate | None = None
    created_to: IsoDate | None = None
    page: int = page_field()
    page_size: int = page_size_field()


@proposals_router.get(
    "", response={200: ProposalPage, **ERRORS}, summary="Listar propostas (esteira)"
)
def list_proposals(request, filters: Query[ListFilters]):
    actor = Actor.of_api_key(request.auth)
    qs = selectors.proposal_list(
        actor=actor,
        filters=selectors.ProposalFilters(
            activity=filters.activity or "", cpf=filters.cpf, name=filters.name,
            number=filters.number, created_from=filters.created_from, created_to=filters.created_to,
        ),
    ).prefetch_related("formalizations")  # fmt: skip
    start = (filters.page - 1) * filters.page_size
    items = list(qs[start : start + filters.page_size])
    return {
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [proposal_out(p) for p in items],
    }


@tenant_lookup("proposals", "proposal_id")
def _proposal_visible(actor: Actor, value: str) -> bool:
    return selectors.proposal_get(actor=actor, proposal_id=value) is not None


@tenant_lookup("formalizations", "request_id")
def _formalization_visible(actor: Actor, value: str) -> bool:
    return selectors.formalization_get(tenant=actor.tenant, request_id=value) is not None


def _get(actor: Actor, proposal_id: str) -> Proposal:
    proposal = selectors.proposal_get(actor=actor, proposal_id=proposal_id)
    if proposal is None:
        raise NotFound("Proposta", code="proposal_not_found")
    return proposal


@proposals_router.get(
    "/{proposal_id}", response={200: ProposalOut, **ERRORS}, summary="Consultar proposta"
)
def get_proposal(request, proposal_id: str):
    return proposal_out(_get(Actor.of_api_key(request.auth), proposal_id))


@proposals_router.get(
    "/{proposal_id}/history",
    response={200: list[ProposalHistoryItem], **ERRORS},
    summary="Histórico da proposta",
)
def proposal_history(request, proposal_id: str):
    proposal = _get(Actor.of_api_key(request.auth), proposal_id)
    return [
        {
            "from_activity": change.from_activity or None,
            "to_activity": change.to_activity,
            "decision": change.decision,
            "observation": change.observation,
            "actor": change.actor_label,
            "actor_kind": change.actor_kind,
            "formalization_id": str(change.formalization_id) if change.formalization_id else None,
            "created_at": change.created_at,
        }
        for change in proposal.history.all()
    ]


@proposals_router.post(
    "/{proposal_id}/decisions",
    response={200: DecisionOut, **ERRORS},
    summary="Decidir a atividade",
    description=(
        "`approve` avança a proposta; `reject`, `pending` e `cancel` exigem `observation` "
        "(422 `validation_failed`). Uma decisão que a atividade atual não aceita: 409."
    ),
)
def decide_proposal(request, proposal_id: str, payload: DecisionIn):
    actor = Actor.of_api_key(request.auth)
    result = services.proposal_decide(
        actor=actor,
        proposal_id=proposal_id,
        decision=payload.decision,
        observation=payload.observation,
    )
    return {
        "proposal": proposal_out(result.proposal),
        "formalization": formalization_out(result.formalization) if result.formalization else None,
    }


def _get_formalization(actor: Actor, request_id: str) -> FormalizationRequest:
    item = selectors.formalization_get(tenant=actor.tenant, request_id=request_id)
    if item is None:
        raise NotFound("Formalização", code="formalization_not_found")
    return item


@formalizations_router.get(
    "/{request_id}", response={200: FormalizationOut, **ERRORS}, summary="Consultar formalização"
)
def get_formalization(request, request_id: str):
    return formalization_out(_get_formalization(Actor.of_api_key(request.auth), request_id))
