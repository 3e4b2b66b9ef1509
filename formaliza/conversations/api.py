"""Integrators' endpoints for conversations (mounted by formaliza.api under
/api/v1/conversations): list, one conversation, its messages, send a message inside the 24-hour
window or an approved template, hand off to a department's queue, close. Tenant-scoped by the
API key (another tenant's protocol is 404); POSTs accept `Idempotency-Key`. A send refused by a
gate (closed window, opted-out client, rate limit) is 409 with the gate's code; malformed
content is 422."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.conversations import selectors
from formaliza.conversations.models import Conversation, Message
from formaliza.conversations.services.conversations import conversation_close, conversation_locked
from formaliza.conversations.services.inbox import (
    conversation_bot,
    inbox_finish,
    inbox_transfer,
)
from formaliza.conversations.services.outbound import message_send_template, message_send_text
from formaliza.core.api_schema import ERRORS, page_field, page_size_field
from formaliza.core.errors import Conflict, NotFound
from formaliza.core.tenant_lookups import tenant_lookup

router = Router()


class ConversationOut(Schema):
    protocol: str
    status: str
    channel_id: int
    channel_kind: str
    address: str
    contact_name: str
    handler: str
    department: str | None
    assignee: str | None
    opened_at: dt.datetime
    last_message_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_reason: str
    finalization: str | None


class ConversationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ConversationOut]


class MessageOut(Schema):
    id: str
    direction: str
    kind: str
    body: str
    status: str
    sent_by: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None
    read_at: dt.datetime | None
    failed_at: dt.datetime | None
    error_code: str
    error_title: str


class ListQuery(Schema):
    status: str = Field("", pattern="^(|open|closed)$")
    q: str = Field("", max_length=200, description="Protocolo, telefone, e-mail ou nome.")
    page: int = page_field()
    page_size: int = page_size_field()


class TextIn(Schema):
    text: str = Field(min_length=1, max_length=4096)


class TemplateIn(Schema):
    template: str = Field(min_length=1, max_length=512, description="Nome do modelo aprovado.")
    language: str = Field("", max_length=15)
    variables: list[str] = Field(default_factory=list, max_length=30)


class HandoffIn(Schema):
    department_id: int = Field(ge=1, le=2_147_483_647)
    note: str = Field("", max_length=2000)


class CloseIn(Schema):
    finalization_id: int | None = Field(
        None, ge=1, le=2_147_483_647, description="Status de finalização (etiqueta)."
    )
    reason: str = Field("", max_length=200)


@tenant_lookup("conversations", "protocol")
def _conversation_visible(actor: Actor, value: str) -> bool:
    return selectors.conversation_get(tenant=actor.tenant, protocol=value) is not None


def _actor(request, perm: str) -> Actor:
    actor = Actor.of_api_key(request.auth)
    actor.require(perm)
    return actor


def _conversation(actor: Actor, protocol: str) -> Conversation:
    conversation = selectors.conversation_get(tenant=actor.tenant, protocol=protocol)
    if conversation is None:
        raise NotFound("Atendimento", code="conversation_not_found")
    return conversation


def conversation_out(c: Conversation) -> dict:
    return {
        "protocol": c.protocol, "status": c.status, "channel_id": c.channel_id,
        "channel_kind": c.channel.kind, "address": c.handle.address,
        "contact_name": c.contact.name if c.contact_id else "", "handler": c.handler,
        "department": c.department.name if c.department_id else None,
        "assignee": c.assignee.display_name if c.assignee_id else None,
        "opened_at": c.opened_at, "last_message_at": c.last_message_at,
        "closed_at": c.closed_at, "closed_reason": c.closed_reason,
        "finalization": c.finalization.name if c.finalization_id else None,
    }  # fmt: skip


def message_out(m: Message) -> dict:
    return {
        "id": str(m.public_id), "direction": m.direction, "kind": m.kind, "body": m.body,
        "status": m.status, "sent_by": m.sent_by.display_name if m.sent_by_id else None,
        "created_at": m.created_at, "sent_at": m.sent_at, "delivered_at": m.delivered_at,
        "read_at": m.read_at, "failed_at": m.failed_at, "error_code": m.error_code,
        "error_title": m.error_title,
    }  # fmt: skip


@router.get("", response={200: ConversationPage, **ERRORS}, summary="Atendimentos")
def list_conversations(request, query: Query[ListQuery]):
    actor = _actor(request, Perm.CONVERSATION_VIEW)
    rows = selectors.conversation_list(
        tenant=actor.tenant,
        filters=selectors.ConversationFilters(status=query.status, q=query.q),
    ).select_related("department", "assignee", "finalization")
    start = (query.page - 1) * query.page_size
    return {
        "count": rows.count(), "page": query.page, "page_size": query.page_size,
        "items": [conversation_out(c) for c in rows[start : start + query.page_size]],
    }  # fmt: skip


@router.get("/{protocol}", response={200: ConversationOut, **ERRORS}, summary="Atendimento")
def get_conversation(request, protocol: str):
    return conversation_out(_conversation(_actor(request, Perm.CONVERSATION_VIEW), protocol))


@router.get("/{protocol}/messages", response={200: list[MessageOut], **ERRORS}, summary="Mensagens")
def list_messages(request, protocol: str):
    conversation = _conversation(_actor(request, Perm.CONVERSATION_VIEW), protocol)
    return [message_out(m) for m in selectors.conversation_messages(conversation=conversation)]


def _open(conversation: Conversation) -> None:
    if conversation.status != Conversation.Status.OPEN:
        raise Conflict("conversation_closed", "Este atendimento já foi encerrado.")


@router.post(
    "/{protocol}/messages",
    response={201: MessageOut, **ERRORS},
    summary="Enviar mensagem (dentro da janela de 24 h)",
    description=(
        "Texto livre ao cliente. Fora da janela de 24 horas do WhatsApp só modelos vão: 409 "
        "`window_closed` (use /templates). Cliente que pediu para não receber: 409."
    ),
)
def send_message(request, protocol: str, payload: TextIn):
    actor = _actor(request, Perm.MESSAGE_SEND)
    conversation = _conversation(actor, protocol)
    _open(conversation)
    message = message_send_text(
        actor=actor, channel=conversation.channel_id, to=conversation.handle, text=payload.text
    )
    return Status(201, message_out(message))


@router.post(
    "/{protocol}/templates",
    response={201: MessageOut, **ERRORS},
    summary="Enviar modelo aprovado",
    description=(
        "Um modelo aprovado do canal do atendimento, com as variáveis do corpo em ordem. "
        "Modelo inexistente ou variáveis erradas: 422."
    ),
)
def send_template(request, protocol: str, payload: TemplateIn):
    actor = _actor(request, Perm.MESSAGE_SEND)
    conversation = _conversation(actor, protocol)
    message = message_send_template(
        actor=actor, channel=conversation.channel_id, to=conversation.handle,
        template=payload.template, language=payload.language, variables=payload.variables,
    )  # fmt: skip
    return Status(201, message_out(message))


@router.post(
    "/{protocol}/handoff",
    response={200: ConversationOut, **ERRORS},
    summary="Passar para um setor (atendimento humano)",
    description="Sai do assistente virtual para a fila do setor. Setor desconhecido: 404.",
)
def handoff(request, protocol: str, payload: HandoffIn):
    actor = _actor(request, Perm.CONVERSATION_REPLY)
    conversation = _conversation(actor, protocol)
    inbox_transfer(
        actor=actor, conversation_id=conversation.pk, department_id=payload.department_id,
        note=payload.note,
    )  # fmt: skip
    return conversation_out(_conversation(actor, protocol))


@router.post(
    "/{protocol}/close",
    response={200: ConversationOut, **ERRORS},
    summary="Encerrar o atendimento",
    description="Com `finalization_id`, finaliza com esse status. Já encerrado: 409.",
)
def close(request, protocol: str, payload: CloseIn):
    actor = _actor(request, Perm.CONVERSATION_REPLY)
    conversation = _conversation(actor, protocol)
    if payload.finalization_id is not None:
        inbox_finish(
            actor=actor, conversation_id=conversation.pk, finalization_id=payload.finalization_id
        )
    else:
        with transaction.atomic():
            locked = conversation_locked(tenant=actor.tenant, conversation_id=conversation.pk)
            _open(locked)
            reason = payload.reason.strip() or f"Encerrado por {actor.label}."
            conversation_bot().stop(conversation_id=locked.pk, reason=reason)
            conversation_close(tenant=actor.tenant, conversation_id=locked.pk, reason=reason)
    return conversation_out(_conversation(actor, protocol))
