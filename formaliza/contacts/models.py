from __future__ import annotations

import uuid

from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.core import br
from formaliza.core.models import TimeStampedModel


class Contact(TimeStampedModel):
    """A person (CPF) or company (CNPJ) the tenant deals with. A contact may have no document
    yet (someone who only wrote on WhatsApp)."""

    class Kind(models.TextChoices):
        PERSON = "person", "Pessoa física"
        COMPANY = "company", "Pessoa jurídica"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="contacts")
    # The "ID" the operators see and search by its first block (e.g. 155372b3).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    document = models.CharField("CPF/CNPJ", max_length=14, blank=True)
    name = models.CharField("nome", max_length=200, blank=True)
    # `name` folded for search (lower case, no accents, single spaces): kept by save(); what
    # the trigram index covers (see contacts/search.py and docs/contacts.md).
    name_search = models.CharField(max_length=200, blank=True, editable=False)
    birth_date = models.DateField("data de nascimento", null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "contato"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "document"],
                condition=~models.Q(document=""),
                name="contact_document_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "name"]),
            models.Index(fields=["tenant", "name_search"], name="contact_name_search"),
        ]

    def __str__(self) -> str:
        return self.name or self.document_display or f"Contato {self.pk}"

    def save(self, *args, **kwargs):
        from formaliza.contacts.folding import fold

        self.name_search = fold(self.name)[:200]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_search"}
        super().save(*args, **kwargs)

    @property
    def short_id(self) -> str:
        return str(self.public_id).split("-", 1)[0]

    @property
    def document_display(self) -> str:
        return br.document_format(self.document) if self.document else ""


class ContactPhone(TimeStampedModel):
    """A phone of a contact, keyed by E.164. `wa_id` is what WhatsApp calls the number, which in
    Brazil may be the legacy 8-digit mobile form."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    e164 = models.CharField(max_length=16)
    wa_id = models.CharField(max_length=20, blank=True)
    is_mobile = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "e164"], name="contact_phone_unique"),
        ]
        indexes = [
            models.Index(fields=["tenant", "e164"]),
            models.Index(fields=["tenant", "wa_id"]),
        ]

    def __str__(self) -> str:
        return br.phone_format(self.e164)


class ContactEmail(TimeStampedModel):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "address"], name="contact_email_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "address"], name="contact_email_tenant_address")]

    def __str__(self) -> str:
        return self.address
