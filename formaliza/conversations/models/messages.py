"""Messages with their dispatch attempts, receipts and attachments, and the raw inbound events."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.contacts.models import Contact
from formaliza.conversations.models.channels import Channel
from formaliza.conversations.models.conversations import ContactHandle, Conversation
from formaliza.core.models import TimeStampedModel


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Na fila"
    SENDING = "sending", "Enviando"
    ACCEPTED = "accepted", "Aceita pelo provedor"
    SENT = "sent", "Enviada"
    DELIVERED = "delivered", "Entregue"
    READ = "read", "Lida"
    FAILED = "failed", "Falhou"
    RECEIVED = "received", "Recebida"


# Statuses only move forward along this rank; failed is terminal. A late or replayed receipt
# (a `delivered` after a `read`) therefore never changes anything.
STATUS_RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.ACCEPTED: 2,
    MessageStatus.SENT: 3,
    MessageStatus.DELIVERED: 4,
    MessageStatus.READ: 5,
    MessageStatus.FAILED: 6,
    MessageStatus.RECEIVED: 0,
}


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", "Recebida"
        OUTBOUND = "out", "Enviada"

    class Kind(models.TextChoices):
        TEXT = "text", "Texto"
        TEMPLATE = "template", "Modelo (HSM)"
        BUTTONS = "buttons", "Botões"
        LIST = "list", "Lista"
        CHOICES_TEXT = "choices_text", "Opções numeradas"
        IMAGE = "image", "Imagem"
        AUDIO = "audio", "Áudio"
        VIDEO = "video", "Vídeo"
        DOCUMENT = "document", "Documento"
        STICKER = "sticker", "Figurinha"
        LOCATION = "location", "Localização"
        CONTACTS = "contacts", "Contatos"
        REACTION = "reaction", "Reação"
        BUTTON_REPLY = "button_reply", "Resposta de botão"
        LIST_REPLY = "list_reply", "Resposta de lista"
        TEMPLATE_REPLY = "template_reply", "Resposta a modelo"
        EMAIL = "email", "E-mail"
        SYSTEM = "system", "Aviso do sistema"
        UNSUPPORTED = "unsupported", "Não suportada"

    id = models.BigAutoField(primary_key=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="messages")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    handle = models.ForeignKey(ContactHandle, on_delete=models.CASCADE, related_name="messages")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What a person reads in the history (rendered template, choices as text, caption...).
    body = models.TextField(blank=True)
    # Outbound: the normalized content (see content.py) the adapters turn into wire format.
    # Inbound: what we parsed (reply id and title, location, contacts, media metadata).
    content = models.JSONField(default=dict, blank=True)
    # Inbound: the provider's own message object, kept as evidence.
    provider_payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    # Set by callers ("journey:<uuid>") so they can find their messages and receipts later.
    reference = models.CharField(max_length=120, blank=True)
    idempotency_key = models.CharField(max_length=120, blank=True)
    provider_message_id = models.CharField(max_length=160, blank=True)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    reply_to_provider_id = models.CharField(max_length=160, blank=True)
    # Inbound answers to choices: the id of the option the client picked (button, list row,
    # template quick reply, or a typed number / title matching the last choices offered).
    choice_id = models.CharField(max_length=256, blank=True)
    consent_action = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(db_index=True)
    provider_timestamp = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField("aceita em", null=True, blank=True)
    sent_at = models.DateTimeField("enviada em", null=True, blank=True)
    delivered_at = models.DateTimeField("entregue em", null=True, blank=True)
    read_at = models.DateTimeField("lida em", null=True, blank=True)
    failed_at = models.DateTimeField("falhou em", null=True, blank=True)
    deleted_at = models.DateTimeField("apagada em", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_title = models.CharField(max_length=300, blank=True)
    error_detail = models.TextField(blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    sent_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = "mensagem"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"],
                condition=~models.Q(provider_message_id=""),
                name="message_provider_id_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="message_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "id"]),
            models.Index(fields=["handle", "direction", "status", "id"]),
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["tenant", "reference"]),
            models.Index(fields=["tenant", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.public_id}"

    @property
    def is_outbound(self) -> bool:
        return self.direction == self.Direction.OUTBOUND

    @property
    def error_explanation(self) -> str:
        from formaliza.conversations.errors import error_explanation

        return error_explanation(self.error_code) if self.error_code else ""


class DispatchAttempt(models.Model):
    """One attempt to hand a message to the provider, written (and committed) before the call:
    a worker that dies mid-call leaves this row behind, and recovery reads it."""

    class Outcome(models.TextChoices):
        IN_FLIGHT = "in_flight", "Em andamento"
        ACCEPTED = "accepted", "Aceita"
        RETRY = "retry", "Erro temporário (nova tentativa)"
        FAILED = "failed", "Erro definitivo"
        INTERRUPTED = "interrupted", "Interrompida"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="dispatches")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.IN_FLIGHT)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_title = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="dispatch_attempt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.number}"


class Receipt(models.Model):
    """A delivery receipt reported by the provider (AR digital): sent, delivered, read, failed,
    deleted, with the provider's own timestamp. One row per (message, status): replays of the
    same receipt are ignored. A receipt may arrive before we know which message it belongs to
    (the status webhook raced the send's answer); it is linked as soon as the message is."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE)
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="receipts"
    )
    provider_message_id = models.CharField(max_length=160)
    callback_data = models.CharField(max_length=512, blank=True)
    status = models.CharField(max_length=10)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    error_code = models.CharField(max_length=40, blank=True)
    error_title = models.CharField(max_length=300, blank=True)
    error_detail = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id", "status"], name="receipt_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["channel", "callback_data"]),
            models.Index(fields=["message", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.provider_message_id} {self.status}"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    return f"conversations/{instance.tenant_id}/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(TimeStampedModel):
    """A file sent or received in a message. Files live in Django STORAGES, never in the DB."""

    class Status(models.TextChoices):
        PENDING = "pending", "Aguardando download"
        STORED = "stored", "Armazenado"
        REJECTED = "rejected", "Recusado"
        FAILED = "failed", "Falhou"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    # Empty only for an instant: an outgoing file is stored just before its message.
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(max_length=10)  # image | audio | video | document | sticker
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider_media_id = models.CharField(max_length=160, blank=True)
    provider_media_uploaded_at = models.DateTimeField(null=True, blank=True)
    source_url = models.URLField(max_length=1000, blank=True)  # providers that give a URL
    mime_type = models.CharField(max_length=120, blank=True)
    declared_sha256 = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    caption = models.TextField(blank=True)
    file = models.FileField(upload_to=attachment_upload_to, max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "anexo"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename or f"{self.kind} {self.pk}"


class InboundEvent(models.Model):
    """A webhook POST exactly as received (raw bytes), stored before it is processed. The same
    body delivered twice is one row: providers retry until they get a 200."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pendente"
        PROCESSED = "processed", "Processado"
        FAILED = "failed", "Falhou"

    id = models.BigAutoField(primary_key=True)
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="inbound_events")
    received_at = models.DateTimeField(db_index=True)
    body = models.BinaryField()
    body_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "body_sha256"], name="inbound_event_body_unique"
            ),
        ]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.pk}"
