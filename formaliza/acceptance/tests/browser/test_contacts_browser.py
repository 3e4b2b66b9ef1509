"""The contact base in Chromium: each search type finds the contact from the form, each tab
opens, and a kit goes from the operator's send to the client's acceptance on a 360×740 phone
(scrolling each document to the end enables the button) and to the sealed report."""

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from formaliza.acceptance.models import AcceptanceKit, CertifiedMessage
from formaliza.acceptance.services import KitFile, kit_send
from formaliza.acceptance.tests.helpers import email_channel, pdf_bytes, person
from formaliza.accounts.roles import Role
from formaliza.contacts.models import Contact
from formaliza.core import clock
from formaliza.core.testing import run_queued_tasks

pytestmark = pytest.mark.browser


@pytest.fixture
def maria(kit):
    return person(kit.tenant)


def test_each_search_type_from_the_form(new_page, kit, maria):
    page = new_page("desktop", user=kit.users[Role.OPERATOR])
    typed = {
        "CPF": "529 982 247 25",
        "Nome": "maria laura",
        "E-mail": "MARIA@example.com",
        "Celular": "11 8765-4321",
        "ID": str(maria.public_id).split("-")[0],
        "Todos": "52998224725",
    }
    for label, text in typed.items():
        page.goto("/contatos/")
        page.get_by_label("Tipo de dado").select_option(label=label)
        page.get_by_label("Buscar", exact=True).fill(text)
        page.get_by_role("button", name="Buscar").click()
        expect(page.locator("#results")).to_contain_text("Maria Clara Souza")
    page.get_by_label("Tipo de dado").select_option(label="CPF")
    page.get_by_label("Buscar", exact=True).fill("529.982.247-26")
    page.get_by_role("button", name="Buscar").click()
    expect(page.locator("#search-error")).to_have_text("CPF inválido: confira os dígitos.")
    page.goto("/contatos/")
    page.get_by_label("Tipo de dado").select_option(label="CNPJ")
    page.get_by_label("Buscar", exact=True).fill("11.222.333/0001-81")
    page.get_by_role("button", name="Buscar").click()
    expect(page.locator("#results")).to_contain_text("Nenhum contato encontrado")
    page.get_by_label("Tipo de dado").select_option(label="Nº do documento")
    page.get_by_label("Buscar", exact=True).fill("CT-404")
    page.get_by_role("button", name="Buscar").click()
    expect(page.locator("#results")).to_contain_text("Nenhum contato encontrado")

    # A company by its CNPJ written bare, and a contact by the number of a document sent.
    Contact.objects.create(tenant=kit.tenant, name="Padaria Pão Bom", kind="company",
                           document="11222333000181")  # fmt: skip
    kit_send(
        actor=kit.actor(Role.OPERATOR), contact=maria, title="Contrato", message="Aceite.",
        channel=email_channel(kit.tenant), address="maria@example.com",
        deadline=clock.now() + dt.timedelta(days=2), files=[KitFile("Contrato", "CT-2026-77", pdf_bytes(1))],
    )  # fmt: skip
    for label, text, name in (("CNPJ", "11222333000181", "Padaria Pão Bom"),
                              ("Nº do documento", " CT-2026-77 ", "Maria Clara Souza")):  # fmt: skip
        page.goto("/contatos/")
        page.get_by_label("Tipo de dado").select_option(label=label)
        page.get_by_label("Buscar", exact=True).fill(text)
        page.get_by_role("button", name="Buscar").click()
        expect(page.locator("#results tbody tr")).to_have_count(1)
        expect(page.locator("#results")).to_contain_text(name)
    page.locator("#results").get_by_role("link", name="Maria Clara Souza").click()
    expect(page.locator("#tabs [aria-current=page]")).to_have_text("Informações")


