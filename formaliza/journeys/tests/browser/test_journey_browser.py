"""The client's journey in a real browser on a phone-sized screen, up to its sealed PDF
verified on the public page."""

from __future__ import annotations

import hashlib
import io
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from formaliza.core.testing import run_queued_tasks
from formaliza.evidence.models import SealedDocument
from formaliza.evidence.selectors import sealed_document_for_subject
from formaliza.evidence.services import Subject, sealed_document_download_url
from formaliza.evidence.tests.test_validators import one_byte_changed
from formaliza.journeys.models import Journey, JourneyCapture, JourneyLink, Step
from formaliza.journeys.tests.helpers import (
    bomb_png,
    document_frame,
    enlarged,
    id_back_jpeg,
    id_front_jpeg,
    jpeg,
    walk,
)
from formaliza.proposals.models import Proposal

pytestmark = pytest.mark.browser


def _path(started) -> str:
    return "/j/" + started.link_url.rsplit("/j/", 1)[1]


def _read_contracts(page, count=None):
    boxes = page.locator(".scroll[data-id]")
    for index in range(count if count is not None else boxes.count()):
        boxes.nth(index).evaluate("el => el.scrollTo(0, el.scrollHeight)")
        # The server's reading floor may make the page wait a few seconds.
        expect(page.locator(".read-state").nth(index)).to_have_text(
            "✓ Lido até o fim", timeout=15_000
        )


def _photo(page, *, retake: bool = False):
    page.get_by_role("button", name="Abrir câmera").click()
    expect(page.locator("#capture")).to_have_attribute("data-state", "live")
    expect(page.locator("#capture svg ellipse, #capture svg rect").first).to_be_attached()
    page.get_by_role("button", name="Tirar foto").click()
    expect(page.locator("#capture")).to_have_attribute("data-state", "preview")
    if retake:
        page.get_by_role("button", name="Tirar outra foto").click()
        expect(page.locator("#capture")).to_have_attribute("data-state", "live")
        page.get_by_role("button", name="Tirar foto").click()
        expect(page.locator("#capture")).to_have_attribute("data-state", "preview")
    page.get_by_role("button", name="Continuar").click()


def _pick(page, data: bytes, name: str = "documento.jpg"):
    page.locator(".pick input[type=file]").set_input_files(
        {"name": name, "mimeType": "image/jpeg", "buffer": data}
    )
    expect(page.locator("#capture")).to_have_attribute("data-state", "preview")
    page.get_by_role("button", name="Continuar").click()


def test_the_whole_journey_with_the_camera(phone, started, outbox, local_tsa, settings):
    """The ID photos come from the phone's gallery here (this browser's camera sees a face;
    test_the_id_front_with_the_camera takes one with a camera that sees the card)."""
    settings.JOURNEY_READ_MIN_SECONDS_PER_PAGE = 1  # the server's floor, kept short
    page = phone
    page.goto(_path(started))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Olá,")
    page.get_by_label("Sim, este celular é meu").check()
    page.get_by_role("button", name="Começar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Termos de uso da formalização digital"
    )
    page.get_by_label("Li e aceito os termos de uso").check()
    page.get_by_role("button", name="Aceitar e continuar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Confira as condições")
    expect(page.locator("dl.kv").first).to_contain_text("R$")
    page.get_by_role("button", name="Está tudo certo").click()

    sign = page.get_by_role("button", name="Li e concordo com os contratos")
    expect(sign).to_be_disabled()
    _read_contracts(page)
    expect(sign).to_be_enabled()
    sign.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Foto do documento — frente")
    _pick(page, id_front_jpeg())
    expect(page.get_by_role("heading", level=1)).to_have_text("Foto do documento — verso")
    _pick(page, id_back_jpeg())
    expect(page.get_by_role("heading", level=1)).to_have_text("Selfie")
    expect(page.locator("#capture")).to_have_attribute("data-guide", "oval")
    _photo(page, retake=True)

    expect(page.get_by_role("heading", level=1)).to_have_text("Confirme e assine")
    page.get_by_label("Declaro que sou").check()
    page.get_by_role("button", name="Assinar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pronto, contratos assinados!")

    journey = Journey.objects.get(pk=started.journey.pk)
    assert (journey.status, journey.phone_is_own) == ("signed", True)
    selfie = JourneyCapture.objects.get(journey=journey, kind="selfie", accepted=True)
    assert selfie.client_retakes == 1
    assert selfie.face["inside_oval"] is True
    assert selfie.source == "camera"
    assert max(selfie.original_width, selfie.original_height) <= 1600
    assert all(c.max_fraction >= 0.98 for c in journey.contracts.all())
    assert all(c.server_seconds >= c.read_min_seconds > 0 for c in journey.contracts.all())
    front = JourneyCapture.objects.get(journey=journey, kind="id_front", accepted=True)
    assert front.document["face_height"] > 0 and front.document["text_lines"] >= 6
    assert set(
        Proposal.objects.filter(formalizations=journey.request).values_list("activity", flat=True)
    ) == {"FORMALIZADA"}
    run_queued_tasks()
    assert [m.phone for m in outbox.completions()] == [journey.phone]
    _the_sealed_document_verifies_on_the_public_page(page, journey)


