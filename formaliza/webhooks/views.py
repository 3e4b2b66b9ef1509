from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.core.errors import ApplicationError, ValidationFailed
from formaliza.webhooks import selectors, services
from formaliza.webhooks.forms import EndpointForm
from formaliza.webhooks.models import WebhookDelivery


def _not_found(request):
    return render(
        request,
        "core/error.html",
        {"title": "Não encontrado", "message": "Entrega de webhook não encontrada."},
        status=404,
    )


def _as_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


@perm_required(Perm.WEBHOOK_MANAGE)
def endpoints(request):
    form = EndpointForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.webhook_endpoint_create(
                tenant=request.tenant,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
            )
        except ValidationFailed as exc:
            for item in exc.fields:
                form.add_error(item.field if item.field in form.fields else None, item.message)
        else:
            form = EndpointForm()
    return render(
        request,
        "webhooks/endpoints.html",
        {
            "endpoints": selectors.webhook_endpoint_list(tenant=request.tenant),
            "form": form,
            "created": created,
        },
    )


@require_POST
@perm_required(Perm.WEBHOOK_MANAGE)
def endpoint_toggle(request, endpoint_id: int):
    endpoint = selectors.webhook_endpoint_get(tenant=request.tenant, endpoint_id=endpoint_id)
    if endpoint is None:
        return _not_found(request)
    services.webhook_endpoint_update(
        tenant=request.tenant,
        endpoint_id=endpoint.pk,
        url=endpoint.url,
        event_types=endpoint.event_types,
        is_active=not endpoint.is_active,
    )
    messages.success(request, "Destino atualizado.")
    return redirect("webhooks:endpoints")


@require_POST
@perm_required(Perm.WEBHOOK_MANAGE)
def endpoint_rotate(request, endpoint_id: int):
    try:
        created = services.webhook_endpoint_rotate_secret(
            tenant=request.tenant, endpoint_id=endpoint_id
        )
    except ApplicationError:
        return _not_found(request)
    return render(
        request,
        "webhooks/endpoints.html",
        {
            "endpoints": selectors.webhook_endpoint_list(tenant=request.tenant),
            "form": EndpointForm(),
            "created": created,
        },
    )


@perm_required(Perm.WEBHOOK_VIEW)
def deliveries(request):
    status = request.GET.get("status", "")
    if status not in WebhookDelivery.Status.values:
        status = ""
    page = Paginator(selectors.webhook_delivery_list(tenant=request.tenant, status=status), 50)
    return render(
        request,
        "webhooks/deliveries.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "status": status,
            "statuses": WebhookDelivery.Status.choices,
        },
    )


@perm_required(Perm.WEBHOOK_VIEW)
def delivery_detail(request, delivery_id: str):
    pk = _as_uuid(delivery_id)
    delivery = pk and selectors.webhook_delivery_get(tenant=request.tenant, delivery_id=pk)
    if not delivery:
        return _not_found(request)
    return render(
        request,
        "webhooks/delivery_detail.html",
        {"delivery": delivery, "body": bytes(delivery.event.body).decode()},
    )


@require_POST
@perm_required(Perm.WEBHOOK_MANAGE)
def delivery_redeliver(request, delivery_id: str):
    pk = _as_uuid(delivery_id)
    if pk is None:
        return _not_found(request)
    try:
        services.webhook_delivery_redeliver(tenant=request.tenant, delivery_id=pk)
    except ApplicationError as exc:
        if exc.status == 404:
            return _not_found(request)
        messages.error(request, exc.message)
    else:
        messages.success(request, "Nova tentativa agendada.")
    return redirect("webhooks:delivery_detail", delivery_id=pk)
