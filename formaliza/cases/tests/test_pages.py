"""The back-office pages: they render, they scope by tenant and by agent, and they save."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from formaliza.accounts import services as accounts
from formaliza.accounts.roles import Role
from formaliza.cases.models import Calculation, Case, CaseStatus, ClientDocument, DocumentType
from formaliza.cases.tests.helpers import approve_all, case_at, history, saved_case

FORM = {
    "label": "José", "rule": "ec103_aposentadoria", "thesis": "recalculo", "dib": "15/03/2021",
    "first_payment": "10/04/2021", "granted_rmi": "1.800,00", "birth_date": "02/05/1958", "sex": "M",
    "contribution_years": "30", "contribution_months": "0", "contribution_days": "0",
}  # fmt: skip


def test_calculating_keeps_a_draft_that_appears_in_meus_casos(kit):
    browser = kit.client_for(Role.AGENT)
    response = browser.post(
        "/casos/calculo/", {**FORM, "history": history(end=dt.date(2021, 2, 1))}
    )
    calc = Calculation.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/casos/calculo/{calc.pk}/"
    )
    page = browser.get(response["Location"]).content.decode()
    assert "Rascunho" in page and "SINTÉTICA" in page and "Salvar caso" in page
    assert "José" in browser.get("/casos/").content.decode()


def test_a_bad_csv_row_is_named_on_the_form(kit):
    browser = kit.client_for(Role.AGENT)
    csv = SimpleUploadedFile(
        "cnis.csv", b"competencia;remuneracao\n07/1994;1000,00\n13/1994;10,00\n"
    )
    response = browser.post("/casos/calculo/", {**FORM, "history": "", "csv_file": csv})
    assert response.status_code == 200
    assert "Linha 3: competência “13/1994” inválida" in response.content.decode()
    assert not Calculation.objects.exists()


def test_saving_the_draft_creates_the_case_and_the_client(kit):
    browser = kit.client_for(Role.AGENT)
    browser.post("/casos/calculo/", {**FORM, "history": history(end=dt.date(2021, 2, 1))})
    calc = Calculation.objects.get()
    response = browser.post(
        f"/casos/calculo/{calc.pk}/salvar/", {"new_client_name": "José Pereira"}
    )
    case = Case.objects.get()
    assert response["Location"] == f"/casos/{case.pk}/" and case.client.name == "José Pereira"
    page = browser.get(f"/casos/{case.pk}/").content.decode()
    assert "Calculado" in page and "Complete o cadastro" in page


def test_the_pdf_demonstrative_downloads(kit):
    case = saved_case(kit)
    response = kit.client_for(Role.AGENT).get(f"/casos/calculo/{case.calculation_id}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_the_documents_column_leads_to_the_manager_and_review_works(kit, channels):
    case = saved_case(kit)
    browser = kit.client_for(Role.AGENT)
    browser.get(f"/casos/clientes/{case.client_id}/documentos/")
    rg = DocumentType.objects.get(tenant=kit.tenant, code="rg_cnh")
    from formaliza.cases.tests.helpers import pdf_bytes

    browser.post(f"/casos/clientes/{case.client_id}/documentos/",
                 {"doc_type": rg.pk, "file": SimpleUploadedFile("rg.pdf", pdf_bytes())})  # fmt: skip
    listing = browser.get("/casos/clientes/").content.decode()
    assert (
        "1 pendente para análise" in listing
        and f"/casos/clientes/{case.client_id}/documentos/" in listing
    )
    doc = ClientDocument.objects.get()
    browser.post(
        f"/casos/documentos/{doc.pk}/analise/",
        {"decision": "reject", "reason": "Ilegível, envie de novo"},
    )
    doc.refresh_from_db()
    assert doc.status == "rejected" and doc.rejection_reason == "Ilegível, envie de novo"
    assert browser.get(f"/casos/documentos/{doc.pk}/").content.startswith(b"%PDF-")


def test_the_filing_queue_shows_a_clear_message_for_an_invalid_number(kit, channels):
    case = case_at(kit, CaseStatus.FILING_REQUESTED)
    staff = kit.client_for(Role.MANAGER)
    assert case.number in staff.get("/casos/atermacoes/").content.decode()
    response = staff.post(
        f"/casos/{case.pk}/protocolo/", {"protocol_number": "1234567-00.2020.4.03.6301"}
    )
    assert response.status_code == 422
    assert "dígitos verificadores 00 não conferem" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.FILING_REQUESTED


def test_agents_open_neither_the_queue_nor_the_settings(kit):
    agent = kit.client_for(Role.AGENT)
    assert agent.get("/casos/atermacoes/").status_code == 403
    assert agent.get("/casos/tipos-de-documento/").status_code == 403
    assert kit.client_for(Role.MANAGER).get("/casos/tipos-de-documento/").status_code == 200


@pytest.fixture
def foreign(other_kit):
    case = approve_all(other_kit, saved_case(other_kit))
    return case, ClientDocument.objects.filter(client=case.client).first()


def test_another_tenants_case_client_and_document_are_404(kit, foreign):
    case, document = foreign
    for role in (Role.AGENT, Role.MANAGER):
        browser = kit.client_for(role)
        for url in [f"/casos/{case.pk}/", f"/casos/clientes/{case.client_id}/", f"/casos/clientes/{case.client_id}/documentos/",
                    f"/casos/documentos/{document.pk}/", f"/casos/calculo/{case.calculation_id}/", f"/casos/calculo/{case.calculation_id}/pdf/"]:  # fmt: skip
            assert browser.get(url).status_code == 404, url
    response = kit.client_for(Role.MANAGER).post(
        f"/casos/documentos/{document.pk}/analise/", {"decision": "reject", "reason": "xxxxxxx"}
    )
    assert response.status_code == 404
    document.refresh_from_db()
    assert document.status == "approved"


def test_an_agent_does_not_see_another_agents_case_but_staff_do(kit):
    case = saved_case(kit)
    other = accounts.user_create(
        tenant=kit.tenant, email="outro@example.com", password="x" * 12, role=Role.AGENT
    )
    from django.test import Client

    browser = Client()
    browser.force_login(other)
    assert browser.get(f"/casos/{case.pk}/").status_code == 404
    assert case.number not in browser.get("/casos/").content.decode()
    assert kit.client_for(Role.OPERATOR).get(f"/casos/{case.pk}/").status_code == 200
