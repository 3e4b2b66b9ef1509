from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from formaliza.accounts.roles import API_KEY_PERMS, Role, role_has
from formaliza.core.models import TimeStampedModel


class Tenant(TimeStampedModel):
    """An organization using Formaliza (a promotora / correspondent company)."""

    name = models.CharField("nome", max_length=120)
    slug = models.SlugField(unique=True)
    cnpj = models.CharField("CNPJ", max_length=14, blank=True)
    # Hosts or CIDRs this tenant's outbound calls (webhooks, HTTP cards) may reach even when
    # they are private addresses (an integrator's server inside the tenant's own VPN, say).
    outbound_allowlist = models.JSONField("rede interna permitida", default=list, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "empresa"

    def __str__(self) -> str:
        return self.name


class Branch(TimeStampedModel):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="branches")
    code = models.CharField("código", max_length=20)
    name = models.CharField("nome", max_length=120)

    class Meta:
        verbose_name = "filial"
        verbose_name_plural = "filiais"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="branch_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"


class User(AbstractUser):
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    branch = models.ForeignKey(Branch, on_delete=models.SET_NULL, null=True, blank=True)
    role = models.CharField("papel", max_length=20, choices=Role.choices, default=Role.OPERATOR)
    cpf = models.CharField("CPF", max_length=11, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "usuário"

    def has_perm_code(self, perm: str) -> bool:
        return self.is_active and self.tenant_id is not None and role_has(self.role, perm)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiKey(TimeStampedModel):
    """An integrator's key. Only its prefix and a SHA-256 of the whole key are stored."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField("nome", max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "chave de API"
        verbose_name_plural = "chaves de API"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_perm_code(self, perm: str) -> bool:
        return self.is_active and perm in API_KEY_PERMS
