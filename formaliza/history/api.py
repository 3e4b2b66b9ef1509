"""Integrators' endpoints for the conversation history (mounted by formaliza.api under
/api/v1/history): the search with the back office's filters and rules (the 30-day period, full
CPF, at least 3 letters of a name) and a conversation's transcript as a PDF or text. Tenant-scoped
by the API key (another tenant's protocol is 404)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.conversations.models import Conversation
from formaliza.core.api_schema import ERRORS, IsoDate
from formaliza.core.errors import FieldError, NotFound, ValidationFailed
from formaliza.core.tenant_lookups import tenant_lookup
from formaliza.history import exports, selectors
from formaliza.history.forms import HistorySearchForm

router = Router()


class SearchQuery(Schema):
    start: IsoDate = Field(description="Primeiro dia (horário de Brasília).")
    end: IsoDate = Field(description="Último dia; o período tem no máximo 30 dias.")
    cpf: str = Field("", max_length=14, description="CPF completo.")
    contract: str = Field("", max_length=60)
    document_key: str = Field("", max_length=200)
    proposal: str = Field("", max_length=60)
    full_name: str = Field("", max_length=200)
    birth_date: IsoDate | None = None
    name: str = Field("", max_length=200, description="Parte do nome (mínimo 3 letras).")
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    protocol: str = Field("", max_length=20)
    department_id: int | None = Field(None, ge=1, le=2_147_483_647)
    channel_id: int | None = Field(None, ge=1, le=2_147_483_647)
    finalization_id: int | None = Field(None, ge=1, le=2_147_483_647)
    after: str = Field("", max_length=200, description="`next_cursor` da página anterior.")
    limit: int = Field(50, ge=1, le=200)


class HistoryItem(Schema):
    protocol: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    status: str
    contact_name: str
    address: str
    channel: str | None
    department: str | None
    finalization: str | None
    finished_by: str | None


class HistoryPageOut(Schema):
    items: list[HistoryItem]
    next_cursor: str | None


class TranscriptQuery(Schema):
    format: Literal["pdf", "text"] = "pdf"


_FORM_FIELD = {"department_id": "department", "channel_id": "channel"}
_FORM_FIELD["finalization_id"] = "finalization"


@tenant_lookup("history", "protocol")
def _conversation_visible(actor: Actor, value: str) -> bool:
    return selectors.conversation_get(tenant=actor.tenant, protocol=value) is not None


def _actor(request) -> Actor:
    actor = Actor.of_api_key(request.auth)
    actor.require(Perm.HISTORY_VIEW)
    return actor


def _item(c: Conversation) -> dict:
    return {
        "protocol": c.protocol, "opened_at": c.opened_at, "closed_at": c.closed_at,
        "status": c.status, "contact_name": c.contact.name if c.contact_id else "",
        "address": c.handle.address, "channel": c.channel.name if c.channel else None,
        "department": c.department.name if c.department else None,
        "finalization": c.finalization.name if c.finalization else None,
        "finished_by": c.finished_by.display_name if c.finished_by else None,
    }  # fmt: skip


@router.get(
    "",
    response={200: HistoryPageOut, **ERRORS},
    summary="Buscar no histórico de atendimentos",
    description=(
        "Os filtros e as regras da tela do histórico: período de no máximo 30 dias, CPF "
        "completo, nome com ao menos 3 letras (422 `validation_failed` com `fields`). "
        "Paginação por cursor: repita com `after=next_cursor` até vir `null`."
    ),
)
def search(request, query: Query[SearchQuery]):
    actor = _actor(request)
    tenant = actor.tenant
    data = query.model_dump(exclude={"after", "limit"})
    for api_name, form_name in _FORM_FIELD.items():
        data[form_name] = data.pop(api_name)
    data = {k: ("" if v is None else v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in data.items()}  # fmt: skip
    form = HistorySearchForm(
        data,
        departments=selectors.department_list(tenant=tenant),
        channels=selectors.channel_list(tenant=tenant),
        finalizations=selectors.finalization_list(tenant=tenant),
    )
    if not form.is_valid():
        api_names = {v: k for k, v in _FORM_FIELD.items()}
        raise ValidationFailed(
            [
                FieldError(api_names.get(name, name), "invalid", str(message))
                for name, messages in form.errors.items()
                for message in messages
            ]
        )
    after = None
    if query.after:
        after = selectors.Cursor.decode(query.after)
        if after is None:
            raise ValidationFailed([FieldError("after", "invalid", "Cursor inválido.")])
    page = selectors.history_search(
        tenant=tenant, filters=form.filters(), after=after, limit=query.limit
    )
    return {
        "items": [_item(c) for c in page.rows],
        "next_cursor": page.next_cursor.encode() if page.next_cursor else None,
    }


@router.get(
    "/{protocol}/transcript",
    response={200: bytes, **ERRORS},
    summary="Baixar a transcrição do atendimento",
    description="`format=pdf` (padrão, application/pdf) ou `format=text` (text/plain).",
    openapi_extra={
        "responses": {
            "200": {
                "description": "A transcrição.",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "text/plain": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def transcript(request, protocol: str, query: Query[TranscriptQuery]):
    actor = _actor(request)
    conversation = selectors.conversation_get(tenant=actor.tenant, protocol=protocol)
    if conversation is None:
        raise NotFound("Atendimento", code="conversation_not_found")
    messages = selectors.transcript_messages(conversation=conversation)
    if query.format == "text":
        response = HttpResponse(
            exports.transcript_text(conversation, messages),
            content_type="text/plain; charset=utf-8",
        )
        extension = "txt"
    else:
        response = HttpResponse(
            exports.transcript_pdf(conversation, messages), content_type="application/pdf"
        )
        extension = "pdf"
    response["Content-Disposition"] = f'attachment; filename="atendimento-{protocol}.{extension}"'
    return response
