"""Setores: created, renamed and deactivated per tenant; a deactivated one takes no transfers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from formaliza.accounts.roles import Role
from formaliza.conversations.models import Department
from formaliza.conversations.services import departments_defaults_ensure

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"flows_system:{name}", args=args)


def test_create_rename_and_refuse_a_duplicate_name(kit):
    admin = kit.client_for(Role.ADMIN)
    assert admin.post(url("departments"), {"name": "  Cobrança   amigável "}).status_code == 302
    department = Department.objects.get(tenant=kit.tenant)
    assert department.name == "Cobrança amigável"
    response = admin.post(url("departments"), {"name": "COBRANÇA AMIGÁVEL"})
    assert response.status_code == 200
    assert "Já existe o setor" in response.content.decode()
    assert Department.objects.filter(tenant=kit.tenant).count() == 1
    admin.post(url("department_edit", department.pk), {"name": "Cobrança"})
    department.refresh_from_db()
    assert department.name == "Cobrança"
    assert "Cobrança" in admin.get(url("departments")).content.decode()


def test_deactivate_and_reactivate(kit):
    admin = kit.client_for(Role.ADMIN)
    departments_defaults_ensure(tenant=kit.tenant)
    support = Department.objects.get(tenant=kit.tenant, name="Suporte")
    admin.post(url("department_toggle", support.pk), {"active": "0"})
    support.refresh_from_db()
    assert support.is_active is False
    admin.post(url("department_toggle", support.pk), {"active": "1"})
    support.refresh_from_db()
    assert support.is_active is True


def test_another_tenants_department_is_not_found_and_the_list_is_the_tenants(kit, other_kit):
    departments_defaults_ensure(tenant=other_kit.tenant)
    theirs = Department.objects.filter(tenant=other_kit.tenant).first()
    admin = kit.client_for(Role.ADMIN)
    assert admin.get(url("department_edit", theirs.pk)).status_code == 404
    assert admin.post(url("department_edit", theirs.pk), {"name": "Meu"}).status_code == 404
    assert admin.post(url("department_toggle", theirs.pk), {"active": "0"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active and theirs.name != "Meu"
    assert "Financeiro" not in admin.get(url("departments")).content.decode()


def test_only_who_configures_channels_manages_departments(kit):
    assert kit.client_for(Role.OPERATOR).get(url("departments")).status_code == 403
    assert kit.client_for(Role.MANAGER).post(url("departments"), {"name": "X"}).status_code == 403
    assert not Department.objects.filter(tenant=kit.tenant).exists()
