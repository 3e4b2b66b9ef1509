"""Outbound webhooks: emit an event, deliver it with retries, log every attempt."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from formaliza.accounts.models import Tenant
from formaliza.core import clock
from formaliza.core.errors import Conflict, FieldErrors, NotFound
from formaliza.core.ids import random_token
from formaliza.core.net import UnsafeURL, check_outbound_url
from formaliza.core.tasks import backoff_delay, enqueue
from formaliza.webhooks import signing
from formaliza.webhooks.models import (
    EVENT_TYPES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

WEBHOOK_DELIVERY_ATTEMPT_TASK = "formaliza.webhooks.tasks.webhook_delivery_attempt"

logger = logging.getLogger(__name__)

CLAIM_MARGIN_SECONDS = 30
USER_AGENT = "Formaliza-Webhooks/1.0"


def _validate_endpoint(tenant: Tenant, url: str, event_types: list[str]) -> None:
    errors = FieldErrors()
    try:
        check_outbound_url(url, extra_allow=tenant.outbound_allowlist)
    except UnsafeURL as exc:
        errors.add("url", exc.code, exc.message)
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown:
        errors.add(
            "event_types", "unknown_event_type", f"Eventos desconhecidos: {', '.join(unknown)}."
        )
    errors.raise_if_any()


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once to the integrator


def webhook_endpoint_create(
    *, tenant: Tenant, url: str, event_types: list[str] | None = None
) -> CreatedEndpoint:
    event_types = list(event_types or [])
    _validate_endpoint(tenant, url, event_types)
    secret = "whsec_" + random_token(24)
    endpoint = WebhookEndpoint.objects.create(
        tenant=tenant, url=url, secret=secret, event_types=event_types
    )
    return CreatedEndpoint(endpoint=endpoint, secret=secret)


def webhook_endpoint_update(
    *, tenant: Tenant, endpoint_id: int, url: str, event_types: list[str], is_active: bool
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(tenant=tenant, pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound("Destino de webhook")
    _validate_endpoint(tenant, url, event_types)
    endpoint.url, endpoint.event_types, endpoint.is_active = url, event_types, is_active
    endpoint.save(update_fields=["url", "event_types", "is_active", "updated_at"])
    return endpoint


def webhook_endpoint_rotate_secret(*, tenant: Tenant, endpoint_id: int) -> CreatedEndpoint:
    endpoint = WebhookEndpoint.objects.filter(tenant=tenant, pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound("Destino de webhook")
    endpoint.secret = "whsec_" + random_token(24)
    endpoint.save(update_fields=["secret", "updated_at"])
    return CreatedEndpoint(endpoint=endpoint, secret=endpoint.secret)


def webhook_event_emit(*, tenant: Tenant, event_type: str, data: dict) -> WebhookEvent | None:
    """Record an event and schedule its delivery to every endpoint that wants it.

    Call it inside the transaction of the change it reports: the event, its deliveries and their
    tasks commit (or roll back) together with that change.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type}")
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(tenant=tenant, is_active=True)
        if e.wants(event_type)
    ]
    if not endpoints:
        return None
    now = clock.now()
    event_id = uuid.uuid4()
    envelope = {
        "id": str(event_id),
        "type": event_type,
        "created_at": now.isoformat(),
        "tenant": tenant.slug,
        "data": data,
    }
    body = json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    event = WebhookEvent.objects.create(
        id=event_id, tenant=tenant, type=event_type, body=body.encode(), created_at=now
    )
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            tenant=tenant, event=event, endpoint=endpoint, next_attempt_at=now
        )
        enqueue(WEBHOOK_DELIVERY_ATTEMPT_TASK, str(delivery.pk), queue_name="webhooks")
    return event


@dataclass(frozen=True)
class _Outcome:
    status_code: int | None
    error: str
    excerpt: str
    retryable: bool
    ok: bool


def _classify(status_code: int) -> tuple[bool, bool]:
    """(delivered, retryable) for an HTTP answer. Timeouts and rate limits are retried; other
    4xx mean the receiver refuses this event and retrying cannot help."""
    if 200 <= status_code < 300:
        return True, False
    if status_code >= 500 or status_code in (408, 429):
        return False, True
    return False, False


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery, event: WebhookEvent) -> _Outcome:
    body = bytes(event.body)
    try:
        check_outbound_url(endpoint.url, extra_allow=endpoint.tenant.outbound_allowlist)
    except UnsafeURL as exc:
        return _Outcome(None, exc.message, "", retryable=False, ok=False)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Formaliza-Event": event.type,
        "X-Formaliza-Event-Id": str(event.pk),
        "X-Formaliza-Delivery": str(delivery.pk),
        signing.SIGNATURE_HEADER: signing.sign(secret=endpoint.secret, body=body),
    }
    try:
        with httpx.Client(
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False
        ) as client:
            response = client.post(endpoint.url, content=body, headers=headers)
    except httpx.TimeoutException:
        return _Outcome(None, "Tempo esgotado aguardando a resposta.", "", retryable=True, ok=False)
    except httpx.HTTPError as exc:
        return _Outcome(None, f"Falha de conexão: {exc.__class__.__name__}", "", True, False)
    ok, retryable = _classify(response.status_code)
    error = "" if ok else f"Resposta HTTP {response.status_code}"
    return _Outcome(response.status_code, error, response.text[:1000], retryable, ok)


