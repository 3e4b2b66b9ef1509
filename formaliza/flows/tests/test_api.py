"""The flows API: list, versions, import (with the pt-BR problem list), export, publish and
rollback — tenant-scoped, with the API's error shape and idempotency keys."""

from __future__ import annotations

import json

from formaliza.flows.models import Flow
from formaliza.flows.testing import card, flow

URL = "/api/v1/flows"


def sample(key: str = "boas-vindas", text: str = "Olá, {{cliente}}!") -> dict:
    return flow(
        card("oi", "message", "desc", text=text),
        card("desc", "description", "fim"),
        card("fim", "end", text="Obrigado, protocolo {{protocolo}}."),
        key=key,
    )


def post(client, kit, url, body, **headers):
    return client.post(
        url, data=json.dumps(body), content_type="application/json", **kit.api_headers(**headers)
    )


def imported(client, kit, **overrides):
    response = post(client, kit, f"{URL}/import", {"document": sample(**overrides)})
    assert response.status_code == 201, response.content
    return response.json()


def test_import_publish_edit_publish_rollback_and_export(client, kit):
    data = imported(client, kit)
    assert data["flow"]["key"] == "boas-vindas" and data["flow"]["live_version"] is None
    first = post(client, kit, f"{URL}/boas-vindas/publish", {"note": "primeira"})
    assert first.status_code == 201 and first.json()["version"]["number"] == 1
    same = post(client, kit, f"{URL}/boas-vindas/publish", {})
    assert same.status_code == 200 and same.json()["created"] is False

    changed = {"document": sample(text="Oi de novo!"), "on_conflict": "update"}
    assert post(client, kit, f"{URL}/import", changed).status_code == 200
    assert post(client, kit, f"{URL}/boas-vindas/publish", {}).json()["version"]["number"] == 2

    back = post(client, kit, f"{URL}/boas-vindas/rollback", {"number": 1})
    assert back.status_code == 200 and back.json()["live"] is True
    versions = client.get(f"{URL}/boas-vindas/versions", **kit.api_headers()).json()
    assert [(v["number"], v["live"]) for v in versions] == [(2, False), (1, True)]
    again = post(client, kit, f"{URL}/boas-vindas/rollback", {"number": 1})
    assert again.status_code == 409 and again.json()["error"]["code"] == "flow_version_live"

    exported = client.get(f"{URL}/boas-vindas/export", **kit.api_headers())
    assert exported.status_code == 200
    assert 'filename="boas-vindas-v1.json"' in exported["Content-Disposition"]
    assert exported.json()["cards"][0]["settings"]["text"] == "Olá, {{cliente}}!"
    draft = client.get(f"{URL}/boas-vindas/export?draft=true", **kit.api_headers()).json()
    # A rollback restores the draft too (issue 12): the draft is version 1's document again.
    assert draft["cards"][0]["settings"]["text"] == "Olá, {{cliente}}!"
    listed = client.get(URL, **kit.api_headers()).json()
    assert [f["key"] for f in listed] == ["boas-vindas"] and listed[0]["live_version"] == 1


def test_an_invalid_file_gives_the_pt_br_problem_list_and_imports_nothing(client, kit):
    bad = sample()
    bad["cards"][0]["next"] = {"next": "nao-existe"}
    response = post(client, kit, f"{URL}/import", {"document": bad})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "flow_invalid"
    assert error["problems"] and all(p["message"] for p in error["problems"])
    assert error["problems"][0]["card"] == "oi"
    assert not Flow.objects.filter(tenant=kit.tenant).exists()


def test_bad_input_codes(client, kit):
    imported(client, kit)
    taken = post(client, kit, f"{URL}/import", {"document": sample()})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "flow_key_exists"
    assert post(client, kit, f"{URL}/import", {"document": "x"}).status_code == 422
    bad_number = post(client, kit, f"{URL}/boas-vindas/rollback", {"number": 0})
    assert bad_number.status_code == 422
    missing = post(client, kit, f"{URL}/boas-vindas/rollback", {"number": 7})
    assert missing.status_code == 404
    assert client.get(f"{URL}/nada", **kit.api_headers()).status_code == 404
    assert client.get(URL).status_code == 401


def test_import_is_idempotent_with_a_key(client, kit):
    first = post(client, kit, f"{URL}/import", {"document": sample()}, HTTP_IDEMPOTENCY_KEY="k1")
    again = post(client, kit, f"{URL}/import", {"document": sample()}, HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Flow.objects.filter(tenant=kit.tenant).count() == 1


def test_another_tenants_flow_is_404_whatever_the_body(client, kit, other_kit):
    imported(client, kit)
    for path, body in (("publish", {}), ("rollback", {"number": "x"}), ("rollback", [])):
        response = post(client, other_kit, f"{URL}/boas-vindas/{path}", body)
        assert response.status_code == 404, (path, response.content)
    for path in ("", "/versions", "/export"):
        assert client.get(f"{URL}/boas-vindas{path}", **other_kit.api_headers()).status_code == 404
    assert client.get(URL, **other_kit.api_headers()).json() == []
