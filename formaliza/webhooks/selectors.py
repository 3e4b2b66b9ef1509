from __future__ import annotations

from django.db.models import QuerySet

from formaliza.accounts.models import Tenant
from formaliza.webhooks.models import WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list(*, tenant: Tenant) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(tenant=tenant).order_by("created_at")


def webhook_endpoint_get(*, tenant: Tenant, endpoint_id: int) -> WebhookEndpoint | None:
    return webhook_endpoint_list(tenant=tenant).filter(pk=endpoint_id).first()


def webhook_delivery_list(*, tenant: Tenant, status: str = "") -> QuerySet[WebhookDelivery]:
    qs = (
        WebhookDelivery.objects.filter(tenant=tenant)
        .select_related("event", "endpoint")
        .order_by("-created_at")
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def webhook_delivery_get(*, tenant: Tenant, delivery_id: str) -> WebhookDelivery | None:
    return (
        WebhookDelivery.objects.filter(tenant=tenant, pk=delivery_id)
        .select_related("event", "endpoint")
        .prefetch_related("attempt_log")
        .first()
    )
