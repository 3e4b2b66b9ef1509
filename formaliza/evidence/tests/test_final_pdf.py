"""What the sealed PDF contains: the contracts, then the evidence report with everything the
reference asks to match and to exceed, a stamp on every page, and the machine-readable chain."""

import base64
import datetime as dt
import io
import json
import re

import pytest
from PIL import Image
from pypdf import PdfReader

from formaliza.core import br
from formaliza.evidence.bundle import IMAGE_KINDS, ImageEvidence
from formaliza.evidence.chain import event_hash
from formaliza.evidence.pdf import ATTACHMENT_NAME, CODE_KEY
from formaliza.evidence.report import thumbnail_data_uri

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pages(sealed_sample):
    return [page.extract_text() for page in PdfReader(io.BytesIO(sealed_sample.data)).pages]


@pytest.fixture(scope="module")
def report_text(sealed_sample, pages):
    contract_pages = 2 * 2  # the sample: 2 contracts of 2 pages
    return "\n".join(pages[contract_pages:])


def compact(text: str) -> str:
    """Text without whitespace and zero-width spaces (hashes wrap across lines in cells)."""
    return re.sub(r"[\s\u200b]+", "", text)


def test_every_page_carries_the_reference_the_numbering_and_the_code(sealed_sample, pages):
    total = len(pages)
    ref = sealed_sample.bundle.reference
    for number, text in enumerate(pages, start=1):
        assert f"Formalização {ref}  ·  página {number} de {total}" in text
        assert f"verificação: {sealed_sample.code}" in text


def test_the_contracts_come_first_then_the_report(sealed_sample, pages):
    assert "Cédula de Crédito Bancário" in pages[0] and "CCB-2026001" in pages[0]
    assert "CCB-2026002" in pages[2]
    assert pages[4].lstrip().startswith("Laudo de evidências")
    assert "2 contrato(s), 4 página(s), seguidos deste laudo" in pages[4]


def test_the_report_matches_what_the_best_products_record(sealed_sample, report_text):
    b = sealed_sample.bundle
    signer = b.signers[0]
    flat = compact(report_text)
    # Envelope, originator, times with time zone; documents with hash and pages.
    assert b.title in report_text and b.originator.organization in report_text
    assert "Correspondente Demo · Back office · filial 001 — Centro · IP 200.160.2.3" in report_text
    assert "horário de Brasília" in report_text and "(UTC-03:00)" in report_text
    for contract in b.contracts:
        assert compact(contract.sha256) in flat
    assert "1 a 2 (2)" in report_text and "3 a 4 (2)" in report_text
    # The signer: identity, contacts, authentication, device, session and times.
    for value in (signer.name, br.cpf_format(signer.cpf), br.phone_format(signer.phone),
                  signer.email, signer.ip, signer.device, "Selfie × foto do documento"):  # fmt: skip
        assert value in report_text, value
    assert compact(signer.user_agent) in flat and signer.session_id in flat
    for label in ("Enviado em", "Aberto em", "Assinado em", "Recusado em"):
        assert label in report_text
    # The event log, to the second, with actors; the legal notice; verification.
    for event in sealed_sample.events:
        assert event.kind in flat
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} \(UTC-03:00\)", report_text)
    assert compact("Cliente: " + signer.name) in flat
    assert compact("Provedor: WhatsApp Cloud API") in flat
    assert "2.200-2/2001" in report_text and "14.063/2020" in report_text
    assert sealed_sample.url in report_text and sealed_sample.code in report_text


