"""A tenant's ERP: which system, its address and credentials (secrets encrypted at rest, the
channels' `EncryptedTextField`; never logged, never in flow exports)."""

from __future__ import annotations

from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.core.crypto import EncryptedTextField
from formaliza.core.models import TimeStampedModel


class ErpAccount(TimeStampedModel):
    class Kind(models.TextChoices):
        HUBSOFT = "hubsoft", "Hubsoft"
        IXC = "ixc", "IXC Provedor"
        SGP = "sgp", "SGP"
        MK_SOLUTIONS = "mk_solutions", "MK-Solutions"

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="erp_account")
    kind = models.CharField("sistema", max_length=20, choices=Kind.choices)
    base_url = models.URLField("endereço da API", max_length=300)
    client_id = models.CharField("client id", max_length=120, blank=True)
    client_secret = EncryptedTextField("client secret", blank=True)
    username = models.CharField("usuário da API", max_length=160, blank=True)
    password = EncryptedTextField("senha da API", blank=True)
    timeout_seconds = models.PositiveSmallIntegerField("tempo limite (s)", default=8)
    is_active = models.BooleanField("ativo", default=True)

    class Meta:
        verbose_name = "ERP do provedor"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(timeout_seconds__gte=1, timeout_seconds__lte=30),
                name="erp_timeout_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.tenant})"
