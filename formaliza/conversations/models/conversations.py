"""A contact's handle on a channel (window, consent, pacing) and conversations (atendimentos)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Branch, Tenant
from formaliza.contacts.models import Contact
from formaliza.conversations.models.channels import Channel
from formaliza.core import br
from formaliza.core.models import TimeStampedModel


class ContactHandle(TimeStampedModel):
    """A contact's address on one channel (phone in E.164 or e-mail) with what the channel needs
    to know about it: WhatsApp id, profile name, the last message they sent (the 24-hour
    window), consent, and the per-recipient pacing state."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="handles")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="handles")
    address = models.CharField("endereço", max_length=254)
    wa_id = models.CharField(max_length=20, blank=True)
    profile_name = models.CharField("nome no WhatsApp", max_length=200, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    opted_in_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    opt_out_source = models.CharField(max_length=120, blank=True)
    marketing_blocked_at = models.DateTimeField(null=True, blank=True)
    # Theoretical arrival time (unix seconds) of the pacing limiter for this recipient.
    pace_tat = models.FloatField(default=0.0)

    class Meta:
        verbose_name = "endereço de contato"
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="handle_address_unique"),
        ]
        indexes = [
            models.Index(fields=["channel", "wa_id"]),
            # History search by phone / e-mail across the tenant's channels.
            models.Index(fields=["tenant", "address"], name="handle_tenant_address"),
        ]

    def __str__(self) -> str:
        return self.address_display

    @property
    def address_display(self) -> str:
        return br.phone_format(self.address) if self.address.startswith("+") else self.address

    @property
    def is_opted_out(self) -> bool:
        return self.opted_out_at is not None


class Department(TimeStampedModel):
    """A setor of the tenant that handles conversations handed over by the bot (Suporte,
    Formalização, Financeiro...). Attendants pick conversations from its queue."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField("nome", max_length=80)
    is_active = models.BooleanField("ativo", default=True)

    class Meta:
        verbose_name = "setor"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="department_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class FinalizationStatus(TimeStampedModel):
    """How a conversation ended (the history's left column: Assinado, Integrado, Andamento,
    Reprovado, Desistência, Em análise...). Configurable per tenant; `code` is stable for the API
    and for the layers that set it (a sealed journey sets `assinado`)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="finalizations")
    code = models.SlugField("código", max_length=40)
    name = models.CharField("nome", max_length=60)
    color = models.CharField("cor", max_length=7, default="#64748b")
    position = models.PositiveSmallIntegerField("ordem", default=0)
    is_active = models.BooleanField("ativo", default=True)

    class Meta:
        verbose_name = "status de finalização"
        verbose_name_plural = "status de finalização"
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="finalization_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Conversation(TimeStampedModel):
    """An atendimento: the messages exchanged with one contact on one channel from the moment
    one side starts until it is closed (by a person, a flow, or inactivity). Each one has a
    protocol number, sequential per tenant."""

    class Status(models.TextChoices):
        OPEN = "open", "Aberto"
        CLOSED = "closed", "Encerrado"

    class Origin(models.TextChoices):
        CLIENT = "client", "Iniciado pelo cliente"
        BUSINESS = "business", "Iniciado pela empresa"

    class Handler(models.TextChoices):
        BOT = "bot", "Assistente virtual"
        QUEUE = "queue", "Fila do setor"
        AGENT = "agent", "Atendente"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="conversations")
    handle = models.ForeignKey(
        ContactHandle, on_delete=models.CASCADE, related_name="conversations"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations")
    protocol = models.CharField("protocolo", max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    origin = models.CharField("origem", max_length=10, choices=Origin.choices)
    opened_at = models.DateTimeField("iniciado em")
    closed_at = models.DateTimeField("encerrado em", null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # Who handles it now: the bot (a flow), a department's queue, or one attendant.
    handler = models.CharField(
        "atendido por", max_length=10, choices=Handler.choices, default=Handler.BOT
    )
    department = models.ForeignKey(
        Department, verbose_name="setor", on_delete=models.SET_NULL, null=True, blank=True
    )
    branch = models.ForeignKey(
        Branch, verbose_name="filial", on_delete=models.SET_NULL, null=True, blank=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="atendente",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    campaign = models.CharField("campanha", max_length=120, blank=True)
    finalization = models.ForeignKey(
        FinalizationStatus,
        verbose_name="status de finalização",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="finalizado por",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    tags = models.JSONField("etiquetas", default=list, blank=True)

    class Meta:
        verbose_name = "atendimento"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "protocol"], name="conversation_protocol"),
            # At most one open conversation per contact handle: new messages join it.
            models.UniqueConstraint(
                fields=["handle"],
                condition=models.Q(status="open"),
                name="conversation_one_open_per_handle",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-last_message_at"]),
            models.Index(fields=["tenant", "status", "-last_message_at"]),
            models.Index(fields=["status", "last_message_at"]),
            # History search (docs/history.md): tenant, the filtered column, then the period
            # column, so each filter reads one index range; (opened_at, id) is the keyset order.
            models.Index(fields=["tenant", "opened_at", "id"], name="conv_hist_opened"),
            models.Index(fields=["tenant", "finalization", "opened_at"], name="conv_hist_final"),
            models.Index(fields=["tenant", "department", "opened_at"], name="conv_hist_dept"),
            models.Index(fields=["tenant", "channel", "opened_at"], name="conv_hist_channel"),
            models.Index(fields=["tenant", "contact", "opened_at"], name="conv_hist_contact"),
            models.Index(fields=["tenant", "handle", "opened_at"], name="conv_hist_handle"),
        ]

    def __str__(self) -> str:
        return self.protocol


class ConversationKey(models.Model):
    """A business key a conversation is about, written by the layer that knows it (the journey
    links its conversation to the client's CPF, proposals, contract numbers and the signed
    document's key) so that history search finds conversations by them without joining across
    apps. Values are stored normalized (see `services.conversations.KEY_NORMALIZERS`)."""

    class Kind(models.TextChoices):
        CPF = "cpf", "CPF"
        PROPOSAL = "proposal", "Proposta"
        CONTRACT = "contract", "Número do contrato"
        DOCUMENT_KEY = "document_key", "Chave do documento assinado"
        FORMALIZATION = "formalization", "Formalização"
        JOURNEY = "journey", "Jornada"
        FULL_NAME = "full_name", "Nome completo do assinante"
        BIRTH_DATE = "birth_date", "Data de nascimento do assinante"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="keys")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "chave do atendimento"
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "kind", "value"], name="conversation_key_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "kind", "value"]),
            # Covers the history's key lookups (no table visit to get the conversation).
            models.Index(fields=["tenant", "kind", "value", "conversation"], name="conv_key_hist"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


class ConversationNote(models.Model):
    """A note the attendants see beside the conversation's messages (never sent to the
    client): the client's description and a transfer's note written when a flow hands the
    conversation over, an attendant's remark."""

    class Kind(models.TextChoices):
        DESCRIPTION = "description", "Descrição do cliente"
        TRANSFER = "transfer", "Transferência"
        NOTE = "note", "Observação"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    # The flow run that wrote it, when one did (a plain id: this layer knows nothing of flows).
    run_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField("tipo", max_length=12, choices=Kind.choices)
    text = models.TextField("texto")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("criada em")

    class Meta:
        verbose_name = "nota do atendimento"
        verbose_name_plural = "notas do atendimento"
        ordering = ["conversation", "created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"
