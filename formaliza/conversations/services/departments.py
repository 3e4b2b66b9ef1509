"""Departments (setores): the queues the bot hands conversations to."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from formaliza.accounts.models import Tenant
from formaliza.conversations.models import Department
from formaliza.core.errors import ApplicationError, NotFound

DEFAULT_DEPARTMENTS = ["Formalização", "Suporte", "Financeiro"]


def department_save(*, tenant: Tenant, name: str, department_id: int | None = None) -> Department:
    """Create a department, or rename one of the tenant's. Names are unique per tenant
    (case-insensitive)."""
    name = " ".join(name.split())
    if not name:
        raise ApplicationError("department_name_required", "Informe o nome do setor.")
    # Compared in Python: SQLite's case-insensitive match folds ASCII only ("Ç" != "ç"), and a
    # tenant has a handful of departments.
    others = Department.objects.filter(tenant=tenant).exclude(pk=department_id)
    if any(n.casefold() == name.casefold() for n in others.values_list("name", flat=True)):
        raise ApplicationError("department_exists", f'Já existe o setor "{name}".')
    try:
        with transaction.atomic():
            if department_id is None:
                return Department.objects.create(tenant=tenant, name=name)
            department = Department.objects.filter(tenant=tenant, pk=department_id).first()
            if department is None:
                raise NotFound("Setor")
            department.name = name
            department.save(update_fields=["name", "updated_at"])
            return department
    except IntegrityError:  # a concurrent create with the same name
        raise ApplicationError("department_exists", f'Já existe o setor "{name}".') from None


def department_set_active(*, tenant: Tenant, department_id: int, active: bool) -> Department:
    """Deactivate (no new transfers; conversations already in its queue stay) or reactivate."""
    department = Department.objects.filter(tenant=tenant, pk=department_id).first()
    if department is None:
        raise NotFound("Setor")
    department.is_active = active
    department.save(update_fields=["is_active", "updated_at"])
    return department


def departments_defaults_ensure(*, tenant: Tenant) -> int:
    created = 0
    for name in DEFAULT_DEPARTMENTS:
        _, was_created = Department.objects.get_or_create(tenant=tenant, name=name)
        created += was_created
    return created
