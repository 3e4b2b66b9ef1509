"""Channels and templates: configuration with validation, secrets generated where we own them,
and template sync from the provider."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, fields

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from formaliza.accounts.models import Tenant
from formaliza.conversations import template_rules
from formaliza.conversations.adapters import provider_for
from formaliza.conversations.errors import InvalidContent
from formaliza.conversations.models import DEFAULT_OPT_OUT_REPLY, Channel, Template
from formaliza.conversations.ports import ProviderError
from formaliza.core.errors import ApplicationError, FieldErrors, NotFound
from formaliza.core.ids import random_token
from formaliza.core.net import UnsafeURL, check_outbound_url

P = Channel.Provider
K = Channel.Kind
PROVIDERS_BY_KIND = {
    K.WHATSAPP: {P.META_CLOUD, P.ZENVIA, P.TWILIO, P.FAKE},
    K.SMS: {P.ZENVIA, P.TWILIO, P.FAKE},
    K.EMAIL: {P.EMAIL},
}
SECRET_FIELDS = ("access_token", "app_secret", "verify_token")


@dataclass
class ChannelInput:
    name: str
    kind: str
    provider: str
    phone_number_id: str = ""
    business_account_id: str = ""
    display_phone_number: str = ""
    account_id: str = ""
    sender_id: str = ""
    access_token: str = ""
    app_secret: str = ""
    verify_token: str = ""
    api_base_url: str = ""
    throughput_per_second: int = 80
    pacing_interval_seconds: float = 6.0
    pacing_burst: int = 5
    opt_out_keywords: list[str] = field(default_factory=lambda: ["/bloquear"])
    opt_in_keywords: list[str] = field(default_factory=lambda: ["/desbloquear"])
    opt_out_reply: str = DEFAULT_OPT_OUT_REPLY
    require_opt_in_for_marketing: bool = True
    welcome_text: str = ""
    welcome_choices: list[str] = field(default_factory=list)
    is_active: bool = True


def _fill_owned_secrets(data: ChannelInput) -> None:
    """Secrets we define ourselves (the fake's credentials, Zenvia's webhook header, Meta's
    verify token) are generated when left blank; the provider's own (Meta token and app
    secret, Zenvia token) must be typed."""
    if data.provider == P.FAKE:
        data.phone_number_id = data.phone_number_id or str(secrets.randbelow(10**15) + 10**14)
        data.access_token = data.access_token or "fake-" + random_token(18)
        data.app_secret = data.app_secret or random_token(24)
    if data.provider in (P.META_CLOUD, P.FAKE):
        data.verify_token = data.verify_token or random_token(18)
    if data.provider == P.ZENVIA:
        data.app_secret = data.app_secret or random_token(24)


def _validate(tenant: Tenant, data: ChannelInput, existing: Channel | None) -> None:
    errors = FieldErrors()
    if not data.name.strip():
        errors.add("name", "required", "Informe um nome para o canal.")
    if data.kind not in K.values:
        errors.add("kind", "invalid", "Tipo de canal desconhecido.")
    elif data.provider not in PROVIDERS_BY_KIND[data.kind]:
        errors.add("provider", "invalid", "Este provedor não atende este tipo de canal.")
    has = lambda name: bool(getattr(data, name) or (existing and getattr(existing, name)))  # noqa: E731
    if data.provider == P.META_CLOUD:
        for name, label in (
            ("phone_number_id", "o Phone number ID"),
            ("access_token", "o token de acesso"),
            ("app_secret", "o segredo do app (assina os webhooks)"),
        ):
            if not has(name):
                errors.add(name, "required", f"Informe {label}.")
    if data.provider == P.ZENVIA:
        if not data.sender_id:
            errors.add("sender_id", "required", "Informe o remetente configurado na Zenvia.")
        if not has("access_token"):
            errors.add("access_token", "required", "Informe o token da API da Zenvia.")
    if data.provider == P.TWILIO:
        for name, label in (
            ("account_id", "o Account SID da Twilio"),
            ("access_token", "o Auth Token da Twilio"),
            ("sender_id", "o número remetente na Twilio (+55…)"),
        ):
            if not has(name):
                errors.add(name, "required", f"Informe {label}.")
    if data.api_base_url:
        try:
            check_outbound_url(data.api_base_url, extra_allow=tenant.outbound_allowlist)
        except UnsafeURL as exc:
            errors.add("api_base_url", exc.code, exc.message)
    if not 1 <= int(data.throughput_per_second) <= 1000:
        errors.add("throughput_per_second", "invalid", "Use de 1 a 1.000 mensagens por segundo.")
    if data.pacing_interval_seconds < 0 or data.pacing_burst > 100:
        errors.add("pacing_interval_seconds", "invalid", "Ritmo por destinatário inválido.")
    if len(data.welcome_choices) > 10:
        errors.add("welcome_choices", "invalid", "No máximo 10 opções de boas-vindas.")
    errors.raise_if_any()


def _apply(channel: Channel, data: ChannelInput) -> None:
    for f in fields(ChannelInput):
        value = getattr(data, f.name)
        if f.name in SECRET_FIELDS and not value:
            continue  # blank secret on edit keeps the stored one
        if f.name in ("opt_out_keywords", "opt_in_keywords", "welcome_choices"):
            value = [str(v).strip() for v in value if str(v).strip()]
        setattr(channel, f.name, value)


def channel_create(*, tenant: Tenant, data: ChannelInput) -> Channel:
    _fill_owned_secrets(data)
    _validate(tenant, data, None)
    channel = Channel(tenant=tenant)
    _apply(channel, data)
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError as exc:
        raise ApplicationError(
            code="channel_name_taken", message="Já existe um canal com este nome.", status=409
        ) from exc
    return channel


def channel_update(*, tenant: Tenant, channel_id: int, data: ChannelInput) -> Channel:
    channel = Channel.objects.filter(tenant=tenant, pk=channel_id).first()
    if channel is None:
        raise NotFound("Canal", code="channel_not_found")
    data.kind, data.provider = channel.kind, channel.provider  # fixed once created
    _validate(tenant, data, channel)
    _apply(channel, data)
    channel.save()
    return channel


def channel_webhook_url(channel: Channel) -> str:
    path = reverse("conversations:webhook", kwargs={"channel_key": channel.key})
    return settings.PUBLIC_BASE_URL + path


@dataclass
class TemplateInput:
    name: str
    language: str
    category: str
    components: list[dict]
    status: str = Template.Status.APPROVED
    provider_template_id: str = ""


def _template_validate(data: TemplateInput) -> None:
    if not template_rules.NAME_RE.match(data.name):
        raise InvalidContent(
            "Nome do modelo: só letras minúsculas, números e _ (como na Meta).",
            code="template_name",
            field="name",
        )
    if data.category not in Template.Category.values:
        raise InvalidContent("Categoria inválida.", code="template_category", field="category")
    if data.status not in Template.Status.values:
        raise InvalidContent("Situação inválida.", code="template_status", field="status")
    template_rules.components_validate(data.components)


def template_save(
    *, tenant: Tenant, channel_id: int, data: TemplateInput, template_id: int | None = None
) -> Template:
    channel = Channel.objects.filter(tenant=tenant, pk=channel_id).first()
    if channel is None:
        raise NotFound("Canal", code="channel_not_found")
    _template_validate(data)
    if template_id is None:
        template = Template(tenant=tenant, channel=channel)
    else:
        template = Template.objects.filter(tenant=tenant, pk=template_id).first()
        if template is None:
            raise NotFound("Modelo", code="template_not_found")
    for f in fields(TemplateInput):
        setattr(template, f.name, getattr(data, f.name))
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:
        raise ApplicationError(
            code="template_exists",
            message="Já existe um modelo com este nome e idioma neste canal.",
            status=409,
        ) from exc
    return template


def template_sync(*, tenant: Tenant, channel_id: int) -> int:
    """Bring the provider's templates (name, language, category, status, components) here."""
    channel = Channel.objects.select_related("tenant").filter(tenant=tenant, pk=channel_id).first()
    if channel is None:
        raise NotFound("Canal", code="channel_not_found")
    try:
        remote = provider_for(channel).list_templates()
    except ProviderError as exc:
        raise ApplicationError(
            code="template_sync_failed",
            message=f"O provedor recusou a consulta de modelos ({exc.code}: {exc.title}).",
            status=502,
        ) from exc
    count = 0
    for item in remote:
        status = item.status if item.status in Template.Status.values else Template.Status.PENDING
        category = item.category if item.category in Template.Category.values else "utility"
        Template.objects.update_or_create(
            channel=channel, name=item.name, language=item.language,
            defaults={
                "tenant": tenant, "category": category, "status": status,
                "components": item.components, "provider_template_id": item.provider_template_id,
            },
        )  # fmt: skip
        count += 1
    return count
