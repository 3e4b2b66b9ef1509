"""The triage API over HTTP: upsert by external id, lists, outcomes, another tenant → 404."""

from __future__ import annotations

import json

from formaliza.triage.models import CertificateOrder, ContactAttempt
from formaliza.triage.tests.helpers import make_order

ORDER = {
    "external_id": "LOJA-123", "client_name": "Ana Souza", "product": "e-CNPJ A1",
    "client_document": "11.222.333/0001-81", "client_phone": "(11) 98765-4321",
    "payment_status": "paid", "documents_status": "pending",
}  # fmt: skip


def post(client, kit, path, body, **headers):
    return client.post(
        path, data=json.dumps(body), content_type="application/json", **kit.api_headers(**headers)
    )


def test_upsert_is_idempotent_by_external_id(kit, client):
    first = post(client, kit, "/api/v1/triage/orders", ORDER)
    again = post(client, kit, "/api/v1/triage/orders", ORDER)
    paid = post(client, kit, "/api/v1/triage/orders", {**ORDER, "documents_status": "received"})
    assert first.status_code == 201 and first.json()["created"]
    assert first.json()["worklist"] == "documentos"
    assert first.json()["next_step"]["label"] == "Ligar para solicitar documentos"
    assert first.json()["client_phone"] == "+5511987654321"
    assert again.status_code == 200 and not again.json()["created"]
    assert paid.json()["worklist"] == "agendar" and paid.json()["id"] == first.json()["id"]
    assert CertificateOrder.objects.filter(tenant=kit.tenant).count() == 1
    events = client.get(f"/api/v1/triage/orders/{first.json()['id']}/events", **kit.api_headers())
    assert [e["kind"] for e in events.json()] == [
        "list_changed",
        "updated",
        "list_changed",
        "created",
    ]


