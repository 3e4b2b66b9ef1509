"""Issue 12, items 5 and 12: what schemathesis and the attacker found, each pinned."""

from __future__ import annotations

import json

from django.test import Client

from formaliza.proposals.tests.helpers import typed

URL = "/api/v1/proposals"


def test_a_huge_page_is_refused_not_a_server_error(client, kit):
    response = client.get(f"{URL}?page=200000000000000000", **kit.api_headers())
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert response.json()["error"]["fields"][0]["field"] == "page"


def test_created_to_zero_is_refused_not_read_as_1970(client, kit):
    for bad in ("0", "1700000000", "03/12/2026"):
        response = client.get(f"{URL}?created_to={bad}", **kit.api_headers())
        assert response.status_code == 422, bad
        assert response.json()["error"]["fields"][0]["field"] == "created_to"
    assert client.get(f"{URL}?created_to=2026-12-03", **kit.api_headers()).status_code == 200


def test_bearer_works_and_is_documented(client, kit):
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {kit.api_key_plain}")
    assert response.status_code == 200
    spec = Client().get("/api/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} >= {"apiKey", "http"}
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    operation = spec["paths"]["/api/v1/proposals"]["get"]
    assert len(operation["security"]) == 2  # either header


def test_every_error_a_shared_piece_gives_is_documented(db):
    spec = Client().get("/api/openapi.json").json()
    verify = spec["paths"]["/api/v1/verify"]["post"]["responses"]
    assert {"200", "400", "413", "415", "422"} <= set(verify)
    by_code = spec["paths"]["/api/v1/verify/{code}"]["get"]["responses"]
    assert {"200", "404", "422"} <= set(by_code)
    decide = spec["paths"]["/api/v1/proposals/{proposal_id}/decisions"]["post"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(decide["responses"])
    assert "Idempotency-Key" in {p["name"] for p in decide["parameters"]}
    observation = spec["components"]["schemas"]["DecisionIn"]["properties"]["observation"]
    assert "cancel" in observation["description"]


def test_cancel_without_observation_is_a_documented_422(client, kit, make_input):
    (proposal,) = typed(kit, make_input)
    response = client.post(
        f"{URL}/{proposal.pk}/decisions", data=json.dumps({"decision": "cancel"}),
        content_type="application/json", **kit.api_headers(),
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "observation_required"


def test_another_tenants_id_is_404_whatever_the_body(client, kit, other_kit, make_input):
    (proposal,) = typed(kit, make_input)
    url = f"{URL}/{proposal.pk}/decisions"
    for body in ('{"decision": "cancel"}', "[]", '{"decision": "nope"}', "{not json"):
        response = client.post(
            url, data=body, content_type="application/json", **other_kit.api_headers()
        )
        assert response.status_code == 404, (body, response.content)
        assert response.json()["error"]["code"] == "not_found" or response.json()["error"][
            "code"
        ].endswith("not_found")
    # The owner still gets the body errors.
    response = client.post(url, data="[]", content_type="application/json", **kit.api_headers())
    assert response.status_code == 422


def test_a_nul_character_is_refused_before_the_database(client, kit):
    # PostgreSQL cannot hold U+0000 in text: a filter carrying it answered 500 there
    # (schemathesis on the PostgreSQL run). It is refused on both databases, nothing queried.
    response = client.get(f"{URL}?name=Jo%00ao", **kit.api_headers())
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed" and error["fields"][0]["field"] == "name"
    body = json.dumps({"decision": "approve", "observation": "ok\u0000"})
    posted = client.post(
        f"{URL}/x/decisions", body, content_type="application/json", **kit.api_headers()
    )
    assert posted.status_code == 422 and posted.json()["error"]["fields"][0]["field"] == "body"
    assert client.get(f"{URL}?name=Joao", **kit.api_headers()).status_code == 200


def test_no_two_api_schemas_share_a_name():
    """django-ninja names OpenAPI components by class name: two apps' `DecisionIn` would silently
    publish one of them for both endpoints (seen when cases added its own). Same name with the
    same shape is harmless."""
    import json

    from ninja import Schema

    from formaliza.api import api  # noqa: F401  (imports every app's router)

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    todo = list(Schema.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not cls.__module__.startswith("formaliza.") or ".tests" in cls.__module__:
            continue
        shape = json.dumps(cls.model_json_schema(), sort_keys=True)
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in seen and seen[cls.__name__][1] != shape:
            clashes.append((seen[cls.__name__][0], where))
        seen.setdefault(cls.__name__, (where, shape))
    assert not clashes, clashes
