"""The agents' clients ("Meus clientes"): create and edit, with Brazilian validation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from formaliza.accounts.models import Tenant, User
from formaliza.cases.events import Who
from formaliza.cases.models import CaseClient
from formaliza.cases.services.progress import client_cases_progress
from formaliza.contacts.services import contact_upsert_person
from formaliza.core import br, clock
from formaliza.core.errors import FieldErrors


@dataclass(frozen=True)
class ClientInput:
    name: str = ""
    cpf: str = ""
    email: str = ""
    phone: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    cep: str = ""
    street: str = ""
    number: str = ""
    complement: str = ""
    district: str = ""
    city: str = ""
    uf: str = ""


def client_clean(data: ClientInput, *, require_email: bool = False) -> dict:
    """Normalized values, or ValidationFailed with every bad field (pt-BR)."""
    errors, values = FieldErrors(), {}
    name = " ".join((data.name or "").split())
    if len(name) < 3:
        errors.add("name", "required", "Informe o nome completo do cliente.")
    values["name"] = name[:200]
    values["cpf"] = ""
    if data.cpf.strip():
        values["cpf"] = br.cpf_normalize(data.cpf) or ""
        if not values["cpf"]:
            errors.add("cpf", "invalid_cpf", "CPF inválido: confira os 11 dígitos.")
    email = (data.email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.add("email", "invalid_email", "E-mail inválido.")
    elif require_email:
        errors.add("email", "required", "Informe o e-mail do cliente.")
    if len(email) > 254:
        errors.add("email", "invalid_email", "E-mail longo demais.")
    values["email"] = email[:254]
    values["phone"] = ""
    if data.phone.strip():
        phone = br.phone_parse(data.phone)
        if phone is None or not phone.is_mobile:
            errors.add(
                "phone",
                "invalid_phone",
                "Celular inválido: informe DDD e número (ex.: (11) 98765-4321).",
            )
        else:
            values["phone"] = phone.e164
    if data.birth_date and data.birth_date >= clock.today():
        errors.add("birth_date", "invalid_date", "Data de nascimento inválida.")
    values["birth_date"] = data.birth_date
    values["cep"] = ""
    if data.cep.strip():
        values["cep"] = br.cep_normalize(data.cep) or ""
        if not values["cep"]:
            errors.add("cep", "invalid_cep", "CEP inválido: use 8 dígitos.")
    uf = (data.uf or "").strip().upper()
    if uf and uf not in br.UFS:
        errors.add("uf", "invalid_uf", "UF inválida.")
    if data.sex and data.sex not in ("F", "M"):
        errors.add("sex", "invalid_sex", "Sexo inválido.")
    errors.raise_if_any()
    for key, limit in (
        ("street", 200),
        ("number", 20),
        ("complement", 80),
        ("district", 80),
        ("city", 80),
    ):
        values[key] = " ".join((getattr(data, key) or "").split())[:limit]
    values["uf"], values["sex"] = uf, data.sex
    return values


def _link_contact(client: CaseClient) -> None:
    """The contact base knows the person by CPF (seed 002); the client points at it."""
    if not client.cpf:
        return
    phones = [p for p in [br.phone_parse(client.phone)] if p is not None]
    contact = contact_upsert_person(
        tenant=client.tenant, cpf=client.cpf, name=client.name, birth_date=client.birth_date,
        phones=phones, emails=[client.email] if client.email else [],
    )  # fmt: skip
    if client.contact_id != contact.pk:
        client.contact = contact
        client.save(update_fields=["contact", "updated_at"])


@transaction.atomic
def client_create(
    *, tenant: Tenant, agent: User, data: ClientInput, who: Who,
    origin: str = CaseClient.Origin.AGENT,
) -> CaseClient:  # fmt: skip
    values = client_clean(data)
    client = CaseClient.objects.create(tenant=tenant, agent=agent, origin=origin, **values)
    _link_contact(client)
    return client


@transaction.atomic
def client_update(
    *, client: CaseClient, data: ClientInput, who: Who, fill_only: bool = False
) -> CaseClient:
    """Save the edited data and move the client's cases on. `fill_only` (a client joining a
    record from the self-service link) changes only what the client typed."""
    client = CaseClient.objects.select_for_update().get(pk=client.pk)
    if fill_only:
        current = {f.name: getattr(client, f.name) for f in dataclasses.fields(ClientInput)}
        typed = {k: v for k, v in dataclasses.asdict(data).items() if v not in ("", None)}
        data = ClientInput(**{**current, **typed})
    values = client_clean(data)
    if values["email"] != client.email:
        client.email_verified_at = None
    for key, value in values.items():
        setattr(client, key, value)
    client.save()
    _link_contact(client)
    client_cases_progress(client=client, who=who)
    return client
