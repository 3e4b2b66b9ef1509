"""The contact base's records above the contacts app: documents sent to a contact (with their
file, hot or archived), digital-acceptance kits, certified messages (AR digital), the contact's
activity trail and unarchive requests."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.contacts.models import Contact
from formaliza.conversations.models import Message
from formaliza.core.crypto import EncryptedTextField
from formaliza.core.models import TimeStampedModel
from formaliza.evidence.models import SealedDocument
from formaliza.journeys.models import Journey


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    SMS = "sms", "SMS"
    EMAIL = "email", "E-mail"


class AcceptanceKit(TimeStampedModel):
    """One or more PDFs sent to a contact for acceptance by a deadline (aceite digital)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Aguardando aceite"
        ACCEPTED = "accepted", "Aceito"
        EXPIRED = "expired", "Expirado"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="kits")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField("título", max_length=150)
    message = models.CharField("mensagem", max_length=500)
    channel = models.CharField("canal", max_length=10, choices=Channel.choices)
    address = models.CharField("endereço", max_length=254)
    deadline = models.DateTimeField("prazo")
    require_selfie = models.BooleanField("pedir selfie", default=False)
    # The client's selfie when the kit asks for one: the checked display copy (no metadata)
    # in the default storage, its hash and the hash of the bytes as sent, the face check.
    selfie_file = models.CharField(max_length=300, blank=True)
    selfie_sha256 = models.CharField(max_length=64, blank=True)
    selfie_original_sha256 = models.CharField(max_length=64, blank=True)
    selfie_at = models.DateTimeField(null=True, blank=True)
    selfie_face = models.JSONField(default=dict, blank=True)
    selfie_retakes = models.PositiveSmallIntegerField(default=0)  # photos refused before
    # Only the SHA-256 of the client's token is looked up; the token is kept encrypted so the
    # same link can be sent again.
    token_sha256 = models.CharField(max_length=64, unique=True)
    token_encrypted = EncryptedTextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_by_label = models.CharField(max_length=150, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_ip = models.GenericIPAddressField(null=True, blank=True)
    accepted_user_agent = models.CharField(max_length=300, blank=True)
    sealed_document = models.ForeignKey(
        SealedDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "kit de aceite"
        indexes = [models.Index(fields=["tenant", "contact", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(accepted_at__isnull=False),
                name="kit_accepted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def short_id(self) -> str:
        return str(self.public_id).split("-", 1)[0]


class ContactDocument(TimeStampedModel):
    """A file sent to a contact: a kit's PDF, or a journey's document. `storage` says where the
    file is now: the hot `default` storage or, after ARCHIVE_AFTER_DAYS, the `archive` one."""

    class Storage(models.TextChoices):
        DEFAULT = "default", "Disponível"
        ARCHIVE = "archive", "Arquivado"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="documents")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("nº do documento", max_length=40)
    title = models.CharField("título", max_length=150)
    kit = models.ForeignKey(
        AcceptanceKit, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    journey = models.ForeignKey(
        Journey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(max_length=300)  # the storage name
    storage = models.CharField(max_length=10, choices=Storage.choices, default=Storage.DEFAULT)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    page_count = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Brought back from the archive: stays hot for ACCEPTANCE_UNARCHIVED_KEEP_DAYS.
    unarchived_at = models.DateTimeField(null=True, blank=True)
    # Reading proof on the client's page (scroll), measured on our clock.
    shown_at = models.DateTimeField(null=True, blank=True)
    reached_end_at = models.DateTimeField(null=True, blank=True)
    max_scroll = models.FloatField(default=0.0)

    class Meta:
        verbose_name = "documento do contato"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["tenant", "number"]),
            models.Index(fields=["contact", "-created_at"]),
            models.Index(fields=["storage", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.number})"

    @property
    def page_range(self) -> range:
        return range(1, self.page_count + 1)

    @property
    def is_archived(self) -> bool:
        return self.storage == self.Storage.ARCHIVE


class CertifiedMessage(TimeStampedModel):
    """A message sent as certified (AR digital): its receipts come from the provider (sent,
    delivered, read) and from us (link click, e-mail pixel); its certificate is a sealed PDF."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="certified")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.OneToOneField(Message, on_delete=models.PROTECT, related_name="certified")
    kit = models.ForeignKey(
        AcceptanceKit, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254)
    body_sha256 = models.CharField(max_length=64)
    # What was asked to be sent (before the tracking link was added), for resending.
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    link_target = models.CharField(max_length=500, blank=True)
    resent_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends"
    )
    tracking_token = models.CharField(max_length=64, unique=True)
    opened_at = models.DateTimeField(null=True, blank=True)  # e-mail pixel
    clicked_at = models.DateTimeField(null=True, blank=True)  # link click
    sealed_document = models.ForeignKey(
        SealedDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "mensagem certificada"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["contact", "-created_at"])]

    def __str__(self) -> str:
        return f"AR {self.public_id}"

    @property
    def failure(self) -> str:
        """Why the message did not reach the recipient, as the AR tab and the certificate say
        it: refused by the provider when it was sent (never accepted), or accepted and then
        reported undeliverable (a bounced e-mail, an unreachable phone). "" otherwise."""
        message = self.message
        if message.status != "failed":
            return ""
        reason = message.error_title or message.error_explanation or "motivo não informado"
        if message.accepted_at is None:
            return f"Recusada pelo provedor: {reason}"
        return f"Não entregue: {reason}"


class ContactActivity(models.Model):
    """One interaction on the contact's trail (Atividades tab): sent, delivered, opened,
    clicked, accepted, resent, archived... with channel and automation."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="activities")
    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, blank=True)
    automation = models.CharField(max_length=120, blank=True)
    description = models.CharField(max_length=500)
    document = models.ForeignKey(
        ContactDocument, on_delete=models.CASCADE, null=True, blank=True, related_name="activity"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "atividade do contato"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-at"]),
            models.Index(fields=["document", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class UnarchiveRequest(TimeStampedModel):
    """Bringing an archived file back (in the background); one open request per document, so a
    second click joins the first."""

    class Status(models.TextChoices):
        PENDING = "pending", "Desarquivando"
        DONE = "done", "Disponível"

    document = models.ForeignKey(
        ContactDocument, on_delete=models.CASCADE, related_name="unarchive_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(status="pending"),
                name="one_open_unarchive_per_document",
            ),
        ]

    def __str__(self) -> str:
        return f"Desarquivar {self.document_id}"