def test_bad_order_gets_stable_codes_and_writes_nothing(kit, client):
    bad = post(client, kit, "/api/v1/triage/orders", {**ORDER, "client_document": "123"})
    wrong_type = post(client, kit, "/api/v1/triage/orders", {**ORDER, "payment_status": "x"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "validation_failed"
    assert bad.json()["error"]["fields"][0]["field"] == "client_document"
    assert wrong_type.status_code == 422 and wrong_type.json()["error"]["code"] == "invalid_request"
    assert not CertificateOrder.objects.exists()


def test_lists_with_counts_and_orders(kit, client):
    make_order(kit.tenant, "pagamentos")
    make_order(kit.tenant, "pagamentos")
    make_order(kit.tenant, "reagendar")
    counts = client.get("/api/v1/triage/worklists", **kit.api_headers()).json()
    assert [(c["worklist"], c["total"]) for c in counts] == [
        ("reagendar", 1), ("documentos", 0), ("pagamentos", 2), ("agendar", 0),
    ]  # fmt: skip
    listed = client.get("/api/v1/triage/orders?worklist=pagamentos", **kit.api_headers()).json()
    assert len(listed) == 2 and listed[0]["next_step"]["kind"] == "message"
    unknown = client.get("/api/v1/triage/orders?worklist=outra", **kit.api_headers())
    assert unknown.status_code == 422


def test_record_a_contact_and_its_outcome(kit, client):
    order = make_order(kit.tenant, "agendar")
    made = post(client, kit, f"/api/v1/triage/orders/{order.pk}/contacts",
                {"kind": "message", "channel": "whatsapp", "outcome": "sem_resposta"})  # fmt: skip
    missing = post(client, kit, f"/api/v1/triage/orders/{order.pk}/outcome",
                   {"outcome": "sem_resposta"})  # fmt: skip
    assert made.status_code == 201 and made.json()["outcome"] == "sem_resposta"
    assert missing.status_code == 409
    assert missing.json()["error"]["code"] == "triage_no_pending_contact"
    got = client.get(f"/api/v1/triage/orders/{order.pk}", **kit.api_headers()).json()
    assert got["next_step"]["kind"] == "call" and got["follow_up_at"] is not None
    assert got["seconds_since_last_contact"] is not None


def test_assignment(kit, client, other_kit):
    order = make_order(kit.tenant, "agendar")
    operator = kit.users["operator"]
    ok = post(client, kit, f"/api/v1/triage/orders/{order.pk}/assignment", {"user_id": operator.pk})
    foreign = post(client, kit, f"/api/v1/triage/orders/{order.pk}/assignment",
                   {"user_id": other_kit.users["operator"].pk})  # fmt: skip
    assert ok.status_code == 200 and ok.json()["assigned_to_id"] == operator.pk
    assert foreign.status_code == 422
    assert foreign.json()["error"]["code"] == "triage_assignee_invalid"


def test_another_tenants_order_is_404_and_untouched(kit, other_kit, client):
    order = make_order(kit.tenant, "agendar")
    base = f"/api/v1/triage/orders/{order.pk}"
    answers = [
        client.get(base, **other_kit.api_headers()),
        client.get(f"{base}/events", **other_kit.api_headers()),
        post(client, other_kit, f"{base}/contacts", {"kind": "call", "outcome": "cancelado"}),
        post(client, other_kit, f"{base}/outcome", {"outcome": "cancelado"}),
        post(client, other_kit, f"{base}/contacts", {"kind": "nope"}),
    ]
    assert [a.status_code for a in answers] == [404] * 5
    assert answers[0].json()["error"]["code"] == "triage_order_not_found"
    listed = client.get("/api/v1/triage/orders?worklist=agendar", **other_kit.api_headers())
    assert listed.json() == []
    # The other tenant's upsert with the same external id makes its own order.
    post(client, other_kit, "/api/v1/triage/orders", {**ORDER, "external_id": order.external_id})
    order.refresh_from_db()
    assert (
        order.client_name != "Ana Souza" and not ContactAttempt.objects.filter(order=order).exists()
    )


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/triage/orders", "/api/v1/triage/worklists",
            "/api/v1/triage/orders/{order_id}/contacts"} <= set(paths)  # fmt: skip


def test_import_over_the_api_is_all_or_nothing(kit, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = "pedido;cliente;produto;pagamento\nB-1;Bia Reis;e-CPF A1;pago\n"
    bad = good + "B-2;Caio;e-CPF A1;talvez\n"
    rejected = client.post("/api/v1/triage/imports", {
        "file": SimpleUploadedFile("p.csv", bad.encode())}, **kit.api_headers())  # fmt: skip
    assert rejected.status_code == 422
    body = rejected.json()["error"]
    assert body["code"] == "triage_import_invalid"
    assert body["errors"] == [
        {"row": 3, "column": "pagamento",
         "message": "Valor “talvez” inválido: use “pago” ou “pendente”."},
    ]  # fmt: skip
    assert not CertificateOrder.objects.exists()
    done = client.post("/api/v1/triage/imports", {
        "file": SimpleUploadedFile("p.csv", good.encode())}, **kit.api_headers())  # fmt: skip
    assert done.status_code == 201 and done.json()["created"] == 1


def test_slots_over_the_api(kit, other_kit, client):
    import datetime as dt

    from formaliza.core import clock

    when = (clock.now() + dt.timedelta(days=1)).replace(microsecond=0).isoformat()
    made = post(client, kit, "/api/v1/triage/slots", {"starts_at": when, "capacity": 2})
    again = post(client, kit, "/api/v1/triage/slots", {"starts_at": when, "capacity": 2})
    past = post(client, kit, "/api/v1/triage/slots", {"starts_at": "2020-01-01T10:00:00-03:00"})
    assert made.status_code == 201 and made.json()["capacity"] == 2
    assert again.status_code == 409 and again.json()["error"]["code"] == "triage_slot_exists"
    assert past.status_code == 422 and past.json()["error"]["fields"][0]["field"] == "starts_at"
    listed = client.get("/api/v1/triage/slots", **kit.api_headers()).json()
    assert [s["id"] for s in listed] == [made.json()["id"]]
    assert client.get("/api/v1/triage/slots", **other_kit.api_headers()).json() == []


def test_a_slot_with_an_offset_postgresql_refuses_is_stored_in_utc(kit, client):
    # Python accepts offsets up to ±23:59; PostgreSQL only ±15:59 (schemathesis found -17:31).
    made = post(
        client, kit, "/api/v1/triage/slots",
        {"starts_at": "2999-10-07T07:53:13-17:31", "capacity": 1},
    )  # fmt: skip
    assert made.status_code == 201, made.content
    assert made.json()["starts_at"].startswith("2999-10-08T01:24:13")
