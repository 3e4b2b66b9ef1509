"""Append-only evidence events, hash-chained per subject (a journey, later a case).

Each event's `hash` is SHA-256 over its canonical content and the previous event's hash, so a
removed, reordered or edited event breaks the chain. `EvidenceChainHead` remembers the last
sequence and hash of every chain: it serializes appends (row lock) and reveals a deleted tail.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.core.models import TimeStampedModel
from formaliza.evidence.subject import Subject


class AppendOnlyError(RuntimeError):
    pass


class EvidenceChainHead(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT)
    subject_type = models.CharField(max_length=30)
    subject_id = models.CharField(max_length=64)
    last_sequence = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="evidence_head_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id}@{self.last_sequence}"


class EvidenceEvent(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT)
    subject_type = models.CharField(max_length=30)
    subject_id = models.CharField(max_length=64)
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=60)
    occurred_at = models.DateTimeField()
    # Who or what acted: client | user | system | provider (e.g. WhatsApp delivery receipts).
    actor_kind = models.CharField(max_length=10)
    actor_label = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    session_id = models.CharField(max_length=128, blank=True)  # a hash, never the session key
    phone = models.CharField(max_length=16, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["subject_type", "subject_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "sequence"],
                name="evidence_event_sequence_unique",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id}#{self.sequence} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("evidence events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("evidence events are append-only")


class SealedDocument(TimeStampedModel):
    """The final PDF of a subject (contracts + evidence report), sealed once with PAdES.

    Created `pending` by `sealed_document_request` with the caller's bundle (JSON in `manifest`,
    binary parts in private storage under `inputs_path`); the sealing task turns it `sealed` (the
    file, its hash, the chain head it covers) or, after its retries, `failed` with a reason. A
    pending document that failed an attempt shows `last_error` and `next_attempt_at`: nothing is
    ever silently pending.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pendente"
        SEALED = "sealed", "Selado"
        FAILED = "failed", "Falhou"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT)
    subject_type = models.CharField(max_length=30)
    subject_id = models.CharField(max_length=64)
    reference = models.CharField("identificador", max_length=64)
    title = models.CharField("título", max_length=200)
    # Printed in the report and behind the QR code; unguessable (80 bits), typed by people.
    code = models.CharField("código de verificação", max_length=19, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("tentativas nesta rodada", default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField("motivo da falha", max_length=500, blank=True)
    requested_by = models.CharField(max_length=200, blank=True)
    manifest = models.JSONField(default=dict)
    inputs_path = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    # The part of the subject's event chain the report shows (events 1..chain_length).
    chain_length = models.PositiveIntegerField(null=True, blank=True)
    chain_last_hash = models.CharField(max_length=64, blank=True)
    signer_certificate = models.CharField(max_length=300, blank=True)
    timestamp_at = models.DateTimeField(null=True, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "documento selado"
        verbose_name_plural = "documentos selados"
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="evidence_sealed_subject_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    @property
    def subject(self) -> Subject:
        return Subject(self.subject_type, self.subject_id)


class SealAttempt(models.Model):
    document = models.ForeignKey(
        SealedDocument, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    will_retry = models.BooleanField(default=False)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="seal_attempt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} #{self.number}"


class SealedDocumentDownload(models.Model):
    """Every download of a sealed document (it holds personal and biometric data: LGPD)."""

    class Via(models.TextChoices):
        BACK_OFFICE = "back_office", "Back office"
        LINK = "link", "Link assinado"

    document = models.ForeignKey(SealedDocument, on_delete=models.CASCADE, related_name="downloads")
    at = models.DateTimeField()
    via = models.CharField(max_length=12, choices=Via.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.at:%Y-%m-%d %H:%M:%S} {self.via}"
