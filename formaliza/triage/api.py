"""Integrators' endpoints for triage (mounted by formaliza.api under /api/v1/triage): the
sales system upserts its certificate orders by external id and reads the four worklists;
contacts made from its tools are recorded with their outcome. Tenant-scoped by the API key;
another tenant's order is 404."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.core.api_schema import ERRORS, IsoDate, page_field, page_size_field
from formaliza.core.tenant_lookups import tenant_lookup
from formaliza.triage import selectors, services
from formaliza.triage.events import Who
from formaliza.triage.models import CertificateOrder, ContactAttempt, OrderEvent, Outcome
from formaliza.triage.services import booking
from formaliza.triage.spreadsheet import MAX_BYTES
from formaliza.triage.worklists import Worklist

router = Router()

WorklistCode = Literal["reagendar", "documentos", "pagamentos", "agendar"]


class OrderIn(Schema):
    external_id: str = Field(..., max_length=80, description="Código do pedido no seu sistema.")
    client_name: str
    product: str
    client_document: str = ""
    client_phone: str = ""
    client_email: str = ""
    accountant_email: str = ""
    payment_status: Literal["pending", "paid"] = "pending"
    payment_link: str = ""
    documents_status: Literal["pending", "received"] = "pending"
    appointment_at: dt.datetime | None = None
    attendance: Literal["", "attended", "no_show"] = ""
    emitted_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None


class OrderListQuery(Schema):
    worklist: WorklistCode
    waiting: bool = Field(False, description="Os que aguardam o retorno (acompanhamento).")
    page: int = page_field()
    page_size: int = page_size_field()


class TriageStepOut(Schema):
    kind: str
    label: str


class OrderOut(Schema):
    id: int
    external_id: str
    client_name: str
    client_document: str
    client_phone: str
    client_email: str
    product: str
    payment_status: str
    documents_status: str
    appointment_at: dt.datetime | None
    attendance: str
    emitted_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_requested_at: dt.datetime | None
    worklist: str
    worklist_label: str
    worklist_since: dt.datetime
    next_step: TriageStepOut | None
    assigned_to_id: int | None
    last_contact_at: dt.datetime | None
    seconds_since_last_contact: int | None
    follow_up_at: dt.datetime | None
    call_task_at: dt.datetime | None
    call_task_reason: str


class UpsertOut(OrderOut):
    created: bool


class CountOut(Schema):
    worklist: str
    label: str
    total: int
    due: int
    call_tasks: int
    unassigned: int
    steps: list[TriageStepOut]


class EventOut(Schema):
    at: dt.datetime
    kind: str
    author_kind: str
    author_label: str
    outcome: str
    from_list: str
    to_list: str
    text: str


class OutcomeIn(Schema):
    outcome: Literal[
        "reagendado", "pendente_pagamento", "pendente_documentos", "prazo_combinado",
        "cancelado", "sem_resposta",
    ] = Field(..., description="; ".join(f"`{o.value}`: {o.label}" for o in Outcome))  # fmt: skip
    note: str = ""
    duration_seconds: int | None = None
    appointment_at: dt.datetime | None = Field(None, description="Com `reagendado`.")
    follow_up_on: IsoDate | None = Field(None, description="Com `prazo_combinado`.")


class ContactIn(OutcomeIn):
    kind: Literal["call", "message", "accountant"]
    channel: str = ""


class TriageAttemptOut(Schema):
    id: int
    kind: str
    started_at: dt.datetime
    author_label: str
    channel: str
    duration_seconds: int | None
    outcome: str
    outcome_at: dt.datetime | None
    note: str


class AssignIn(Schema):
    user_id: int | None


@tenant_lookup("triage", "order_id")
def _order_visible(actor: Actor, value: str) -> bool:
    return selectors.order_get(tenant=actor.tenant, order_id=value) is not None


def _actor(request, perm: str) -> Actor:
    actor = Actor.of_api_key(request.auth)
    actor.require(perm)
    return actor


def order_out(order: CertificateOrder) -> dict:
    step = selectors.order_next_step(order)
    return {
        **{name: getattr(order, name) for name in OrderOut.model_fields if hasattr(order, name)},
        "worklist_label": Worklist(order.worklist).label,
        "next_step": {"kind": step.kind, "label": step.label} if step else None,
        "seconds_since_last_contact": selectors.seconds_since_last_contact(order),
    }


def attempt_out(attempt: ContactAttempt) -> dict:
    return {name: getattr(attempt, name) for name in TriageAttemptOut.model_fields}


def event_out(event: OrderEvent) -> dict:
    return {name: getattr(event, name) for name in EventOut.model_fields}


@router.post(
    "/orders", response={200: UpsertOut, 201: UpsertOut, **ERRORS},
    summary="Criar ou atualizar pedido (idempotente pelo external_id)",
)  # fmt: skip
def upsert_order(request, payload: OrderIn):
    actor = _actor(request, Perm.TRIAGE_MANAGE)
    data = services.OrderInput(**payload.model_dump())
    order, created = services.order_upsert(tenant=actor.tenant, data=data, who=Who.of(actor))
    return Status(201 if created else 200, {**order_out(order), "created": created})


class TriageImportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    ignored_columns: list[str]


@router.post(
    "/imports", response={201: TriageImportOut, **ERRORS},
    summary="Importar pedidos de um CSV/XLSX (tudo ou nada)",
    description=(
        "Multipart, campo `file`. Um arquivo com qualquer linha inválida não importa nada: "
        "422 `triage_import_invalid` com `errors` = [{row, column, message}] em pt-BR."
    ),
)  # fmt: skip
def import_orders(request, file: File[UploadedFile]):
    actor = _actor(request, Perm.TRIAGE_MANAGE)
    report = services.orders_import(
        tenant=actor.tenant, filename=file.name or "", content=file.read(MAX_BYTES + 1),
        who=Who.of(actor),
    )  # fmt: skip
    return Status(201, report.__dict__)


@router.get("/orders", response={200: list[OrderOut], **ERRORS}, summary="Pedidos de uma lista")
def list_orders(request, filters: Query[OrderListQuery]):
    actor = _actor(request, Perm.TRIAGE_VIEW)
    orders = selectors.worklist_orders(
        tenant=actor.tenant, worklist=filters.worklist, waiting=filters.waiting
    )
    start = (filters.page - 1) * filters.page_size
    return [order_out(o) for o in orders[start : start + filters.page_size]]


@router.get("/worklists", response={200: list[CountOut], **ERRORS}, summary="As quatro listas")
def worklists(request):
    actor = _actor(request, Perm.TRIAGE_VIEW)
    return [
        {**c.__dict__, "steps": [{"kind": s.kind, "label": s.label} for s in c.steps]}
        for c in selectors.worklist_counts(tenant=actor.tenant)
    ]


@router.get("/orders/{order_id}", response={200: OrderOut, **ERRORS}, summary="Pedido")
def get_order(request, order_id: int):
    actor = _actor(request, Perm.TRIAGE_VIEW)
    return order_out(selectors.order_get(tenant=actor.tenant, order_id=order_id))


@router.get(
    "/orders/{order_id}/events", response={200: list[EventOut], **ERRORS},
    summary="Linha do tempo do pedido",
)  # fmt: skip
def order_events(request, order_id: int):
    actor = _actor(request, Perm.TRIAGE_VIEW)
    order = selectors.order_get(tenant=actor.tenant, order_id=order_id)
    return [event_out(e) for e in selectors.order_timeline(order=order)[:500]]


@router.get(
    "/orders/{order_id}/contacts", response={200: list[TriageAttemptOut], **ERRORS},
    summary="Contatos do pedido",
)  # fmt: skip
def order_contacts(request, order_id: int):
    actor = _actor(request, Perm.TRIAGE_VIEW)
    order = selectors.order_get(tenant=actor.tenant, order_id=order_id)
    return [attempt_out(a) for a in selectors.order_attempts(order=order)[:500]]


def _contact_input(payload: OutcomeIn) -> services.ContactInput:
    return services.ContactInput(
        outcome=payload.outcome, note=payload.note, duration_seconds=payload.duration_seconds,
        appointment_at=payload.appointment_at, follow_up_on=payload.follow_up_on,
    )  # fmt: skip


@router.post(
    "/orders/{order_id}/contacts", response={201: TriageAttemptOut, **ERRORS},
    summary="Registrar um contato feito e seu resultado",
)  # fmt: skip
def record_contact(request, order_id: int, payload: ContactIn):
    actor = _actor(request, Perm.TRIAGE_WORK)
    order = selectors.order_get(tenant=actor.tenant, order_id=order_id)
    attempt = services.contact_record(
        order=order, kind=payload.kind, data=_contact_input(payload), who=Who.of(actor),
        channel=payload.channel[:16],
    )  # fmt: skip
    return Status(201, attempt_out(attempt))


@router.post(
    "/orders/{order_id}/outcome", response={200: TriageAttemptOut, **ERRORS},
    summary="Registrar o resultado do contato em aberto",
)  # fmt: skip
def record_outcome(request, order_id: int, payload: OutcomeIn):
    actor = _actor(request, Perm.TRIAGE_WORK)
    order = selectors.order_get(tenant=actor.tenant, order_id=order_id)
    attempt = services.outcome_record(order=order, data=_contact_input(payload), who=Who.of(actor))
    return attempt_out(attempt)


@router.post(
    "/orders/{order_id}/assignment", response={200: OrderOut, **ERRORS},
    summary="Definir o responsável (operador) do pedido",
)  # fmt: skip
def assign_order(request, order_id: int, payload: AssignIn):
    actor = _actor(request, Perm.TRIAGE_WORK)
    order = selectors.order_get(tenant=actor.tenant, order_id=order_id)
    user = None
    if payload.user_id is not None:
        user = selectors.assignee_get(tenant=actor.tenant, user_id=payload.user_id)
    return order_out(services.order_assign(order=order, user=user, who=Who.of(actor)))


class SlotIn(Schema):
    starts_at: dt.datetime
    capacity: int = Field(1, ge=1, le=50)


class SlotOut(Schema):
    id: int
    starts_at: dt.datetime
    capacity: int
    taken: int


@router.post(
    "/slots", response={201: SlotOut, **ERRORS}, summary="Criar horário de videoconferência"
)
def create_slot(request, payload: SlotIn):
    actor = _actor(request, Perm.TRIAGE_MANAGE)
    slot = booking.slot_create(
        tenant=actor.tenant, starts_at=payload.starts_at, capacity=payload.capacity
    )
    return Status(201, {"id": slot.pk, "starts_at": slot.starts_at, "capacity": slot.capacity,
                        "taken": 0})  # fmt: skip


@router.get("/slots", response={200: list[SlotOut], **ERRORS}, summary="Horários livres")
def list_slots(request):
    actor = _actor(request, Perm.TRIAGE_VIEW)
    return [
        {"id": s.pk, "starts_at": s.starts_at, "capacity": s.capacity, "taken": s.taken}
        for s in booking.free_slots(tenant=actor.tenant, limit=200)
    ]