def _claim(delivery_id: str) -> tuple[WebhookDelivery, WebhookAttempt] | None:
    now = clock.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint", "event", "endpoint__tenant")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None  # a duplicate task that woke too early; the scheduled one will run
        if delivery.claimed_until and delivery.claimed_until > now:
            return None  # another worker is attempting it right now
        delivery.attempts += 1
        delivery.claimed_until = now + dt.timedelta(
            seconds=settings.WEBHOOK_TIMEOUT_SECONDS + CLAIM_MARGIN_SECONDS
        )
        delivery.save(update_fields=["attempts", "claimed_until", "updated_at"])
        attempt = WebhookAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, started_at=now
        )
    return delivery, attempt


def webhook_delivery_attempt(*, delivery_id: str) -> str:
    """One delivery attempt. The claim is committed before the HTTP call (no lock is held across
    it), so a crash mid-call leaves a visible attempt and the sweeper tries again later."""
    claimed = _claim(delivery_id)
    if claimed is None:
        return "skipped"
    delivery, attempt = claimed
    started = time.monotonic()
    outcome = _post(delivery.endpoint, delivery, delivery.event)
    finished = clock.now()
    will_retry = (
        (not outcome.ok)
        and outcome.retryable
        and (delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS)
    )
    with transaction.atomic():
        attempt.finished_at = finished
        attempt.status_code = outcome.status_code
        attempt.error = outcome.error[:500]
        attempt.response_excerpt = outcome.excerpt
        attempt.duration_ms = int((time.monotonic() - started) * 1000)
        attempt.will_retry = will_retry
        attempt.save()
        delivery.claimed_until = None
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error[:500]
        if outcome.ok:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = finished
            delivery.next_attempt_at = None
        elif will_retry:
            delay = backoff_delay(
                delivery.attempts,
                base=settings.WEBHOOK_BACKOFF_BASE_SECONDS,
                cap=settings.WEBHOOK_BACKOFF_MAX_SECONDS,
            )
            delivery.next_attempt_at = finished + dt.timedelta(seconds=delay)
            enqueue(
                WEBHOOK_DELIVERY_ATTEMPT_TASK,
                str(delivery.pk),
                queue_name="webhooks",
                run_after=delivery.next_attempt_at,
            )
        else:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        delivery.save()
    if not outcome.ok:
        logger.info(
            "webhook delivery %s attempt %s failed (%s); retry=%s",
            delivery.pk, delivery.attempts, outcome.error, will_retry,
        )  # fmt: skip
    return delivery.status


@transaction.atomic
def webhook_delivery_redeliver(*, tenant: Tenant, delivery_id: str) -> WebhookDelivery:
    """An operator asks for one more try of a delivery (failed or still retrying)."""
    delivery = (
        WebhookDelivery.objects.select_for_update().filter(tenant=tenant, pk=delivery_id).first()
    )
    if delivery is None:
        raise NotFound("Entrega de webhook")
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        raise Conflict("already_delivered", "Esta entrega já foi concluída.")
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.next_attempt_at = clock.now()
    delivery.save(update_fields=["status", "next_attempt_at", "updated_at"])
    enqueue(WEBHOOK_DELIVERY_ATTEMPT_TASK, str(delivery.pk), queue_name="webhooks")
    return delivery


def webhook_deliveries_sweep(*, grace_seconds: int = 120) -> int:
    """Re-enqueue pending deliveries whose attempt is overdue (their task was lost with a crashed
    worker). Duplicate tasks are harmless: the claim lets only one attempt through."""
    now = clock.now()
    overdue = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now - dt.timedelta(seconds=grace_seconds),
    ).exclude(claimed_until__gt=now)
    count = 0
    for delivery_id in overdue.values_list("pk", flat=True)[:1000]:
        enqueue(WEBHOOK_DELIVERY_ATTEMPT_TASK, str(delivery_id), queue_name="webhooks")
        count += 1
    return count
