"""Agents' settings and their clients ("Meus clientes")."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.core import br
from formaliza.core.models import TimeStampedModel


class AgentProfile(TimeStampedModel):
    """What the cases app keeps about an agent (a tenant user with the `agent` role): the
    WhatsApp number for notifications and the self-service registration link."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_profile"
    )
    phone = models.CharField("WhatsApp do agente", max_length=16, blank=True)
    # The public part of the registration link (/c/<token>/): shared freely by the agent, so
    # it identifies the agent but grants nothing by itself. Rotating it ends the old link.
    signup_token = models.CharField(max_length=32, unique=True)
    signup_enabled = models.BooleanField("link de cadastro ativo", default=True)

    class Meta:
        verbose_name = "perfil de agente"

    def __str__(self) -> str:
        return f"Agente {self.user_id}"


class CaseClient(TimeStampedModel):
    """A client of an agent. The same person may be two records (another agent, or the client
    registered with another e-mail): records are never merged silently."""

    class Origin(models.TextChoices):
        AGENT = "agent", "Cadastrado pelo agente"
        SELF_SERVICE = "self_service", "Autoatendimento"

    class Sex(models.TextChoices):
        FEMALE = "F", "Feminino"
        MALE = "M", "Masculino"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_clients"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True
    )
    origin = models.CharField(max_length=14, choices=Origin.choices, default=Origin.AGENT)
    name = models.CharField("nome completo", max_length=200)
    cpf = models.CharField("CPF", max_length=11, blank=True)
    email = models.EmailField("e-mail", blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    phone = models.CharField("celular (WhatsApp)", max_length=16, blank=True)
    birth_date = models.DateField("data de nascimento", null=True, blank=True)
    sex = models.CharField("sexo", max_length=1, choices=Sex.choices, blank=True)
    cep = models.CharField("CEP", max_length=8, blank=True)
    street = models.CharField("endereço", max_length=200, blank=True)
    number = models.CharField("número", max_length=20, blank=True)
    complement = models.CharField("complemento", max_length=80, blank=True)
    district = models.CharField("bairro", max_length=80, blank=True)
    city = models.CharField("cidade", max_length=80, blank=True)
    uf = models.CharField("UF", max_length=2, choices=br.UF_CHOICES, blank=True)

    REQUIRED_FOR_REGISTRATION = (
        "name", "cpf", "birth_date", "phone", "cep", "street", "number", "city", "uf",
    )  # fmt: skip

    class Meta:
        verbose_name = "cliente de caso"
        verbose_name_plural = "clientes de casos"
        indexes = [
            models.Index(fields=["tenant", "agent", "name"]),
            models.Index(fields=["tenant", "agent", "email"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def missing_fields(self) -> list[str]:
        return [name for name in self.REQUIRED_FOR_REGISTRATION if not getattr(self, name)]

    @property
    def is_registered(self) -> bool:
        return not self.missing_fields

    @property
    def cpf_display(self) -> str:
        return br.cpf_format(self.cpf) if self.cpf else ""

    @property
    def phone_display(self) -> str:
        return br.phone_format(self.phone)