def test_the_report_records_what_none_of_them_does(sealed_sample, report_text):
    b = sealed_sample.bundle
    flat = compact(report_text)
    # WhatsApp trail: template, variables, message ids, receipts; the phone flag.
    assert "formalizacao_inicio" in report_text
    assert compact("variáveis: " + b.signers[0].name) in flat
    assert "wamid.HBgN001" in flat and "wamid.HBgN002" in flat
    assert "ATENÇÃO: telefone que não é do próprio cliente" in report_text
    # Terms (version, hash, time), reading proof, conditions as displayed with their hash.
    assert "versão 3" in report_text and b.terms.sha256 in flat
    assert "100%" in report_text and "1min 35s" in report_text
    # The reading time is the server's; the phone's count is shown only as its claim.
    assert compact("Tempo de leitura (servidor)") in flat
    assert compact("medido pelo relógio do servidor") in flat
    assert compact("Informado pelo celular") in flat and "1min 34s" in report_text
    assert compact("Mínimo exigido") in flat and "0min 20s" in report_text
    snapshot = b.conditions[0]
    assert "1,79% a.m. / 23,70% a.a." in report_text and snapshot.sha256 in flat
    # Images: hashes, retakes, face detection, face match with model, geolocation.
    for image in b.images:
        assert image.sha256 in flat and compact(IMAGE_KINDS[image.kind]) in flat
    assert compact("novas tentativas: 1") in flat
    assert compact("Rosto detectado: sim") in flat
    assert compact("Comparação facial com o documento: sim, escore 0,910 (limiar 0,600)") in flat
    assert compact("face_recognition (dlib) 1.3.0") in flat
    assert compact("-23,550520, -46,633308 (precisão ± 35 m)") in flat
    # The hash chain: every event's hash, printed in full.
    for event in sealed_sample.events:
        assert event.hash in flat


def test_the_report_shows_watermarked_thumbnails_not_the_originals(sealed_sample):
    reader = PdfReader(io.BytesIO(sealed_sample.data))
    # WeasyPrint shares one resource dictionary between pages: count distinct images.
    images = {image.data: image for page in reader.pages[4:] for image in page.images}
    assert len(images) == 3
    for image in images.values():
        assert max(image.image.size) <= 360  # thumbnails, never the full-resolution captures


def test_the_watermark_is_burned_into_the_pixels():
    plain = Image.new("RGB", (800, 600), (90, 120, 150))
    buffer = io.BytesIO()
    plain.save(buffer, "JPEG", quality=95)
    image = ImageEvidence(kind="selfie", content=buffer.getvalue(), sha256="", captured_at=None)

    uri, size = thumbnail_data_uri(image, reference="ref-123")

    assert size == (800, 600)
    thumb = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")
    assert thumb.size == (360, 270)
    colors = {thumb.getpixel((x, y)) for x in range(0, 360, 6) for y in range(0, 270, 6)}
    assert len(colors) > 20  # a flat image became text over it


def test_the_attached_json_lets_anyone_recompute_the_chain(sealed_sample):
    reader = PdfReader(io.BytesIO(sealed_sample.data))
    assert reader.metadata[CODE_KEY] == sealed_sample.code
    body = json.loads(reader.attachments[ATTACHMENT_NAME][0])
    assert body["code"] == sealed_sample.code
    events = body["chain"]["events"]
    previous = ""
    for item in events:
        assert item["prev_hash"] == previous
        recomputed = event_hash(
            subject_type=item["subject_type"], subject_id=item["subject_id"],
            sequence=item["sequence"], kind=item["kind"],
            occurred_at=dt.datetime.fromisoformat(item["occurred_at"]),
            actor_kind=item["actor_kind"], actor_label=item["actor_label"], ip=item["ip"],
            user_agent=item["user_agent"], session_id=item["session_id"], phone=item["phone"],
            data=item["data"], prev_hash=item["prev_hash"],
        )  # fmt: skip
        assert recomputed == item["hash"]
        previous = item["hash"]
    assert body["chain"]["last_hash"] == previous == sealed_sample.events[-1].hash
    # The bundle travels too, with binary parts replaced by their hashes.
    contract = body["bundle"]["contracts"][0]
    assert contract["pdf"] == {"$blob": "sha256:" + contract["sha256"]}
