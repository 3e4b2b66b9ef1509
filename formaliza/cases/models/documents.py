"""Typed document slots (configurable per tenant) and the client's uploaded documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.core.models import TimeStampedModel


class DocumentType(TimeStampedModel):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    code = models.SlugField("código", max_length=40)
    name = models.CharField("nome", max_length=120)
    help_text = models.CharField("orientação ao cliente", max_length=300, blank=True)
    required = models.BooleanField("obrigatório", default=True)
    is_active = models.BooleanField("ativo", default=True)
    position = models.PositiveSmallIntegerField("ordem", default=0)

    class Meta:
        verbose_name = "tipo de documento"
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="document_type_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ClientDocument(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pendente para análise"
        APPROVED = "approved", "Aprovado"
        REJECTED = "rejected", "Rejeitado"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    client = models.ForeignKey(
        "cases.CaseClient", on_delete=models.CASCADE, related_name="documents"
    )
    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="cases/%Y/%m/")
    filename = models.CharField(max_length=200)
    mime_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_sha256 = models.CharField(max_length=64)
    uploaded_by_kind = models.CharField(max_length=10)  # agent | client | api_key
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_by_label = models.CharField(max_length=200, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField("motivo da rejeição", max_length=500, blank=True)

    class Meta:
        verbose_name = "documento do cliente"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "client", "status"])]

    def __str__(self) -> str:
        return f"{self.doc_type} ({self.get_status_display()})"