def test_kit_from_send_to_acceptance_on_a_phone(
    new_page, kit, maria, local_tsa, django_capture_on_commit_callbacks
):
    channel = email_channel(kit.tenant)
    acc = kit_send(
        actor=kit.actor(Role.OPERATOR), contact=maria, title="Contrato", message="Aceite, por favor.",
        channel=channel, address="maria@example.com", deadline=clock.now() + dt.timedelta(days=2),
        files=[KitFile("Contrato", "CT-1", pdf_bytes(2)), KitFile("Termo", "TM-1", pdf_bytes(1))],
    )  # fmt: skip
    run_queued_tasks()
    link = re.search(r"/a/r/\S+/", mail.outbox[-1].body).group(0)
    client = new_page("phone")
    assert client.viewport_size == {"width": 360, "height": 740}
    client.goto(link)
    accept = client.get_by_role("button", name="Li e aceito os documentos")
    expect(accept).to_be_disabled()
    for box in client.locator("section.doc .pages").all():
        box.evaluate("b => { b.scrollTop = b.scrollHeight; b.dispatchEvent(new Event('scroll')); }")
    expect(accept).to_be_enabled()
    with django_capture_on_commit_callbacks(execute=True):
        accept.click()
        expect(client.locator("#accepted")).to_contain_text("Aceite registrado")
        run_queued_tasks()
    acc.refresh_from_db()
    assert acc.status == AcceptanceKit.Status.ACCEPTED and acc.sealed_document.status == "sealed"
    assert CertifiedMessage.objects.get(kit=acc).clicked_at is not None
    operator = new_page("desktop", user=kit.users[Role.OPERATOR])
    for tab in ("Informações", "Documentos", "Atividades", "Aceite digital", "AR digital"):
        operator.goto(f"/contatos/{maria.public_id}/")
        operator.locator("#tabs").get_by_role("link", name=tab).click()
        expect(operator.locator("#tabs [aria-current=page]")).to_have_text(tab)
    operator.goto(f"/contatos/{maria.public_id}/?aba=aceite")
    with operator.expect_download() as download:
        operator.get_by_role("link", name="Documento final com laudo").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_kit_asking_for_a_selfie_from_the_form_to_the_sealed_report(
    new_page, kit, maria, local_tsa, django_capture_on_commit_callbacks
):
    from formaliza.journeys.tests.helpers import document_frame, face_frame, jpeg

    email_channel(kit.tenant)
    operator = new_page("desktop", user=kit.users[Role.OPERATOR])
    operator.goto(f"/contatos/{maria.public_id}/?aba=aceite")
    operator.locator("#new-kit").click()
    form = operator.locator("#kit-form")
    form.get_by_label("Título do kit").fill("Contrato com selfie")
    form.get_by_label("Celular ou e-mail").fill("maria@example.com")
    form.get_by_label("Nº dos documentos").fill("CT-SELFIE-1")
    form.get_by_label("PDFs").set_input_files(
        [{"name": "contrato.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(1)}]
    )
    form.get_by_label("Pedir selfie do cliente").check()
    form.get_by_role("button", name="Enviar").click()
    operator.wait_for_url(f"**/contatos/{maria.public_id}/?aba=aceite*")
    acc = AcceptanceKit.objects.get(title="Contrato com selfie")
    assert acc.require_selfie
    run_queued_tasks()
    link = re.search(r"/a/r/\S+/", mail.outbox[-1].body).group(0)

    client = new_page("phone")
    client.goto(link)
    accept = client.get_by_role("button", name="Li e aceito os documentos")
    for box in client.locator("section.doc .pages").all():
        box.evaluate("b => { b.scrollTop = b.scrollHeight; b.dispatchEvent(new Event('scroll')); }")
    expect(client.locator("section.doc .read-mark")).to_be_visible()
    expect(accept).to_be_disabled()  # read, but no selfie yet
    selfie = client.locator("#selfie-form")
    selfie.get_by_label("Foto do rosto").set_input_files(
        {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": jpeg(document_frame())}
    )
    selfie.get_by_role("button", name="Enviar selfie").click()
    expect(client.locator("#selfie-error")).to_contain_text("Não encontramos seu rosto na foto")
    client.locator("#selfie-form").get_by_label("Foto do rosto").set_input_files(
        {"name": "selfie.jpg", "mimeType": "image/jpeg", "buffer": jpeg(face_frame())}
    )
    client.locator("#selfie-form").get_by_role("button", name="Enviar selfie").click()
    expect(client.locator("#selfie-done")).to_contain_text("Selfie recebida")
    accept = client.get_by_role("button", name="Li e aceito os documentos")
    expect(accept).to_be_enabled()
    with django_capture_on_commit_callbacks(execute=True):
        accept.click()
        expect(client.locator("#accepted")).to_contain_text("Aceite registrado")
        run_queued_tasks()
    acc.refresh_from_db()
    assert acc.sealed_document.status == "sealed" and acc.selfie_retakes == 1
