"""The back-office pages: search, profile tabs; another tenant's contact is a 404."""

import pytest

from formaliza.acceptance.tests.helpers import person
from formaliza.accounts.roles import Role

TABS = ["informacoes", "documentos", "atividades", "aceite", "ar"]


@pytest.fixture
def maria(kit):
    return person(kit.tenant)


def test_search_page_finds_and_explains_invalid_cpf(kit, maria):
    client = kit.client_for(Role.OPERATOR)
    r = client.get("/contatos/", {"kind": "cpf", "q": "529.982.247-25"})
    assert r.status_code == 200 and "Maria Clara Souza" in r.content.decode()
    r = client.get("/contatos/", {"kind": "cpf", "q": "529.982.247-26"})
    assert r.status_code == 422 and "CPF inválido: confira os dígitos." in r.content.decode()


def test_search_page_caps_the_count(kit, monkeypatch):
    from formaliza.contacts import search
    from formaliza.contacts.models import Contact

    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for n in range(4):
        Contact.objects.create(tenant=kit.tenant, name=f"Rita Lee {n}")
    r = kit.client_for(Role.OPERATOR).get("/contatos/", {"kind": "nome", "q": "rita lee"})
    html = r.content.decode()
    assert "mais de 3 contatos: refine a busca" in html
    assert "Rita Lee 2" in html and "Rita Lee 3" not in html


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_renders(kit, maria, tab):
    r = kit.client_for(Role.OPERATOR).get(f"/contatos/{maria.public_id}/", {"aba": tab})
    assert r.status_code == 200
    assert f'id="tab-{tab}"' in r.content.decode()


def test_other_tenant_contact_is_404(kit, other_kit, maria):
    r = other_kit.client_for(Role.OPERATOR).get(f"/contatos/{maria.public_id}/")
    assert r.status_code == 404
    assert other_kit.client_for(Role.OPERATOR).get("/contatos/nao-e-uuid/").status_code == 404


@pytest.mark.parametrize("role", [Role.ATTENDANT, Role.AGENT, Role.CORRESPONDENT])
def test_roles_without_the_contact_base_are_refused(kit, maria, role):
    assert kit.client_for(role).get("/contatos/").status_code == 403
