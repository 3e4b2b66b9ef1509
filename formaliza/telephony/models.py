"""Calls placed through the Telephony port, with the events the PBX (or the operator) reported."""

from __future__ import annotations

from django.db import models

from formaliza.core.models import TimeStampedModel
from formaliza.telephony import ports


class Call(TimeStampedModel):
    STATE_CHOICES = [
        (ports.DIALING, "Discando"),
        (ports.RINGING, "Chamando"),
        (ports.ANSWERED, "Em andamento"),
        (ports.ENDED, "Encerrada"),
        (ports.MANUAL, "Discada pelo operador"),
    ]
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    call_id = models.CharField(max_length=120, unique=True)
    adapter = models.CharField(max_length=40)
    operator_extension = models.CharField(max_length=40, blank=True)
    client_number = models.CharField(max_length=20)
    reference = models.CharField(max_length=120, blank=True, db_index=True)
    state = models.CharField(max_length=12, choices=STATE_CHOICES)
    dial_url = models.CharField(max_length=40, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    cause = models.PositiveSmallIntegerField(null=True, blank=True)
    cause_text = models.CharField(max_length=80, blank=True)
    diverted_to = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "state"], name="telephony_call_tenant_state")]

    def __str__(self) -> str:
        return f"{self.call_id} ({self.state})"


class CallEvent(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12)
    state = models.CharField(max_length=12)
    at = models.DateTimeField()
    cause = models.PositiveSmallIntegerField(null=True, blank=True)
    cause_text = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.state} {self.at:%H:%M:%S}"