def _the_sealed_document_verifies_on_the_public_page(page, journey):
    """The queued tasks sealed the signed journey's PDF: downloaded through its signed link, it
    says "válido" on /verificar/, so does its code, and one changed byte says "inválido"."""
    document = sealed_document_for_subject(
        tenant=journey.tenant, subject=Subject("journey", str(journey.pk))
    )
    assert document.status == SealedDocument.Status.SEALED, document.last_error
    link = sealed_document_download_url(document=document)
    pdf = page.request.get(urlsplit(link.url).path).body()
    assert hashlib.sha256(pdf).hexdigest() == document.sha256

    def upload(data: bytes) -> None:
        page.goto("/verificar/")
        page.locator("input[name=arquivo]").set_input_files(
            {"name": "formalizacao.pdf", "mimeType": "application/pdf", "buffer": data}
        )
        page.get_by_role("button", name="Verificar PDF").click()

    upload(pdf)
    expect(page.locator("#result .verdict")).to_have_text("válido")
    expect(page.locator("#result")).to_contain_text(document.code)
    page.goto("/verificar/")
    page.get_by_label("Código de verificação").fill(document.code.replace("-", " ").lower())
    page.get_by_role("button", name="Verificar código").click()
    expect(page.locator("#result .verdict")).to_have_text("válido")
    upload(one_byte_changed(pdf))
    expect(page.locator("#result .verdict")).to_have_text("inválido")
    # One verdict: the problems, the advice, and nothing under it that vouches for the file.
    expect(page.locator("#result .advice")).to_contain_text("Não use este arquivo como prova")
    expect(page.locator("#result li.yes")).to_have_count(0)
    expect(page.locator("#result")).not_to_contain_text("confere com o certificado")


def test_the_sign_control_stays_off_until_every_contract_is_read(phone, started, settings):
    settings.JOURNEY_READ_MIN_SECONDS_PER_PAGE = 0  # the floor has its own test below
    walk(started.journey, until=Step.CONTRACTS)
    page = phone
    page.goto(_path(started))
    sign = page.get_by_role("button", name="Li e concordo com os contratos")
    _read_contracts(page, count=1)
    expect(sign).to_be_disabled()
    expect(page.locator(".gate-hint")).to_contain_text("faltam 1")

    # Forcing the form past the disabled button: the server refuses too.
    page.locator("form.accept").evaluate("form => form.submit()")
    expect(page.locator("[role=alert]")).to_contain_text("Role cada contrato até o fim")
    assert Journey.objects.get(pk=started.journey.pk).contracts_read_at is None

    _read_contracts(page)
    sign.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Foto do documento — frente")


def test_reload_and_reopening_resume_where_the_client_stopped(
    phone, started, chromium, live_server
):
    page = phone
    page.goto(_path(started))
    page.get_by_label("Não, é de outra pessoa").check()
    page.get_by_role("button", name="Começar").click()
    page.get_by_label("Li e aceito os termos de uso").check()
    page.get_by_role("button", name="Aceitar e continuar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confira as condições")

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confira as condições")

    other = chromium.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    try:
        again = other.new_page()
        again.goto(_path(started))
        expect(again.get_by_role("heading", level=1)).to_have_text("Confira as condições")
    finally:
        other.close()
    assert Journey.objects.get(pk=started.journey.pk).phone_is_own is False


def test_an_expired_link_offers_a_new_one_by_whatsapp(phone, started, outbox):
    run_queued_tasks()
    JourneyLink.objects.filter(journey=started.journey).update(
        expires_at=started.journey.created_at
    )
    page = phone
    response = page.goto(_path(started))
    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("Este link expirou")

    page.get_by_role("button", name="Receber novo link pelo WhatsApp").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pronto! Enviamos um link novo")
    run_queued_tasks()
    new = outbox.links()[-1]
    assert new.reason == "requested"
    page.goto(new.link_url.replace("https://formaliza.test", ""))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Olá,")


