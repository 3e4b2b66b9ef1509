from __future__ import annotations

import uuid

from django.db import models

from formaliza.accounts.models import ApiKey, Branch, Tenant, User
from formaliza.contacts.models import Contact
from formaliza.core import br
from formaliza.core.models import TimeStampedModel
from formaliza.proposals import activities
from formaliza.proposals import choices as c

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 4}


class CatalogEntry(TimeStampedModel):
    """The tenant's codes for agreements (convênios), employers, agencies, sales channels and
    products, as they appear on the typing screen (e.g. 902817 - INSS NOVO DIG)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="catalog")
    kind = models.CharField(max_length=20, choices=c.CatalogKind.choices)
    code = models.CharField("código", max_length=20)
    name = models.CharField("nome", max_length=120)
    module = models.CharField(max_length=10, choices=c.Module.choices, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "item de catálogo"
        verbose_name_plural = "catálogo"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kind", "code"], name="catalog_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"


class Proposal(TimeStampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="proposals")
    number = models.CharField("proposta", max_length=20)
    external_id = models.CharField(max_length=64, blank=True)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="proposals")
    typed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    created_via = models.CharField(max_length=10, default="ui")  # ui | api

    # Pipeline position
    activity = models.CharField(
        max_length=40, choices=c.Activity.choices, default=c.Activity.DIGITACAO
    )
    activity_since = models.DateTimeField()
    approved_in_activity = models.BooleanField(default=False)
    pending_from = models.CharField(max_length=40, blank=True)

    # Operation
    module = models.CharField(max_length=10, choices=c.Module.choices)
    agreement = models.ForeignKey(CatalogEntry, on_delete=models.PROTECT, related_name="+")
    operator_name = models.CharField(max_length=120, blank=True)
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, null=True, blank=True)
    employer = models.ForeignKey(CatalogEntry, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(CatalogEntry, on_delete=models.PROTECT, related_name="+")
    sales_channel = models.ForeignKey(CatalogEntry, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(CatalogEntry, on_delete=models.PROTECT, related_name="+")
    operation_type = models.CharField(max_length=20, choices=c.OperationType.choices)
    certified_professional_cpf = models.CharField(max_length=11, blank=True)

    # Beneficiary (as typed for this contract)
    cpf = models.CharField(max_length=11)
    registration = models.CharField(max_length=30, blank=True)
    name = models.CharField(max_length=150)
    birth_date = models.DateField()
    benefit_code = models.CharField(max_length=20, blank=True)
    doc_type = models.CharField(max_length=12, choices=c.DocType.choices)
    doc_number = models.CharField(max_length=30)
    doc_issuer = models.CharField(max_length=20)
    doc_issue_date = models.DateField()
    doc_uf = models.CharField(max_length=2)
    sex = models.CharField(max_length=1, choices=c.Sex.choices)
    marital_status = models.CharField(max_length=15, choices=c.MaritalStatus.choices)
    nationality = models.CharField(max_length=12, choices=c.Nationality.choices)
    birthplace_city = models.CharField(max_length=80, blank=True)
    birthplace_uf = models.CharField(max_length=2, blank=True)
    other_nationality = models.CharField(max_length=60, blank=True)
    mother_name = models.CharField(max_length=150)
    father_name = models.CharField(max_length=150, blank=True)
    spouse_name = models.CharField(max_length=150, blank=True)
    income = models.DecimalField(**MONEY)
    assets_value = models.DecimalField(**MONEY, null=True, blank=True)
    is_pep = models.BooleanField(default=False)
    consignable_margin = models.DecimalField(**MONEY)
    rmc_value = models.DecimalField(**MONEY, null=True, blank=True)
    activity_branch = models.CharField(max_length=80, blank=True)
    profession = models.CharField(max_length=80, blank=True)
    email = models.EmailField(blank=True)

    # Attorney
    has_attorney = models.BooleanField(default=False)
    attorney_public_deed = models.BooleanField(default=False)
    attorney_cpf = models.CharField(max_length=11, blank=True)
    attorney_name = models.CharField(max_length=150, blank=True)
    attorney_birth_date = models.DateField(null=True, blank=True)

    # Addresses
    res_uf = models.CharField(max_length=2)
    res_cep = models.CharField(max_length=8)
    res_street = models.CharField(max_length=150)
    res_number = models.CharField(max_length=10)
    res_complement = models.CharField(max_length=60, blank=True)
    res_district = models.CharField(max_length=80)
    res_city = models.CharField(max_length=80)
    com_uf = models.CharField(max_length=2, blank=True)
    com_cep = models.CharField(max_length=8, blank=True)
    com_street = models.CharField(max_length=150, blank=True)
    com_number = models.CharField(max_length=10, blank=True)
    com_complement = models.CharField(max_length=60, blank=True)
    com_district = models.CharField(max_length=80, blank=True)
    com_city = models.CharField(max_length=80, blank=True)

    # Phones (E.164)
    landline = models.CharField(max_length=16, blank=True)
    mobile = models.CharField(max_length=16)
    mobile2 = models.CharField(max_length=16, blank=True)
    formalization_phone_choice = models.CharField(
        max_length=8, choices=c.FormalizationPhone.choices, default=c.FormalizationPhone.MOBILE
    )
    formalization_phone = models.CharField(max_length=16)

    # Financial terms
    requested_amount = models.DecimalField(**MONEY)
    released_amount = models.DecimalField(**MONEY)
    installment_value = models.DecimalField(**MONEY)
    installments = models.PositiveSmallIntegerField()
    monthly_rate = models.DecimalField(**RATE)
    cet_monthly = models.DecimalField(**RATE)
    cet_annual = models.DecimalField(**RATE, null=True, blank=True)
    iof_amount = models.DecimalField(**MONEY)
    first_due_date = models.DateField()

    class Meta:
        verbose_name = "proposta"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="proposal_number_unique"),
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="proposal_external_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "activity", "-created_at"]),
            models.Index(fields=["tenant", "cpf"]),
            models.Index(fields=["tenant", "-created_at"]),
            models.Index(fields=["tenant", "name"]),
            models.Index(fields=["contact", "activity"]),
        ]

    def __str__(self) -> str:
        return f"Proposta {self.number}"

    @property
    def situation(self) -> str:
        return activities.SITUATION[self.activity]

    @property
    def is_final(self) -> bool:
        return self.activity in activities.FINAL

    @property
    def cpf_display(self) -> str:
        return br.cpf_format(self.cpf)


class FormalizationRequest(TimeStampedModel):
    """One signature for all of a client's approved proposals: what the journeys app consumes."""

    class Status(models.TextChoices):
        OPEN = "open", "Aberta"
        COMPLETED = "completed", "Concluída"
        CANCELLED = "cancelled", "Cancelada"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="formalizations")
    number = models.CharField(max_length=20)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="formalizations")
    cpf = models.CharField(max_length=11)
    phone = models.CharField(max_length=16)  # E.164 formalization mobile
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    proposals = models.ManyToManyField(Proposal, related_name="formalizations")
    opened_by = models.CharField(max_length=150)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "formalização"
        verbose_name_plural = "formalizações"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "phone", "cpf"],
                condition=models.Q(status="open"),
                name="one_open_formalization_per_phone_and_cpf",
            ),
            models.UniqueConstraint(
                fields=["tenant", "number"], name="formalization_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"Formalização {self.number}"


class ActivityChange(models.Model):
    """History of a proposal: every change with who, when, decision and observation."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="history")
    from_activity = models.CharField(max_length=40, blank=True)
    to_activity = models.CharField(max_length=40)
    decision = models.CharField(max_length=30, choices=c.Decision.choices)
    observation = models.TextField(blank=True)
    actor_kind = models.CharField(max_length=10)  # user | api_key | system
    actor_user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    actor_api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True)
    actor_label = models.CharField(max_length=150)
    formalization = models.ForeignKey(
        FormalizationRequest, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_activity} -> {self.to_activity}"

    @property
    def to_activity_label(self) -> str:
        return c.Activity(self.to_activity).label

    @property
    def from_activity_label(self) -> str:
        return c.Activity(self.from_activity).label if self.from_activity else ""
