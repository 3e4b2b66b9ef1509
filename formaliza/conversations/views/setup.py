"""Channels and message templates in the back office. Secrets are written, never read back:
pages show them masked, except once right after we generate them."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.conversations import selectors, services
from formaliza.conversations.forms import ChannelForm, TemplateForm, components_pretty
from formaliza.conversations.models import Channel
from formaliza.conversations.services.channels import SECRET_FIELDS
from formaliza.conversations.views.common import not_found
from formaliza.core.crypto import mask
from formaliza.core.errors import ApplicationError, ValidationFailed


def _form_errors(form, exc: ApplicationError) -> None:
    if isinstance(exc, ValidationFailed) or exc.fields:
        for item in exc.fields:
            form.add_error(item.field if item.field in form.fields else None, item.message)
    else:
        form.add_error(None, exc.message)


SECRET_LABELS = {
    "access_token": "Token de acesso",
    "app_secret": "Segredo do app / do webhook",
    "verify_token": "Token de verificação do webhook",
}


def _masked(channel: Channel) -> list[tuple[str, str]]:
    return [(SECRET_LABELS[name], mask(getattr(channel, name) or "")) for name in SECRET_FIELDS]


@perm_required(Perm.CHANNEL_MANAGE)
def channel_list(request):
    form = ChannelForm(
        request.POST or None, initial={"kind": "whatsapp", "provider": "fake", "is_active": True}
    )
    if request.method == "POST" and form.is_valid():
        typed = {name: form.cleaned_data[name] for name in SECRET_FIELDS}
        try:
            channel = services.channel_create(
                tenant=request.tenant, data=services.ChannelInput(**form.channel_input())
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            # Secrets we generated are shown this once (they go into Meta's/Zenvia's dashboard).
            revealed = [
                (SECRET_LABELS[name], getattr(channel, name))
                for name in SECRET_FIELDS
                if not typed[name] and getattr(channel, name)
            ]
            messages.success(request, f"Canal “{channel.name}” criado.")
            return render(
                request, "conversations/channel_created.html",
                {"channel": channel, "revealed": revealed, "webhook_url": services.channel_webhook_url(channel)},
            )  # fmt: skip
    return render(
        request,
        "conversations/channels.html",
        {"channels": selectors.channel_list(tenant=request.tenant), "form": form},
    )


@perm_required(Perm.CHANNEL_MANAGE)
def channel_detail(request, channel_id: int):
    channel = selectors.channel_get(tenant=request.tenant, channel_id=channel_id)
    if channel is None:
        return not_found(request, "Canal")
    initial = {f: getattr(channel, f) for f in ChannelForm.base_fields if f not in SECRET_FIELDS}
    for name in ("opt_out_keywords", "opt_in_keywords", "welcome_choices"):
        initial[name] = "\n".join(getattr(channel, name) or [])
    form = ChannelForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = form.fields["provider"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_update(
                tenant=request.tenant, channel_id=channel.pk,
                data=services.ChannelInput(**form.channel_input()),
            )  # fmt: skip
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Canal atualizado.")
            return redirect("conversations:channel_detail", channel_id=channel.pk)
    return render(
        request,
        "conversations/channel_detail.html",
        {
            "channel": channel,
            "form": form,
            "secrets": _masked(channel),
            "webhook_url": services.channel_webhook_url(channel),
            "alerts": channel.alerts.all()[:20],
            "failed_events": selectors.inbound_events_failed(channel=channel)[:20],
        },
    )


@require_POST
@perm_required(Perm.CHANNEL_MANAGE)
def inbound_event_reprocess(request, channel_id: int, event_id: int):
    channel = selectors.channel_get(tenant=request.tenant, channel_id=channel_id)
    if channel is None:
        return not_found(request, "Canal")
    services.inbound_event_reprocess(tenant=request.tenant, event_id=event_id)
    messages.success(request, "Evento enviado para novo processamento.")
    return redirect("conversations:channel_detail", channel_id=channel.pk)


@perm_required(Perm.TEMPLATE_MANAGE)
def templates_overview(request):
    channels = selectors.channel_list(tenant=request.tenant, messaging_only=True)
    templates = selectors.template_list(tenant=request.tenant)
    return render(
        request,
        "conversations/templates_overview.html",
        {"channels": channels, "templates": templates},
    )


@perm_required(Perm.TEMPLATE_MANAGE)
def template_list(request, channel_id: int):
    channel = selectors.channel_get(tenant=request.tenant, channel_id=channel_id)
    if channel is None:
        return not_found(request, "Canal")
    return render(
        request,
        "conversations/templates.html",
        {
            "channel": channel,
            "templates": selectors.template_list(tenant=request.tenant, channel_id=channel.pk),
        },
    )


@perm_required(Perm.TEMPLATE_MANAGE)
def template_edit(request, channel_id: int, template_id: int | None = None):
    channel = selectors.channel_get(tenant=request.tenant, channel_id=channel_id)
    template = None
    if template_id is not None:
        template = selectors.template_get(tenant=request.tenant, template_id=template_id)
        if template is None or template.channel_id != getattr(channel, "pk", None):
            return not_found(request, "Modelo")
    if channel is None:
        return not_found(request, "Canal")
    initial = TemplateForm.initial_from(template) if template else {"status": "approved"}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.template_save(
                tenant=request.tenant, channel_id=channel.pk, template_id=template_id,
                data=services.TemplateInput(
                    name=data["name"], language=data["language"], category=data["category"],
                    status=data["status"], components=form.components(),
                    provider_template_id=template.provider_template_id if template else "",
                ),
            )  # fmt: skip
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Modelo “{data['name']}” salvo.")
            return redirect("conversations:templates", channel_id=channel.pk)
    return render(
        request,
        "conversations/template_form.html",
        {
            "channel": channel, "template": template, "form": form,
            "components_json": components_pretty(template.components) if template else "",
        },
    )  # fmt: skip


@require_POST
@perm_required(Perm.TEMPLATE_MANAGE)
def template_sync(request, channel_id: int):
    channel = selectors.channel_get(tenant=request.tenant, channel_id=channel_id)
    if channel is None:
        return not_found(request, "Canal")
    try:
        count = services.template_sync(tenant=request.tenant, channel_id=channel.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{count} modelo(s) sincronizado(s) com o provedor.")
    return redirect("conversations:templates", channel_id=channel.pk)
