"""Integrators' endpoints for outbound webhook subscriptions (mounted by formaliza.api under
/api/v1/webhooks): create (the signing secret is shown once), list, rotate the secret, follow
deliveries with every attempt and ask for one more try. Tenant-scoped by the API key (another
tenant's endpoint or delivery is 404); POSTs accept `Idempotency-Key`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.core.api_schema import ERRORS, page_field, page_size_field
from formaliza.core.errors import NotFound
from formaliza.core.tenant_lookups import tenant_lookup
from formaliza.webhooks import selectors, services
from formaliza.webhooks.models import EVENT_TYPES, WebhookDelivery, WebhookEndpoint

router = Router()

EventType = Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]


class EndpointIn(Schema):
    url: str = Field(min_length=1, max_length=500, description="http(s) público.")
    event_types: list[EventType] = Field(
        default_factory=list, max_length=len(EVENT_TYPES), description="Vazio: todos."
    )


class EndpointOut(Schema):
    id: int
    url: str
    event_types: list[str]
    is_active: bool
    created_at: dt.datetime


class EndpointSecretOut(Schema):
    endpoint: EndpointOut
    secret: str = Field(description="Segredo de assinatura (HMAC); mostrado só agora.")


class AttemptOut(Schema):
    number: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status_code: int | None
    error: str
    duration_ms: int | None
    will_retry: bool


class DeliveryOut(Schema):
    id: str
    event_id: str
    event_type: str
    endpoint_id: int
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    created_at: dt.datetime


class DeliveryDetailOut(DeliveryOut):
    attempt_log: list[AttemptOut]


class DeliveryPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DeliveryOut]


class DeliveryQuery(Schema):
    status: Literal["", "pending", "delivered", "failed"] = ""
    page: int = page_field()
    page_size: int = page_size_field()


def _actor(request, perm: str) -> Actor:
    actor = Actor.of_api_key(request.auth)
    actor.require(perm)
    return actor


def _endpoint_get(actor: Actor, value) -> WebhookEndpoint | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return selectors.webhook_endpoint_get(tenant=actor.tenant, endpoint_id=pk)


def _delivery_get(actor: Actor, value) -> WebhookDelivery | None:
    try:
        pk = uuid.UUID(str(value))
    except ValueError:
        return None
    return selectors.webhook_delivery_get(tenant=actor.tenant, delivery_id=str(pk))


@tenant_lookup("webhooks", "endpoint_id")
def _endpoint_visible(actor: Actor, value: str) -> bool:
    return _endpoint_get(actor, value) is not None


@tenant_lookup("webhooks", "delivery_id")
def _delivery_visible(actor: Actor, value: str) -> bool:
    return _delivery_get(actor, value) is not None


def endpoint_out(e: WebhookEndpoint) -> dict:
    return {"id": e.pk, "url": e.url, "event_types": list(e.event_types),
            "is_active": e.is_active, "created_at": e.created_at}  # fmt: skip


def delivery_out(d: WebhookDelivery) -> dict:
    return {
        "id": str(d.pk), "event_id": str(d.event_id), "event_type": d.event.type,
        "endpoint_id": d.endpoint_id, "status": d.status, "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at, "delivered_at": d.delivered_at,
        "last_status_code": d.last_status_code, "last_error": d.last_error,
        "created_at": d.created_at,
    }  # fmt: skip


@router.get("/endpoints", response={200: list[EndpointOut], **ERRORS}, summary="Destinos")
def list_endpoints(request):
    actor = _actor(request, Perm.WEBHOOK_VIEW)
    return [endpoint_out(e) for e in selectors.webhook_endpoint_list(tenant=actor.tenant)]


@router.post(
    "/endpoints",
    response={201: EndpointSecretOut, **ERRORS},
    summary="Cadastrar destino",
    description=(
        "Endereço interno, não resolvível ou não http(s): 422 `validation_failed` (campo `url`). "
        "Guarde o `secret`: ele assina cada entrega (`X-Formaliza-Signature`)."
    ),
)
def create_endpoint(request, payload: EndpointIn):
    actor = _actor(request, Perm.WEBHOOK_MANAGE)
    created = services.webhook_endpoint_create(
        tenant=actor.tenant, url=payload.url, event_types=list(payload.event_types)
    )
    return Status(201, {"endpoint": endpoint_out(created.endpoint), "secret": created.secret})


@router.post(
    "/endpoints/{endpoint_id}/rotate-secret",
    response={200: EndpointSecretOut, **ERRORS},
    summary="Trocar o segredo",
    description="O segredo antigo deixa de valer agora; as próximas entregas usam o novo.",
)
def rotate_secret(request, endpoint_id: int):
    actor = _actor(request, Perm.WEBHOOK_MANAGE)
    if _endpoint_get(actor, endpoint_id) is None:
        raise NotFound("Destino de webhook", code="webhook_endpoint_not_found")
    rotated = services.webhook_endpoint_rotate_secret(tenant=actor.tenant, endpoint_id=endpoint_id)
    return {"endpoint": endpoint_out(rotated.endpoint), "secret": rotated.secret}


@router.get("/deliveries", response={200: DeliveryPage, **ERRORS}, summary="Entregas")
def list_deliveries(request, query: Query[DeliveryQuery]):
    actor = _actor(request, Perm.WEBHOOK_VIEW)
    rows = selectors.webhook_delivery_list(tenant=actor.tenant, status=query.status)
    start = (query.page - 1) * query.page_size
    return {
        "count": rows.count(), "page": query.page, "page_size": query.page_size,
        "items": [delivery_out(d) for d in rows[start : start + query.page_size]],
    }  # fmt: skip


def _delivery(actor: Actor, delivery_id: str) -> WebhookDelivery:
    delivery = _delivery_get(actor, delivery_id)
    if delivery is None:
        raise NotFound("Entrega de webhook", code="webhook_delivery_not_found")
    return delivery


@router.get(
    "/deliveries/{delivery_id}",
    response={200: DeliveryDetailOut, **ERRORS},
    summary="Entrega, com cada tentativa",
)
def get_delivery(request, delivery_id: str):
    delivery = _delivery(_actor(request, Perm.WEBHOOK_VIEW), delivery_id)
    attempts = [
        {"number": a.number, "started_at": a.started_at, "finished_at": a.finished_at,
         "status_code": a.status_code, "error": a.error, "duration_ms": a.duration_ms,
         "will_retry": a.will_retry}
        for a in delivery.attempt_log.order_by("number")
    ]  # fmt: skip
    return {**delivery_out(delivery), "attempt_log": attempts}


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut, **ERRORS},
    summary="Tentar entregar de novo",
    description="Agenda mais uma tentativa agora. Já entregue: 409 `already_delivered`.",
)
def redeliver(request, delivery_id: str):
    actor = _actor(request, Perm.WEBHOOK_MANAGE)
    delivery = _delivery(actor, delivery_id)
    services.webhook_delivery_redeliver(tenant=actor.tenant, delivery_id=str(delivery.pk))
    return Status(202, delivery_out(_delivery(actor, delivery_id)))
