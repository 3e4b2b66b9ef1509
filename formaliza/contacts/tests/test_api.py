"""/api/v1/contacts: the same search, tenant-scoped, stable error codes, in the OpenAPI."""

import pytest
from django.test import Client

from formaliza.contacts.models import Contact

CPF = "52998224725"


@pytest.fixture
def maria(kit):
    return Contact.objects.create(tenant=kit.tenant, name="Maria Clara", document=CPF)


def test_search_by_cpf(kit, maria):
    r = Client().get("/api/v1/contacts", {"q": "529.982.247-25", "type": "cpf"},
                     **kit.api_headers())  # fmt: skip
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 1 and body["more"] is False
    assert body["results"][0]["id"] == str(maria.public_id)
    assert body["results"][0]["short_id"] == str(maria.public_id)[:8]


def test_invalid_cpf_is_422_with_code(kit, maria):
    r = Client().get("/api/v1/contacts", {"q": "529.982.247-26", "type": "cpf"},
                     **kit.api_headers())  # fmt: skip
    assert r.status_code == 422
    assert r.json()["error"] == {
        "code": "cpf_invalid",
        "message": "CPF inválido: confira os dígitos.",
    }


def test_other_tenant_contact_is_404_and_not_found(kit, other_kit, maria):
    r = Client().get(f"/api/v1/contacts/{maria.public_id}", **other_kit.api_headers())
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = Client().get("/api/v1/contacts", {"q": CPF, "type": "cpf"}, **other_kit.api_headers())
    assert r.json()["total"] == 0
    assert (
        Client().get(f"/api/v1/contacts/{maria.public_id}", **kit.api_headers()).status_code == 200
    )


def test_without_key_is_401(db):
    assert Client().get("/api/v1/contacts", {"q": "x"}).status_code == 401


def test_in_openapi(kit):
    schema = Client().get("/api/openapi.json").json()
    assert "/api/v1/contacts" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/contacts"]["get"]["parameters"]}
    assert {"q", "type", "page"} <= params
    search_out = schema["components"]["schemas"]["SearchOut"]["properties"]
    assert search_out["more"]["type"] == "boolean"


def test_count_capped_says_more(kit, monkeypatch):
    from formaliza.contacts import search

    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for n in range(5):
        Contact.objects.create(tenant=kit.tenant, name=f"Rita Lee {n}")
    r = Client().get("/api/v1/contacts", {"q": "rita lee", "type": "nome"}, **kit.api_headers())
    body = r.json()
    assert (body["total"], body["more"], body["pages"], len(body["results"])) == (3, True, 1, 3)
