"""What the history and the message portal keep of their own: every portal send (the sent-messages
report), every attachment opened from the history (LGPD access log) and background exports."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.conversations.models import Attachment, Message
from formaliza.core import clock


class PortalSend(models.Model):
    """A template sent by hand from the "Portal de Envio": who, to which number, which template
    and variables. The message (status, receipts) lives in the conversation layer."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="portal_send")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField("telefone", max_length=16)
    template_name = models.CharField("modelo", max_length=512)
    variables = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "envio pelo portal"
        verbose_name_plural = "envios pelo portal"
        indexes = [
            models.Index(fields=["tenant", "created_at", "id"], name="portal_send_period"),
            models.Index(fields=["tenant", "user", "created_at"], name="portal_send_user"),
        ]

    def __str__(self) -> str:
        return f"{self.template_name} → {self.phone}"


class AttachmentAccess(models.Model):
    """Who opened (downloaded) a conversation attachment from the history, and when."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    accessed_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "acesso a anexo"
        ordering = ["-accessed_at"]
        indexes = [models.Index(fields=["tenant", "accessed_at"], name="attachment_access_at")]

    def __str__(self) -> str:
        return f"{self.user_id} abriu {self.attachment_id} em {self.accessed_at:%Y-%m-%d %H:%M}"


def export_upload_to(instance: HistoryExport, filename: str) -> str:
    return f"history-exports/{instance.tenant_id}/{instance.pk}/{filename}"


class HistoryExport(models.Model):
    """A result list too large to build during the request, written by a task to STORAGES.
    Only its tenant downloads it, until `expires_at`."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    class Status(models.TextChoices):
        PENDING = "pending", "Na fila"
        RUNNING = "running", "Gerando"
        DONE = "done", "Pronto"
        FAILED = "failed", "Falhou"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    format = models.CharField(max_length=4, choices=Format.choices)
    filters = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_upload_to, max_length=300, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "exportação do histórico"
        verbose_name_plural = "exportações do histórico"
        indexes = [models.Index(fields=["tenant", "created_at"], name="history_export_at")]

    def __str__(self) -> str:
        return f"{self.format} {self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0

    @property
    def is_expired(self) -> bool:
        return clock.now() >= self.expires_at
