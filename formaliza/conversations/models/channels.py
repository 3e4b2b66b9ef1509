"""Channels (a provider and its credentials), their templates, alerts and send limiter."""

from __future__ import annotations

import uuid

from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.core.crypto import EncryptedTextField
from formaliza.core.models import TimeStampedModel

DEFAULT_OPT_OUT_KEYWORDS = ["/bloquear"]
DEFAULT_OPT_IN_KEYWORDS = ["/desbloquear"]
DEFAULT_OPT_OUT_REPLY = (
    "Pronto, você não receberá mais mensagens deste número. Se mudar de ideia, envie /desbloquear."
)


def _default_opt_out_keywords() -> list[str]:
    return list(DEFAULT_OPT_OUT_KEYWORDS)


def _default_opt_in_keywords() -> list[str]:
    return list(DEFAULT_OPT_IN_KEYWORDS)


class Channel(TimeStampedModel):
    """One way of talking to clients: a WhatsApp number, an SMS sender or an e-mail sender."""

    class Kind(models.TextChoices):
        WHATSAPP = "whatsapp", "WhatsApp"
        SMS = "sms", "SMS"
        EMAIL = "email", "E-mail"

    class Provider(models.TextChoices):
        META_CLOUD = "meta_cloud", "WhatsApp Cloud API (Meta)"
        ZENVIA = "zenvia", "Zenvia"
        TWILIO = "twilio", "Twilio"
        FAKE = "fake", "Simulador local (sem provedor real)"
        EMAIL = "email", "Servidor de e-mail (SMTP)"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="channels")
    name = models.CharField("nome", max_length=80)
    kind = models.CharField("tipo", max_length=10, choices=Kind.choices)
    provider = models.CharField("provedor", max_length=12, choices=Provider.choices)
    # The id in our public webhook URL; unguessable so that URLs do not enumerate channels.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    phone_number_id = models.CharField("Phone number ID (Meta)", max_length=40, blank=True)
    business_account_id = models.CharField(
        "WhatsApp Business Account ID", max_length=40, blank=True
    )
    display_phone_number = models.CharField("número do canal", max_length=20, blank=True)
    account_id = models.CharField(
        "conta no provedor (Twilio Account SID)", max_length=64, blank=True
    )
    sender_id = models.CharField("remetente (Zenvia/e-mail)", max_length=120, blank=True)
    access_token = EncryptedTextField("token de acesso", blank=True)
    app_secret = EncryptedTextField("segredo do app / do webhook", blank=True)
    verify_token = EncryptedTextField("token de verificação do webhook", blank=True)
    api_base_url = models.URLField("endereço da API (opcional)", max_length=300, blank=True)
    throughput_per_second = models.PositiveIntegerField("mensagens por segundo", default=80)
    pacing_interval_seconds = models.FloatField("intervalo por destinatário (s)", default=6.0)
    pacing_burst = models.PositiveSmallIntegerField("rajada por destinatário", default=5)
    opt_out_keywords = models.JSONField(
        "palavras de descadastro", default=_default_opt_out_keywords, blank=True
    )
    opt_in_keywords = models.JSONField(
        "palavras de recadastro", default=_default_opt_in_keywords, blank=True
    )
    opt_out_reply = models.TextField(
        "confirmação de descadastro", default=DEFAULT_OPT_OUT_REPLY, blank=True
    )
    require_opt_in_for_marketing = models.BooleanField(
        "exigir opt-in para modelos de marketing", default=True
    )
    welcome_text = models.TextField("mensagem de boas-vindas", blank=True)
    welcome_choices = models.JSONField("opções da boas-vindas", default=list, blank=True)
    is_active = models.BooleanField("ativo", default=True)
    last_webhook_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "canal"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="channel_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_whatsapp(self) -> bool:
        return self.kind == self.Kind.WHATSAPP

    @property
    def supports_interactive(self) -> bool:
        """Reply buttons and lists as free-form messages (Twilio needs Content API templates
        for them, so its choices go as numbered text)."""
        return self.kind == self.Kind.WHATSAPP and self.provider != self.Provider.TWILIO

    @property
    def has_window(self) -> bool:
        """Only WhatsApp limits free-form messages to the 24-hour customer-service window."""
        return self.kind == self.Kind.WHATSAPP


class Template(TimeStampedModel):
    """A message template (HSM) approved by the provider. `components` keeps the provider's own
    description (Meta's HEADER/BODY/FOOTER/BUTTONS objects) so sends can be checked against it."""

    class Category(models.TextChoices):
        UTILITY = "utility", "Utilidade"
        MARKETING = "marketing", "Marketing"
        AUTHENTICATION = "authentication", "Autenticação"

    class Status(models.TextChoices):
        APPROVED = "approved", "Aprovado"
        PENDING = "pending", "Em análise"
        REJECTED = "rejected", "Rejeitado"
        PAUSED = "paused", "Pausado"
        DISABLED = "disabled", "Desativado"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="templates")
    name = models.CharField("nome", max_length=512)
    language = models.CharField("idioma", max_length=15, default="pt_BR")
    category = models.CharField("categoria", max_length=16, choices=Category.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    components = models.JSONField("componentes", default=list)
    provider_template_id = models.CharField("id no provedor", max_length=120, blank=True)

    class Meta:
        verbose_name = "modelo de mensagem"
        verbose_name_plural = "modelos de mensagem"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "name", "language"], name="template_name_language_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class ChannelAlert(models.Model):
    """An error the provider reported about the channel itself (not about one message):
    webhook `errors`, expired tokens, unknown numbers. Shown on the channel page."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="alerts")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=300, blank=True)
    detail = models.TextField(blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ThroughputLimiter(models.Model):
    """The per-number send limiter shared by every worker (see limiter.py)."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, primary_key=True)
    tat = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return f"{self.channel_id}@{self.tat}"
