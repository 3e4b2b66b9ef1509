"""The WhatsApp simulator: a person plays the client of a `fake` channel. What they type goes to
the fake provider, which posts it — signed, in Meta's format — to our real webhook, exactly as
WhatsApp would; the product's replies show up here, with buttons and lists clickable."""

from __future__ import annotations

import base64

import httpx
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.conversations import selectors
from formaliza.conversations.forms import SimulatorForm
from formaliza.conversations.models import Channel, Message
from formaliza.core import br, clock

REPLY_TYPES = {
    "text",
    "button_reply",
    "list_reply",
    "button",
    "image",
    "document",
    "audio",
    "location",
}
UPLOAD_MAX = 5 * 1024 * 1024


@perm_required(Perm.CONVERSATION_SIMULATE)
def simulator(request):
    channels = list(selectors.simulator_channels(tenant=request.tenant))
    form = SimulatorForm(request.GET or None, channels=channels)
    chat = None
    if form.is_valid():
        phone = br.phone_parse(form.cleaned_data["phone"])
        if phone is None:
            form.add_error("phone", "Telefone inválido: informe DDD + número.")
        else:
            chat = {
                "channel": next(c for c in channels if c.pk == form.cleaned_data["channel"]),
                "phone": phone,
                "name": form.cleaned_data["name"] or "Cliente Simulado",
            }
    return render(
        request, "conversations/simulator.html", {"form": form, "channels": channels, "chat": chat}
    )


def _channel(request, channel_id: int) -> Channel | None:
    return selectors.simulator_channel_get(tenant=request.tenant, channel_id=channel_id)


def _serialize(message: Message) -> dict:
    content = message.content or {}
    rows = content.get("rows") or []
    if message.kind == Message.Kind.CHOICES_TEXT:
        rows = []
    return {
        "id": str(message.public_id),
        "wamid": message.provider_message_id,
        "direction": message.direction,
        "kind": message.kind,
        "style": content.get("style", ""),
        "body": message.body
        if message.kind not in (Message.Kind.BUTTONS, Message.Kind.LIST)
        else content.get("body", ""),
        "header": content.get("header", ""),
        "footer": content.get("footer", ""),
        "button": content.get("button", ""),
        "rows": rows,
        "status": message.status,
        "status_label": message.get_status_display(),
        "error": message.error_explanation,
        "at": clock.local(message.created_at).strftime("%H:%M:%S"),
    }


@perm_required(Perm.CONVERSATION_SIMULATE)
def simulator_messages(request, channel_id: int):
    channel = _channel(request, channel_id)
    phone = br.phone_parse(request.GET.get("telefone", ""))
    if channel is None or phone is None:
        return JsonResponse({"error": "Canal ou telefone inválido."}, status=404)
    handle = selectors.handle_find(tenant=request.tenant, channel_id=channel.pk, address=phone.e164)
    items = []
    if handle is not None:
        items = [_serialize(m) for m in selectors.handle_recent_messages(handle=handle)]
    return JsonResponse({"messages": items})


def _spec(request, channel: Channel, phone: br.Phone) -> dict | None:
    kind = request.POST.get("type", "text")
    if kind not in REPLY_TYPES:
        return None
    if channel.kind == Channel.Kind.SMS:  # the client texts the Zenvia sender
        text = request.POST.get("text", "").strip()[:1520]
        return (
            {"sender_id": channel.sender_id, "from": phone.digits, "text": text} if text else None
        )
    spec = {
        "phone_number_id": channel.phone_number_id, "from": phone.digits,
        "name": request.POST.get("name", "Cliente Simulado")[:80], "type": kind,
        "text": request.POST.get("text", "")[:4096], "id": request.POST.get("id", "")[:256],
        "title": request.POST.get("title", "")[:24], "context_id": request.POST.get("context_id", ""),
    }  # fmt: skip
    if kind == "location":
        spec.update(
            latitude=-23.5613, longitude=-46.6565, name="Av. Paulista", address="São Paulo - SP"
        )
    upload = request.FILES.get("file")
    if kind in ("image", "document", "audio"):
        if upload is None or upload.size > UPLOAD_MAX:
            return None
        spec.update(
            content_base64=base64.b64encode(upload.read()).decode(), mime_type=upload.content_type,
            filename=upload.name, caption=spec["text"],
        )  # fmt: skip
    return spec


@require_POST
@perm_required(Perm.CONVERSATION_SIMULATE)
def simulator_send(request, channel_id: int):
    channel = _channel(request, channel_id)
    phone = br.phone_parse(request.POST.get("telefone", ""))
    if channel is None or phone is None:
        return JsonResponse({"error": "Canal ou telefone inválido."}, status=404)
    spec = _spec(request, channel, phone)
    if spec is None:
        return JsonResponse({"error": "Mensagem inválida (tipo ou arquivo)."}, status=422)
    try:
        response = httpx.post(f"{settings.FAKE_PROVIDER_URL}/_fake/inbound", json=spec, timeout=5.0)
    except httpx.HTTPError:
        return JsonResponse(
            {
                "error": "O provedor simulado não está no ar (rode `make run` ou `manage.py fake_graph_api`)."
            },
            status=502,
        )
    if response.status_code != 200:
        return JsonResponse({"error": "O provedor simulado recusou a mensagem."}, status=502)
    return JsonResponse({"ok": True, **response.json()})
