import json
import uuid

import pytest

from formaliza.accounts.services import api_key_revoke
from formaliza.proposals.models import ActivityChange, Proposal
from formaliza.proposals.tests.helpers import typed

URL = "/api/v1/proposals"


def post(client, kit, url, body, **headers):
    return client.post(
        url, data=json.dumps(body), content_type="application/json", **kit.api_headers(**headers)
    )


def api_input(make_input, **overrides):
    """What an integrator sends: ISO dates and decimal strings (pt-BR forms also accepted)."""
    data = make_input(**overrides)
    data["installments"] = int(data["installments"])
    return data


def test_create_returns_201_with_normalized_fields(client, kit, make_input):
    body = api_input(
        make_input,
        cpf="52998224725",
        external_id="ERP-77",
        income="2500.50",
        birth_date="1958-04-30",
    )
    response = post(client, kit, URL, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["activity"] == "DIGITACAO"
    assert data["number"] == "00000001"
    assert data["fields"]["cpf"] == "52998224725"
    assert data["fields"]["income"] == "2500.50"
    assert data["fields"]["birth_date"] == "1958-04-30"
    assert data["fields"]["agreement"] == "902817"
    assert data["fields"]["external_id"] == "ERP-77"
    assert Proposal.objects.get().created_via == "api"
    change = ActivityChange.objects.get()
    assert (change.actor_kind, change.actor_api_key) == ("api_key", kit.api_key)


def test_invalid_fields_give_stable_codes_and_nothing_saved(client, kit, make_input):
    body = api_input(make_input, cpf="111.111.111-11", mobile="(11) 3265-4321")
    response = post(client, kit, URL, body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    codes = {f["field"]: f["code"] for f in error["fields"]}
    assert codes["cpf"] == "invalid_cpf"
    assert codes["mobile"] == "not_a_mobile"
    assert Proposal.objects.count() == 0


def test_malformed_body_is_invalid_request(client, kit):
    response = post(client, kit, URL, {"installments": "muitas"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    response = client.post(
        URL, data="{not json", content_type="application/json", **kit.api_headers()
    )
    assert response.status_code in (400, 422)
    assert "error" in response.json()


@pytest.mark.parametrize(
    "headers", [{}, {"HTTP_X_API_KEY": "fz_nope_nope"}, {"HTTP_AUTHORIZATION": "Bearer x"}]
)
def test_requests_without_a_valid_key_are_401(client, db, headers):
    response = client.get(URL, **headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_bearer_header_works_and_revoked_key_stops_working(client, kit):
    ok = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {kit.api_key_plain}")
    assert ok.status_code == 200
    api_key_revoke(tenant=kit.tenant, key_id=kit.api_key.pk)
    assert client.get(URL, **kit.api_headers()).status_code == 401


def test_list_filters_and_paginates(client, kit, make_input):
    a, b = typed(kit, make_input, count=2)
    (c,) = typed(kit, make_input)
    response = client.get(URL, {"cpf": a.cpf_display}, **kit.api_headers())
    assert {item["id"] for item in response.json()["items"]} == {str(a.pk), str(b.pk)}
    response = client.get(URL, {"number": c.number}, **kit.api_headers())
    assert [item["id"] for item in response.json()["items"]] == [str(c.pk)]
    response = client.get(URL, {"page_size": 2, "page": 2}, **kit.api_headers())
    body = response.json()
    assert (body["count"], len(body["items"])) == (3, 1)
    response = client.get(URL, {"activity": "REPROVADA"}, **kit.api_headers())
    assert response.json()["count"] == 0
    response = client.get(URL, {"activity": "NAO_EXISTE"}, **kit.api_headers())
    assert response.status_code == 422


def test_decide_and_history(client, kit, make_input):
    (p,) = typed(kit, make_input)
    response = post(
        client, kit, f"{URL}/{p.pk}/decisions", {"decision": "approve", "observation": "ok"}
    )
    assert response.status_code == 200
    assert response.json()["proposal"]["activity"] == "APROVA_INICIO_FLUXO_ASS"
    response = post(client, kit, f"{URL}/{p.pk}/decisions", {"decision": "approve"})
    body = response.json()
    assert body["formalization"]["proposal_ids"] == [str(p.pk)]
    assert body["proposal"]["activity"] == "AGUARDA_FORMALIZACAO_DIGITAL"
    assert body["proposal"]["open_formalization_id"] == body["formalization"]["id"]
    history = client.get(f"{URL}/{p.pk}/history", **kit.api_headers()).json()
    assert [h["decision"] for h in history] == [
        "create",
        "approve",
        "approve",
        "formalization_opened",
    ]
    formalization = client.get(
        f"/api/v1/formalizations/{body['formalization']['id']}", **kit.api_headers()
    )
    assert formalization.json()["status"] == "open"


def test_illegal_transition_is_409_with_code(client, kit, make_input):
    (p,) = typed(kit, make_input)
    post(
        client, kit, f"{URL}/{p.pk}/decisions", {"decision": "reject", "observation": "sem margem"}
    )
    response = post(client, kit, f"{URL}/{p.pk}/decisions", {"decision": "approve"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "activity_final"


def test_another_tenants_records_are_404_on_every_endpoint(client, kit, other_kit, make_input):
    (p,) = typed(kit, make_input)
    (q,) = typed(kit, make_input)
    from formaliza.proposals.tests.helpers import decide

    decide(kit, q, "approve")
    request = decide(kit, q, "approve").formalization
    foreign = other_kit.api_headers()
    assert client.get(f"{URL}/{p.pk}", **foreign).status_code == 404
    assert client.get(f"{URL}/{p.pk}/history", **foreign).status_code == 404
    response = client.post(
        f"{URL}/{p.pk}/decisions", data=json.dumps({"decision": "approve"}),
        content_type="application/json", **foreign,
    )  # fmt: skip
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "proposal_not_found"
    assert client.get(f"/api/v1/formalizations/{request.pk}", **foreign).status_code == 404
    assert client.get(URL, **foreign).json()["count"] == 0
    assert client.get(URL, {"cpf": p.cpf}, **foreign).json()["count"] == 0
    p.refresh_from_db()
    assert p.activity == "DIGITACAO"


def test_unknown_or_malformed_ids_are_404(client, kit):
    assert client.get(f"{URL}/{uuid.uuid4()}", **kit.api_headers()).status_code == 404
    assert client.get(f"{URL}/not-a-uuid", **kit.api_headers()).status_code == 404


def test_idempotency_key_replays_the_first_answer(client, kit, make_input):
    body = api_input(make_input)
    first = post(client, kit, URL, body, HTTP_IDEMPOTENCY_KEY="abc-1")
    again = post(client, kit, URL, body, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Proposal.objects.count() == 1


def test_idempotency_key_with_another_body_is_refused(client, kit, make_input):
    post(client, kit, URL, api_input(make_input), HTTP_IDEMPOTENCY_KEY="k")
    response = post(client, kit, URL, api_input(make_input), HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Proposal.objects.count() == 1


def test_idempotency_keys_are_per_api_key(client, kit, other_kit, make_input):
    body = api_input(make_input)
    assert post(client, kit, URL, body, HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert post(client, other_kit, URL, body, HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert Proposal.objects.count() == 2


def test_idempotent_decision_is_applied_once(client, kit, make_input):
    (p,) = typed(kit, make_input)
    url = f"{URL}/{p.pk}/decisions"
    first = post(client, kit, url, {"decision": "approve"}, HTTP_IDEMPOTENCY_KEY="d1")
    again = post(client, kit, url, {"decision": "approve"}, HTTP_IDEMPOTENCY_KEY="d1")
    assert first.json() == again.json()
    p.refresh_from_db()
    assert (p.activity, p.approved_in_activity) == ("APROVA_INICIO_FLUXO_ASS", False)


def test_failed_request_is_replayed_too_without_side_effects(client, kit, make_input):
    body = api_input(make_input, cpf="123")
    first = post(client, kit, URL, body, HTTP_IDEMPOTENCY_KEY="bad")
    again = post(client, kit, URL, body, HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == again.status_code == 422
    assert Proposal.objects.count() == 0


def test_openapi_and_docs_are_published(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/proposals" in spec["paths"]
    schema = spec["components"]["schemas"]["ProposalIn"]["properties"]
    assert schema["operation_type"]["enum"] == [
        "NOVA",
        "REFINANCIAMENTO",
        "PORTABILIDADE",
        "CARTAO",
    ]
    assert client.get("/api/docs").status_code == 200
