"""Append-only evidence events, hash-chained per subject (a journey, later a case).

Each event's `hash` is SHA-256 over its canonical content and the previous event's hash, so a
removed, reordered or edited event breaks the chain. `EvidenceChainHead` remembers the last
sequence and hash of every chain: it serializes appends (row lock) and reveals a deleted tail.
"""

from __future__ import annotations

from django.db import models

from formaliza.accounts.models import Tenant


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
