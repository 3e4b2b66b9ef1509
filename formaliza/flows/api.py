"""Integrators' endpoints for chatbot flows (mounted by formaliza.api under /api/v1/flows):
list, versions, import (with the pt-BR problem list), export, publish and rollback. Tenant-scoped
by the API key (another tenant's flow is 404); POSTs accept `Idempotency-Key`."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.core.api_schema import ERRORS, ErrorBody
from formaliza.core.errors import NotFound
from formaliza.core.tenant_lookups import tenant_lookup
from formaliza.flows import selectors
from formaliza.flows.models import Flow, FlowVersion
from formaliza.flows.services import definitions

router = Router()


class ProblemOut(Schema):
    card: str
    field: str
    message: str


class FlowErrorBody(ErrorBody):
    problems: list[ProblemOut] | None = None


class FlowErrorOut(Schema):
    error: FlowErrorBody


FLOW_ERRORS = {**ERRORS, 422: FlowErrorOut}


class WarningOut(Schema):
    code: str
    card: str
    field: str
    message: str


class VersionOut(Schema):
    number: int
    checksum: str
    published_at: dt.datetime
    published_by: str | None
    note: str
    live: bool


class FlowOut(Schema):
    key: str
    name: str
    description: str
    trigger: str
    live_version: int | None
    archived: bool
    updated_at: dt.datetime


class ImportIn(Schema):
    document: dict[str, Any] = Field(description="O arquivo do fluxo (formato formaliza.flow/1).")
    key: str = Field("", description="Importar com outra chave (renomeia o fluxo).")
    on_conflict: Literal["fail", "update"] = Field(
        "fail", description="`update`: atualiza o rascunho do fluxo que já tem a chave."
    )


class ImportOut(Schema):
    flow: FlowOut
    created: bool
    warnings: list[WarningOut]


class PublishIn(Schema):
    note: str = Field("", max_length=200)


class PublishOut(Schema):
    version: VersionOut
    created: bool


class RollbackIn(Schema):
    number: int = Field(ge=1, le=2_147_483_647)


class ExportQuery(Schema):
    version: int | None = Field(None, ge=1, le=2_147_483_647)
    draft: bool = False


def _actor(request, perm: str) -> Actor:
    actor = Actor.of_api_key(request.auth)
    actor.require(perm)
    return actor


@tenant_lookup("flows", "key")
def _flow_visible(actor: Actor, value: str) -> bool:
    return selectors.flow_get(tenant=actor.tenant, key=value) is not None


def _flow(actor: Actor, key: str) -> Flow:
    flow = selectors.flow_get(tenant=actor.tenant, key=key)
    if flow is None:
        raise NotFound("Fluxo", code="flow_not_found")
    return flow


def flow_out(flow: Flow) -> dict:
    return {
        "key": flow.key, "name": flow.name, "description": flow.description,
        "trigger": flow.trigger, "live_version": flow.live.number if flow.live_id else None,
        "archived": flow.archived_at is not None, "updated_at": flow.updated_at,
    }  # fmt: skip


def version_out(version: FlowVersion, live_id: int | None) -> dict:
    by = version.published_by
    return {
        "number": version.number, "checksum": version.checksum,
        "published_at": version.published_at, "published_by": by.display_name if by else None,
        "note": version.note, "live": version.pk == live_id,
    }  # fmt: skip


@router.get("", response={200: list[FlowOut], **ERRORS}, summary="Fluxos")
def list_flows(request, include_archived: bool = False):
    actor = _actor(request, Perm.FLOW_VIEW)
    flows = selectors.flow_list(tenant=actor.tenant, include_archived=include_archived)
    return [flow_out(f) for f in flows]


@router.post(
    "/import",
    response={200: ImportOut, 201: ImportOut, **FLOW_ERRORS},
    summary="Importar um fluxo",
    description=(
        "Valida o arquivo inteiro: com problemas, nada é importado e a resposta é 422 "
        "`flow_invalid` com `problems` (card, campo e mensagem em português). 201: fluxo novo; "
        "200: rascunho atualizado (`on_conflict=update`); 409 `flow_key_exists`."
    ),
)
def import_flow(request, payload: ImportIn):
    actor = _actor(request, Perm.FLOW_MANAGE)
    result = definitions.flow_import(
        tenant=actor.tenant, actor=actor, data=payload.document, key=payload.key,
        on_conflict=payload.on_conflict,
    )  # fmt: skip
    body = {
        "flow": flow_out(result.flow),
        "created": result.created,
        "warnings": [
            {"code": w.code, "card": w.card, "field": w.field, "message": w.message}
            for w in result.warnings
        ],
    }
    return Status(201 if result.created else 200, body)


@router.get("/{key}", response={200: FlowOut, **ERRORS}, summary="Fluxo")
def get_flow(request, key: str):
    return flow_out(_flow(_actor(request, Perm.FLOW_VIEW), key))


@router.get(
    "/{key}/versions", response={200: list[VersionOut], **ERRORS}, summary="Versões publicadas"
)
def list_versions(request, key: str):
    flow = _flow(_actor(request, Perm.FLOW_VIEW), key)
    return [version_out(v, flow.live_id) for v in selectors.flow_versions(flow=flow)]


@router.get(
    "/{key}/export",
    response={200: dict[str, Any], **ERRORS},
    summary="Exportar o arquivo do fluxo",
    description="A versão em uso (padrão), uma versão (`version`) ou o rascunho (`draft=true`).",
)
def export_flow(request, key: str, query: Query[ExportQuery]):
    flow = _flow(_actor(request, Perm.FLOW_VIEW), key)
    export = definitions.flow_export(flow=flow, version=query.version, draft=query.draft)
    response = HttpResponse(export.text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@router.post(
    "/{key}/publish",
    response={200: PublishOut, 201: PublishOut, **FLOW_ERRORS},
    summary="Publicar o rascunho",
    description=(
        "201: nova versão; 200 com `created: false`: o rascunho é igual à versão em uso. "
        "Rascunho com problemas: 422 `flow_invalid` com `problems`."
    ),
)
def publish_flow(request, key: str, payload: PublishIn):
    actor = _actor(request, Perm.FLOW_MANAGE)
    flow = _flow(actor, key)
    result = definitions.flow_publish(flow=flow, actor=actor, note=payload.note)
    body = {"version": version_out(result.version, flow.live_id), "created": result.created}
    return Status(201 if result.created else 200, body)


@router.post(
    "/{key}/rollback",
    response={200: VersionOut, **FLOW_ERRORS},
    summary="Voltar a uma versão",
    description="Torna a versão `number` a versão em uso (409 `flow_version_live` se já é).",
)
def rollback_flow(request, key: str, payload: RollbackIn):
    actor = _actor(request, Perm.FLOW_MANAGE)
    flow = _flow(actor, key)
    version = definitions.flow_rollback(flow=flow, actor=actor, number=payload.number)
    return version_out(version, version.pk)