def test_a_wrong_token_reveals_nothing(phone, started):
    token = started.link_url.rsplit("/j/", 1)[1]
    response = phone.goto("/j/" + token[:-2] + ("zz" if token[-2:] != "zz" else "yy"))
    assert response.status == 404
    expect(phone.get_by_role("heading", level=1)).to_have_text("Link inválido")
    assert started.journey.client_name not in phone.content()


def test_a_picture_from_the_phone_is_downscaled_before_upload(phone, started):
    walk(started.journey, until=Step.ID_FRONT)
    big = jpeg(Image.open(io.BytesIO(id_front_jpeg())).resize((3000, 2250)))
    phone.goto(_path(started))
    phone.locator(".pick input[type=file]").set_input_files(
        {"name": "documento.jpg", "mimeType": "image/jpeg", "buffer": big}
    )
    expect(phone.locator("#capture")).to_have_attribute("data-state", "preview")
    phone.get_by_role("button", name="Continuar").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Foto do documento — verso")
    capture = JourneyCapture.objects.get(journey=started.journey, kind="id_front")
    assert (capture.source, capture.original_format) == ("file", "JPEG")
    assert (capture.original_width, capture.original_height) == (1600, 1200)
    assert capture.original_bytes < len(big)


def test_the_server_refuses_bad_photos_with_a_message(phone_without_js, started):
    walk(started.journey, until=Step.SELFIE)
    page = phone_without_js
    page.goto(_path(started))
    small = io.BytesIO()
    Image.new("RGB", (300, 200), (90, 90, 90)).save(small, "PNG")
    cases = [
        ("nota.txt", "text/plain", b"isto nao e uma foto", "não é uma foto"),
        ("pequena.png", "image/png", small.getvalue(), "resolução baixa"),
        ("documento.jpg", "image/jpeg", jpeg(document_frame()), "Não encontramos seu rosto"),
        ("bomba.png", "image/png", bomb_png(), "dimensões grandes demais"),
    ]
    for name, mime, data, words in cases:
        page.locator("form.nojs input[type=file]").set_input_files(
            {"name": name, "mimeType": mime, "buffer": data}
        )
        page.get_by_role("button", name="Enviar foto").click()
        expect(page.locator("[role=alert]")).to_contain_text(words)
    refused = JourneyCapture.objects.filter(journey=started.journey, kind="selfie")
    assert list(refused.values_list("refusal_code", flat=True)) == [
        "image_not_image", "image_too_small", "face_not_found", "image_bomb",
    ]  # fmt: skip
    assert not refused.filter(accepted=True).exists()


def test_the_id_front_with_the_camera(document_phone, started):
    walk(started.journey, until=Step.ID_FRONT)
    page = document_phone
    page.goto(_path(started))
    expect(page.locator("#capture")).to_have_attribute("data-guide", "card")
    _photo(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Foto do documento — verso")
    front = JourneyCapture.objects.get(journey=started.journey, kind="id_front", accepted=True)
    assert (front.source, front.document["text_lines"] >= 6) == ("camera", True)


def test_a_coffee_cup_is_refused_as_the_id_front_and_the_retake_leads(phone, started):
    walk(started.journey, until=Step.ID_FRONT)
    page = phone
    page.goto(_path(started))
    _pick(page, enlarged("coffee.jpg"), name="xicara.jpg")

    expect(page.locator("#capture .msg")).to_contain_text("Não encontramos um documento na foto")
    expect(page.get_by_role("button", name="Continuar")).to_be_disabled()
    expect(page.get_by_role("button", name="Tirar outra foto")).to_have_class("btn")
    assert list(
        JourneyCapture.objects.filter(journey=started.journey).values_list(
            "refusal_code", flat=True
        )
    ) == ["document_not_found"]
    assert Journey.objects.get(pk=started.journey.pk).current_step == Step.ID_FRONT


def test_a_contract_scrolled_at_once_counts_as_read_only_after_the_floor(phone, started, settings):
    """The phone claims what it likes; the server's clock decides, and the page waits for it."""
    settings.JOURNEY_READ_MIN_SECONDS_PER_PAGE = 2
    walk(started.journey, until=Step.CONTRACTS)
    page = phone
    page.goto(_path(started))
    first = page.locator(".scroll[data-id]").first
    first.evaluate("el => el.scrollTo(0, el.scrollHeight)")

    state = page.locator(".read-state").first
    expect(state).to_contain_text("Leia o contrato com atenção")
    expect(state).to_contain_text("Faltam")
    contract = started.journey.contracts.order_by("position").first()
    contract.refresh_from_db()
    assert contract.read_at is None

    expect(state).to_have_text("✓ Lido até o fim", timeout=20_000)
    contract.refresh_from_db()
    assert contract.server_seconds >= contract.read_min_seconds >= 2
