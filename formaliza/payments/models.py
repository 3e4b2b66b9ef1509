"""Pix accounts, charges, received Pix, raw webhook notifications and the credit ledger."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from formaliza.accounts.models import Tenant
from formaliza.core import clock
from formaliza.core.crypto import EncryptedTextField
from formaliza.core.models import TimeStampedModel


def _token() -> str:
    return secrets.token_urlsafe(24)


class PixAccount(TimeStampedModel):
    """How a tenant receives Pix: through its PSP's Pix API (dynamic charges, webhook) or with
    a static BR Code (no PSP: an operator confirms each payment)."""

    class Provider(models.TextChoices):
        PIX_API = "pix_api", "API Pix do PSP (cobrança dinâmica)"
        STATIC = "static", "BR Code estático (confirmação manual)"

    class WebhookAuth(models.TextChoices):
        HMAC = "hmac", "Assinatura HMAC-SHA256 no cabeçalho"
        URL_SECRET = "url_secret", "Segredo na URL (mTLS no proxy)"

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="pix_account")
    provider = models.CharField(max_length=10, choices=Provider.choices, default=Provider.PIX_API)
    api_url = models.URLField("URL da API Pix", blank=True)
    token_url = models.URLField("URL do token OAuth2", blank=True)
    client_id = models.CharField(max_length=200, blank=True)
    client_secret = EncryptedTextField(blank=True)
    chave = models.CharField("chave Pix", max_length=77)
    merchant_name = models.CharField("nome do recebedor", max_length=25)
    merchant_city = models.CharField("cidade do recebedor", max_length=15)
    webhook_token = models.CharField(max_length=64, unique=True, default=_token)
    webhook_auth = models.CharField(
        max_length=10, choices=WebhookAuth.choices, default=WebhookAuth.HMAC
    )
    webhook_secret = EncryptedTextField(default=_token)
    charge_expiration_seconds = models.PositiveIntegerField(default=86400)

    class Meta:
        verbose_name = "conta Pix"

    def __str__(self) -> str:
        return f"Pix de {self.tenant_id} ({self.provider})"


class Charge(TimeStampedModel):
    """A Pix charge (cobrança) for one subject of another app, e.g. ("case", 12)."""

    class Kind(models.TextChoices):
        COB = "cob", "Cobrança imediata"
        COBV = "cobv", "Cobrança com vencimento"
        STATIC = "static", "BR Code estático"

    class Status(models.TextChoices):
        ACTIVE = "active", "Aguardando pagamento"
        PAID = "paid", "Paga"
        FLAGGED = "flagged", "Pagamento divergente"
        EXPIRED = "expired", "Expirada"
        CANCELLED = "cancelled", "Cancelada"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    account = models.ForeignKey(PixAccount, on_delete=models.PROTECT, related_name="charges")
    txid = models.CharField(max_length=35)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    description = models.CharField(max_length=140, blank=True)
    payer_name = models.CharField(max_length=200, blank=True)
    payer_document = models.CharField(max_length=14, blank=True)
    subject_kind = models.CharField(max_length=20)
    subject_id = models.BigIntegerField()
    expires_at = models.DateTimeField()
    due_date = models.DateField(null=True, blank=True)
    copia_e_cola = models.TextField(blank=True)
    location = models.CharField(max_length=77, blank=True)
    revisao = models.PositiveIntegerField(default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    end_to_end_id = models.CharField(max_length=32, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    flag_reason = models.CharField(max_length=300, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # An operator's decision on a charge that needed one (services/review.py).
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    resolution = models.CharField(max_length=10, blank=True)  # accepted | dismissed
    resolution_note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "cobrança Pix"
        constraints = [
            models.UniqueConstraint(fields=["account", "txid"], name="charge_txid_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="charge_amount_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "subject_kind", "subject_id"])]

    def __str__(self) -> str:
        return f"Cobrança {self.txid}"

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.ACTIVE and self.expires_at <= clock.now()


class PixNotification(models.Model):
    """A raw `POST {webhookUrl}/pix` that passed the authentication, kept before processing."""

    account = models.ForeignKey(PixAccount, on_delete=models.CASCADE)
    body = models.TextField()
    received_at = models.DateTimeField(default=clock.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Notificação Pix {self.pk}"


class PixPayment(models.Model):
    """A Pix received (one `endToEndId`), and what it did."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Aplicado à cobrança"
        AMOUNT_MISMATCH = "amount_mismatch", "Valor diferente da cobrança"
        EXPIRED = "expired", "Cobrança expirada"
        NOT_ACTIVE = "not_active", "Cobrança já paga ou cancelada"
        UNKNOWN_CHARGE = "unknown_charge", "Cobrança desconhecida"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    account = models.ForeignKey(PixAccount, on_delete=models.CASCADE)
    charge = models.ForeignKey(Charge, on_delete=models.SET_NULL, null=True, related_name="pix")
    end_to_end_id = models.CharField(max_length=32)
    txid = models.CharField(max_length=35, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    paid_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=clock.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "end_to_end_id"], name="pix_e2e_unique"),
        ]

    def __str__(self) -> str:
        return self.end_to_end_id


class CreditWallet(TimeStampedModel):
    """An agent's credits. `balance` is the sum of its entries; never negative."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    balance = models.IntegerField(default=0)

    class Meta:
        verbose_name = "carteira de créditos"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "owner"], name="wallet_owner_unique"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="wallet_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Créditos de {self.owner_id}: {self.balance}"


class CreditEntry(models.Model):
    """An append-only ledger line: +N bought or granted, -1 spent on a subject."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", "Compra"
        GRANT = "grant", "Concessão"
        SPEND = "spend", "Uso"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    wallet = models.ForeignKey(CreditWallet, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    delta = models.IntegerField()
    balance_after = models.IntegerField()
    reference = models.CharField(max_length=120)
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["wallet", "reference"], name="credit_reference_unique"),
            models.CheckConstraint(condition=~Q(delta=0), name="credit_delta_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="credit_after_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delta:+d} ({self.reference})"
