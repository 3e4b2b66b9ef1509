"""The cases API: tenant-scoped, stable error codes, the whole path over HTTP."""

from __future__ import annotations

import datetime as dt
import json

from formaliza.cases.models import CaseStatus, ClientDocument
from formaliza.cases.services import case_mark_paid
from formaliza.cases.tests.helpers import CPF, agent_of, approve_all, history, pdf_bytes, saved_case

CALC = {
    "label": "Ana", "rule": "ec103_aposentadoria", "dib": "2021-03-15", "first_payment": "2021-04-10",
    "granted_rmi": "1800.00", "birth_date": "1958-05-02", "sex": "F", "contribution_years": 30,
}  # fmt: skip


def post(client, kit, path, body, **headers):
    return client.post(
        path, data=json.dumps(body), content_type="application/json", **kit.api_headers(**headers)
    )


def test_the_path_from_calculation_to_protocol(kit, client, channels):
    agent = agent_of(kit)
    calc = post(client, kit, "/api/v1/cases/calculations",
                {**CALC, "agent_id": agent.pk, "history": history(end=dt.date(2021, 2, 1))})  # fmt: skip
    assert (
        calc.status_code == 201
        and calc.json()["outcome"] == "computed"
        and calc.json()["index_table_synthetic"]
    )
    created = post(client, kit, "/api/v1/cases/clients", {
        "agent_id": agent.pk, "name": "Ana Souza", "cpf": CPF, "email": "ana@example.com", "phone": "11987654321",
        "birth_date": "1958-05-02", "sex": "F", "cep": "01310100", "street": "Rua A", "number": "1",
        "city": "São Paulo", "uf": "SP"}, HTTP_IDEMPOTENCY_KEY="cli-1")  # fmt: skip
    assert created.status_code == 201 and created.json()["registered"]
    again = post(client, kit, "/api/v1/cases/clients", {"agent_id": agent.pk, "name": "Ana Souza", "cpf": CPF,
        "email": "ana@example.com", "phone": "11987654321", "birth_date": "1958-05-02", "sex": "F", "cep": "01310100",
        "street": "Rua A", "number": "1", "city": "São Paulo", "uf": "SP"}, HTTP_IDEMPOTENCY_KEY="cli-1")  # fmt: skip
    assert again.json()["id"] == created.json()["id"]
    case = post(
        client,
        kit,
        f"/api/v1/cases/calculations/{calc.json()['id']}/case",
        {"client_id": created.json()["id"]},
    )
    assert case.status_code == 201 and case.json()["status"] == "registered"
    case_id = case.json()["id"]
    for code in [
        "rg_cnh",
        "residencia",
        "cnis",
        "carta_concessao",
        "procuracao",
        "hipossuficiencia",
    ]:
        upload = client.post(f"/api/v1/cases/clients/{created.json()['id']}/documents",
                             {"doc_type": code, "file": _file()}, **kit.api_headers())  # fmt: skip
        assert upload.status_code == 201, upload.content
        review = post(
            client,
            kit,
            f"/api/v1/cases/documents/{upload.json()['id']}/review",
            {"decision": "approve"},
        )
        assert review.json()["status"] == "approved"
    assert (
        client.get(f"/api/v1/cases/{case_id}", **kit.api_headers()).json()["status"]
        == "awaiting_payment"
    )
    from formaliza.cases.models import Case

    case_mark_paid(case=Case.objects.get(pk=case_id), source="teste", reference="r1")
    assert (
        post(client, kit, f"/api/v1/cases/{case_id}/filing-request", {}).json()["status"]
        == "filing_requested"
    )
    bad = post(
        client,
        kit,
        f"/api/v1/cases/{case_id}/protocol",
        {"protocol_number": "0058967-70.2016.8.19.0000"},
    )
    assert (
        bad.status_code == 422 and bad.json()["error"]["fields"][0]["code"] == "invalid_cnj_number"
    )
    good = post(
        client,
        kit,
        f"/api/v1/cases/{case_id}/protocol",
        {"protocol_number": "0058967-77.2016.8.19.0000"},
    )
    assert (
        good.json()["status"] == "filed"
        and good.json()["protocol_number"] == "0058967-77.2016.8.19.0000"
    )


def _file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("doc.pdf", pdf_bytes(), content_type="application/pdf")


def test_a_bad_history_row_is_a_field_error(kit, client):
    response = post(client, kit, "/api/v1/cases/calculations",
                    {**CALC, "agent_id": agent_of(kit).pk, "history": "07/1994;1000\n99/1994;1"})  # fmt: skip
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [
        {
            "field": "history",
            "code": "invalid_line",
            "message": "Linha 2: competência “99/1994” inválida (use MM/AAAA).",
        }
    ]


def test_another_tenants_records_are_404_and_untouched(kit, other_kit, client):
    case = approve_all(other_kit, saved_case(other_kit))
    document = ClientDocument.objects.filter(client=case.client).first()
    headers = kit.api_headers()
    for path in [f"/api/v1/cases/{case.pk}", f"/api/v1/cases/clients/{case.client_id}",
                 f"/api/v1/cases/clients/{case.client_id}/documents", f"/api/v1/cases/calculations/{case.calculation_id}"]:  # fmt: skip
        response = client.get(path, **headers)
        assert response.status_code == 404 and response.json()["error"]["code"].endswith(
            "not_found"
        ), path
    review = post(
        client,
        kit,
        f"/api/v1/cases/documents/{document.pk}/review",
        {"decision": "reject", "reason": "não é seu"},
    )
    assert review.status_code == 404
    filing = post(client, kit, f"/api/v1/cases/{case.pk}/filing-request", {})
    assert filing.status_code == 404
    document.refresh_from_db()
    case.refresh_from_db()
    assert document.status == "approved" and case.status == CaseStatus.AWAITING_PAYMENT


def test_the_openapi_document_lists_the_cases_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/cases", "/api/v1/cases/clients", "/api/v1/cases/calculations",
            "/api/v1/cases/{case_id}/protocol", "/api/v1/cases/documents/{document_id}/review"} <= set(paths)  # fmt: skip
