"""Index tables, calculations (drafts until saved), cases and their events."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.core import clock
from formaliza.core.models import TimeStampedModel


class IndexTable(models.Model):
    """One imported version of an index table file (indices.py). Platform-wide data: the INSS
    indices are the same for every tenant. Exactly one version is active."""

    name = models.CharField(max_length=60)
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    synthetic = models.BooleanField()
    source = models.TextField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()  # the file as imported
    is_active = models.BooleanField(default=False)
    imported_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "tabela de índices"
        verbose_name_plural = "tabelas de índices"
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="index_table_version_unique"),
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_index_table",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class CaseStatus(models.TextChoices):
    CALCULATED = "calculated", "Calculado"
    REGISTERED = "registered", "Cadastrado"
    DOCS_IN_REVIEW = "docs_in_review", "Documentos em análise"
    DOCS_PENDING = "docs_pending", "Documentos com pendência"
    DOCS_APPROVED = "docs_approved", "Documentos aprovados (falta o e-mail)"
    AWAITING_PAYMENT = "awaiting_payment", "Aguardando pagamento"
    PAID = "paid", "Pago"
    FILING_REQUESTED = "filing_requested", "Atermação solicitada"
    FILED = "filed", "Protocolado"
    CANCELLED = "cancelled", "Cancelado"


# Up to AWAITING_PAYMENT the status follows the client's data and documents (case_progress);
# from PAID on only explicit steps move it.
PRE_PAYMENT = (
    CaseStatus.CALCULATED, CaseStatus.REGISTERED, CaseStatus.DOCS_IN_REVIEW,
    CaseStatus.DOCS_PENDING, CaseStatus.DOCS_APPROVED, CaseStatus.AWAITING_PAYMENT,
)  # fmt: skip


class Calculation(TimeStampedModel):
    """One revision calculation. Every run is stored at once as a draft (never lost when the
    person navigates away); saving it makes (or belongs to) a case."""

    class Origin(models.TextChoices):
        AGENT = "agent", "Agente"
        SELF_SERVICE = "self_service", "Autoatendimento"
        API = "api", "API"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_calculations"
    )
    client = models.ForeignKey("cases.CaseClient", on_delete=models.SET_NULL, null=True, blank=True)
    origin = models.CharField(max_length=14, choices=Origin.choices, default=Origin.AGENT)
    label = models.CharField("identificação do rascunho", max_length=120, blank=True)
    calculator = models.CharField(max_length=60)
    index_table = models.ForeignKey(IndexTable, on_delete=models.PROTECT)
    input = models.JSONField()
    history_text = models.TextField(blank=True)  # the lines as typed/pasted/imported
    result = models.JSONField()
    outcome = models.CharField(max_length=16)
    new_rmi = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    monthly_difference = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    arrears = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "cálculo"
        indexes = [models.Index(fields=["tenant", "agent", "saved_at", "discarded_at"])]

    def __str__(self) -> str:
        return f"Cálculo {self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.saved_at is None and self.discarded_at is None


class Case(TimeStampedModel):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    number = models.CharField("número", max_length=20)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases"
    )
    client = models.ForeignKey("cases.CaseClient", on_delete=models.PROTECT, related_name="cases")
    calculation = models.OneToOneField(Calculation, on_delete=models.PROTECT, related_name="case")
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.CALCULATED
    )
    status_since = models.DateTimeField(default=clock.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_source = models.CharField(max_length=40, blank=True)
    payment_reference = models.CharField(max_length=120, blank=True)
    filing_requested_at = models.DateTimeField(null=True, blank=True)
    protocol_number = models.CharField("número do processo", max_length=25, blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "caso"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="case_number_unique"),
        ]
        indexes = [
            models.Index(fields=["tenant", "agent", "status"]),
            models.Index(fields=["tenant", "status", "filing_requested_at"]),
        ]

    def __str__(self) -> str:
        return f"Caso {self.number}"


class CaseEvent(models.Model):
    """An explicit event of a case (status changes, documents, payment, filing), with its
    time and author. Append-only."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor_kind = models.CharField(max_length=10)  # user | client | api_key | system
    actor_label = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"


class CaseNotification(models.Model):
    """A message the cases app put in the conversations outbox (or why it could not)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, related_name="notifications"
    )
    client = models.ForeignKey("cases.CaseClient", on_delete=models.CASCADE, null=True)
    kind = models.CharField(max_length=40)
    recipient = models.CharField(max_length=10)  # client | agent
    channel_kind = models.CharField(max_length=10)  # whatsapp | email
    address = models.CharField(max_length=254)
    message_id = models.BigIntegerField(null=True)
    refusal = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.channel_kind})"


class ClientAccessLink(models.Model):
    """A link that opens a client's documents page on the phone (sent with a rejection, say).
    Only a SHA-256 of the token is stored."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    client = models.ForeignKey("cases.CaseClient", on_delete=models.CASCADE)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Acesso do cliente {self.client_id}"


class EmailChallenge(models.Model):
    """A one-time code sent to an e-mail an agent already registered, so that only its owner
    joins that record from the self-service link."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    client = models.ForeignKey("cases.CaseClient", on_delete=models.CASCADE)
    calculation = models.ForeignKey(Calculation, on_delete=models.CASCADE)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Código para o cliente {self.client_id}"
