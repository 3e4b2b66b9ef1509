"""A contact's profile in Chromium, tab by tab with what each one shows; a document resent
from the Documentos tab (the new send on the document's trail and in AR digital); an archived
document whose download offers the unarchive, the background job, then the real download."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from formaliza.acceptance.models import CertifiedMessage, ContactDocument, UnarchiveRequest
from formaliza.acceptance.services import KitFile, certified_send, documents_archive, kit_send
from formaliza.acceptance.tests.helpers import email_channel, pdf_bytes, person, sms_channel
from formaliza.accounts.roles import Role
from formaliza.core import clock
from formaliza.core.testing import queued_tasks, run_queued_tasks

pytestmark = pytest.mark.browser

TABS = ("Informações", "Documentos", "Atividades", "Aceite digital", "AR digital")


@pytest.fixture
def maria(kit):
    return person(kit.tenant)


@pytest.fixture
def email(kit):
    return email_channel(kit.tenant)


def a_kit(kit, maria, email, title="Contrato"):
    acc = kit_send(
        actor=kit.actor(Role.OPERATOR), contact=maria, title=title, message="Aceite, por favor.",
        channel=email, address="maria@example.com", deadline=clock.now() + dt.timedelta(days=3),
        files=[KitFile("Contrato de adesão", "CT-77", pdf_bytes(2))],
    )  # fmt: skip
    run_queued_tasks()
    return acc


def open_tab(page, contact, tab: str):
    page.goto(f"/contatos/{contact.public_id}/")
    page.locator("#tabs").get_by_role("link", name=tab).click()
    expect(page.locator("#tabs [aria-current=page]")).to_have_text(tab)


def test_each_tab_of_the_profile_shows_its_content(new_page, kit, maria, email):
    acc = a_kit(kit, maria, email)
    certified_send(actor=kit.actor(Role.OPERATOR), contact=maria, channel=sms_channel(kit.tenant),
                   address="11 98765-4321", text="Seu boleto vence amanhã.")  # fmt: skip
    run_queued_tasks()
    page = new_page("desktop", user=kit.users[Role.OPERATOR])
    page.goto(f"/contatos/{maria.public_id}/")
    tabs = page.locator("#tabs").get_by_role("link")
    assert tabs.all_inner_texts() == list(TABS)  # every tab the page has is visited below

    open_tab(page, maria, "Informações")
    info = page.locator("#tab-informacoes")
    expect(info).to_contain_text("Maria Clara Souza")
    expect(info).to_contain_text("529.982.247-25")
    expect(info).to_contain_text("maria@example.com")
    expect(page.locator("#automations")).to_contain_text(
        "Aceite digital “Contrato” — Aguardando aceite"
    )
    expect(page.locator("#channels")).to_be_visible()

    open_tab(page, maria, "Documentos")
    documents = page.locator("#tab-documentos")
    expect(documents.get_by_role("heading", name="Contrato de adesão")).to_be_visible()
    expect(documents).to_contain_text("Nº CT-77 · 2 páginas")
    expect(page.locator("#kit-status")).to_have_text("Aguardando aceite")
    expect(documents).to_contain_text(acc.documents.get().sha256)
    expect(page.locator("#delivery tbody tr").first).not_to_contain_text("Sem mensagem")
    expect(page.locator("#document-activity")).to_contain_text(
        "“Contrato de adesão” enviado para aceite (kit “Contrato”)"
    )
    with page.expect_download() as download:
        page.locator("#download").click()
    assert download.value.suggested_filename == "documento-CT-77.pdf"
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    open_tab(page, maria, "Atividades")
    activity = page.locator("#tab-atividades")
    expect(activity).to_contain_text("enviado para aceite (kit “Contrato”)")
    expect(activity).to_contain_text("Seu boleto vence amanhã.")
    page.locator("#activity-filters").get_by_label("Canal").select_option(label="SMS")
    page.locator("#activity-filters").get_by_role("button", name="Filtrar").click()
    expect(activity).to_contain_text("SMS")
    expect(activity).not_to_contain_text("enviado para aceite")

    open_tab(page, maria, "Aceite digital")
    row = page.locator("#tab-aceite tr.kit")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Contrato de adesão")
    expect(row).to_contain_text("Aguardando aceite")
    expect(row.get_by_role("link", name="Documento final com laudo")).to_have_count(0)
    expect(page.get_by_role("link", name="Enviar documentos para aceite")).to_be_visible()

    open_tab(page, maria, "AR digital")
    rows = page.locator("#tab-ar tr.certified")
    expect(rows).to_have_count(2)
    sms_row = rows.filter(has_text="Seu boleto vence amanhã.")
    expect(sms_row).to_contain_text("+5511987654321")
    expect(sms_row.get_by_role("link", name="Visualizar laudo")).to_be_visible()
    expect(sms_row.get_by_role("link", name="Reenviar mensagem")).to_be_visible()
    sms_row.get_by_role("link", name="Visualizar laudo").click()
    expect(page.get_by_role("button", name="Gerar certificado selado")).to_be_visible()


def test_resend_a_document_from_the_documents_tab(new_page, kit, maria, email):
    acc = a_kit(kit, maria, email)
    document = acc.documents.get()
    mail.outbox.clear()
    page = new_page("desktop", user=kit.users[Role.OPERATOR])
    open_tab(page, maria, "Documentos")
    page.locator("#resend-document").click()
    expect(page.get_by_role("heading", name="Reenviar documento")).to_be_visible()
    form = page.locator("#resend-form")
    expect(form.get_by_label("Automação", exact=True)).to_have_value("Aceite digital")
    expect(form.get_by_label("E-mail ou número")).to_have_value("maria@example.com")
    form.get_by_label("E-mail ou número").fill("Outra@Example.com")
    form.get_by_label("Mensagem").fill("Reenvio do contrato, confira.")
    form.get_by_role("button", name="Reenviar").click()
    page.wait_for_url(f"**/contatos/{maria.public_id}/?aba=documentos&documento=*")
    expect(page.locator("body")).to_contain_text("outra@example.com")
    expect(page.locator("#document-activity")).to_contain_text("“Contrato de adesão” reenviado por")

    assert CertifiedMessage.objects.filter(kit=acc).count() == 2
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [["outra@example.com"]]
    assert "Reenvio do contrato, confira." in mail.outbox[0].body
    open_tab(page, maria, "AR digital")
    rows = page.locator("#tab-ar tr.certified")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="outra@example.com")).to_contain_text("Reenvio do contrato")
    open_tab(page, maria, "Atividades")
    expect(page.locator("#tab-atividades")).to_contain_text("reenviado por")
    assert document.activity.filter(kind="document.resent").count() == 1


def test_archived_document_download_offers_unarchive_then_downloads(new_page, kit, maria, email):
    document = a_kit(kit, maria, email).documents.get()
    ContactDocument.objects.filter(pk=document.pk).update(
        created_at=clock.now() - dt.timedelta(days=366)
    )
    assert documents_archive() == 1
    run_queued_tasks()
    mail.outbox.clear()
    page = new_page("desktop", user=kit.users[Role.OPERATOR])
    open_tab(page, maria, "Documentos")
    expect(page.locator("#tab-documentos")).to_contain_text("Arquivado")
    page.locator("#download").click()  # a page, not a file: the archived message
    expect(page.get_by_role("heading", name="Documento arquivado")).to_be_visible()
    expect(page.locator("#archived")).to_contain_text("tem pelo menos um ano de existência")
    page.get_by_role("button", name="Clique aqui para desarquivar seus arquivos").click()
    expect(page.locator("#unarchive-pending")).to_contain_text("Desarquivando…")
    expect(page.locator("body")).to_contain_text("Você receberá uma mensagem")
    page.reload()  # asking again starts no second job: the page only says it is under way
    expect(page.locator("#unarchive-pending")).to_be_visible()
    expect(page.get_by_role("button", name="Clique aqui para desarquivar")).to_have_count(0)
    assert UnarchiveRequest.objects.filter(document=document).count() == 1
    assert len(queued_tasks("document_unarchive")) == 1

    run_queued_tasks()  # the background worker's turn
    document.refresh_from_db()
    assert not document.is_archived
    (notice,) = [m for m in mail.outbox if m.subject == "Documento desarquivado"]
    link = next(w for w in notice.body.split() if f"documento={document.public_id}" in w)
    assert link.startswith(settings.PUBLIC_BASE_URL)  # the e-mail's button, opened on this server
    page.goto(urlsplit(link)._replace(scheme="", netloc="").geturl())
    expect(page.locator("#tab-documentos")).not_to_contain_text("Arquivado")
    with page.expect_download() as download:
        page.locator("#download").click()
    assert download.value.suggested_filename == "documento-CT-77.pdf"
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
