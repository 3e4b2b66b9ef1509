"""Back office (list, detail, retry, logged downloads), signed links and the public page."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from formaliza.core import clock
from formaliza.core.errors import Conflict
from formaliza.core.testing import queued_tasks, run_queued_tasks
from formaliza.evidence.models import SealedDocument, SealedDocumentDownload
from formaliza.evidence.services import sealed_document_download_url
from formaliza.evidence.tests.conftest import stored
from formaliza.evidence.tests.test_validators import one_byte_changed

DEAD_TSA = "http://127.0.0.1:9/"


@pytest.fixture
def failed(request_seal, settings):
    """A document whose only allowed attempt failed (timestamp authority down)."""
    settings.EVIDENCE_SEAL_MAX_ATTEMPTS = 1
    settings.EVIDENCE_TSA_URL = DEAD_TSA
    document = request_seal()
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == SealedDocument.Status.FAILED
    return document


def _body(response) -> str:
    return response.content.decode()


def _download(response) -> bytes:
    return b"".join(response.streaming_content)


# --- back office ------------------------------------------------------------------------------


def test_the_list_shows_the_tenants_documents_with_failures_and_reasons(kit, other_kit, failed):
    manager = kit.client_for("manager")

    page = manager.get(reverse("evidence:documents"))

    assert page.status_code == 200
    assert failed.title in _body(page) and "Falhou" in _body(page)
    assert "A autoridade de carimbo do tempo não respondeu" in _body(page)
    assert "Documentos selados" in _body(page)  # in the navigation
    assert failed.title not in _body(
        other_kit.client_for("manager").get(reverse("evidence:documents"))
    )
    filtered = manager.get(reverse("evidence:documents") + "?status=sealed")
    assert failed.code not in _body(filtered)


def test_another_tenants_document_is_not_found(other_kit, failed):
    client = other_kit.client_for("admin")
    assert client.get(reverse("evidence:document", args=[failed.pk])).status_code == 404
    assert client.get(reverse("evidence:document", args=["nao-e-uuid"])).status_code == 404


def test_roles_without_the_permission_are_refused(kit, failed):
    client = kit.client_for("correspondent")
    assert client.get(reverse("evidence:documents")).status_code == 403
    assert client.get(reverse("evidence:document", args=[failed.pk])).status_code == 403


def test_retry_from_the_back_office(kit, failed, settings, local_tsa):
    settings.EVIDENCE_TSA_URL = local_tsa
    settings.EVIDENCE_SEAL_MAX_ATTEMPTS = 3
    manager = kit.client_for("manager")
    detail = manager.get(reverse("evidence:document", args=[failed.pk]))
    assert "Tentar selar de novo" in _body(detail) and "A selagem falhou" in _body(detail)

    response = manager.post(reverse("evidence:document_retry", args=[failed.pk]))

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == SealedDocument.Status.PENDING
    run_queued_tasks()
    failed.refresh_from_db()
    assert failed.status == SealedDocument.Status.SEALED


def test_retry_is_refused_without_the_permission(kit, failed):
    response = kit.client_for("correspondent").post(
        reverse("evidence:document_retry", args=[failed.pk])
    )
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == SealedDocument.Status.FAILED
    assert not queued_tasks("sealed_document_seal")


def test_download_from_the_back_office_is_logged(kit, sealed):
    manager = kit.client_for("manager")

    response = manager.get(reverse("evidence:document_download", args=[sealed.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="formaliza-{sealed.code}.pdf"' in response["Content-Disposition"]
    assert _download(response) == stored(sealed)
    (log,) = SealedDocumentDownload.objects.all()
    assert (log.via, log.user, log.ip) == ("back_office", kit.users["manager"], "127.0.0.1")
    detail = manager.get(reverse("evidence:document", args=[sealed.pk]))
    assert kit.users["manager"].display_name in _body(detail)  # the access log is visible


def test_download_without_permission_or_of_another_tenant_is_refused_and_not_logged(
    kit, other_kit, sealed
):
    url = reverse("evidence:document_download", args=[sealed.pk])
    assert kit.client_for("operator").get(url).status_code == 403
    assert other_kit.client_for("manager").get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    assert not SealedDocumentDownload.objects.exists()


# --- signed download links --------------------------------------------------------------------


def test_a_signed_link_downloads_without_login_and_is_logged(sealed, settings):
    link = sealed_document_download_url(document=sealed, expires_in=3600)
    assert link.url.startswith(settings.PUBLIC_BASE_URL + "/evidencias/baixar/")
    assert link.expires_at - clock.now() <= dt.timedelta(hours=1)

    response = Client().get(link.url.removeprefix(settings.PUBLIC_BASE_URL))

    assert response.status_code == 200 and _download(response) == stored(sealed)
    (log,) = SealedDocumentDownload.objects.all()
    assert (log.via, log.user, log.actor_label) == ("link", None, "Link assinado")


def test_an_expired_link_is_refused_and_not_logged(sealed, settings):
    link = sealed_document_download_url(document=sealed, expires_in=3600)
    path = link.url.removeprefix(settings.PUBLIC_BASE_URL)

    with time_machine.travel(clock.now() + dt.timedelta(hours=1, seconds=1)):
        response = Client().get(path)

    assert response.status_code == 410
    assert "Este link de download expirou" in _body(response)
    assert not SealedDocumentDownload.objects.exists()


def test_a_tampered_link_reveals_nothing(sealed, settings):
    path = sealed_document_download_url(document=sealed).url.removeprefix(settings.PUBLIC_BASE_URL)
    tampered = path[:-6] + ("A" if path[-6] != "A" else "B") + path[-5:]

    response = Client().get(tampered)

    assert response.status_code == 404
    assert sealed.code not in _body(response)
    assert not SealedDocumentDownload.objects.exists()


def test_no_link_for_a_document_not_sealed(request_seal):
    with pytest.raises(Conflict):
        sealed_document_download_url(document=request_seal())


# --- public verification page -----------------------------------------------------------------


def _upload(data: bytes, name: str = "contrato.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return Client().post(
        reverse("verification:verify"), {"arquivo": SimpleUploadedFile(name, data)}
    )


def test_the_public_page_needs_no_login(db):
    page = Client().get(reverse("verification:verify"))
    assert page.status_code == 200 and 'name="arquivo"' in _body(page)


def test_uploading_the_sealed_pdf_says_valid(sealed):
    page = _upload(stored(sealed))

    assert page.status_code == 200
    body = _body(page)
    assert 'class="verdict ok">válido<' in body
    assert sealed.code in body and sealed.sha256 in body
    assert sealed.manifest["signers"][0]["cpf"] not in body  # masked


def test_uploading_a_copy_with_one_byte_changed_says_invalid_and_why(sealed):
    body = _body(_upload(one_byte_changed(stored(sealed))))

    assert 'class="verdict bad">inválido<' in body
    assert "O conteúdo foi alterado depois do selo" in body


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"\x89PNG\r\n not a pdf", 415, "O arquivo enviado não é um PDF."),
        (b"%PDF-1.7" + b"0" * 2000, 413, "O arquivo passa do limite de 1 KB."),
    ],
)
def test_upload_guards(db, settings, data, status, message):
    settings.EVIDENCE_VERIFY_MAX_UPLOAD_BYTES = 1000
    page = _upload(data)
    assert page.status_code == status
    assert message in _body(page)


def test_the_qr_code_page_verifies_by_code(sealed):
    page = Client().get(reverse("verification:code", args=[sealed.code]))
    assert page.status_code == 200 and "válido" in _body(page)
    typed = Client().get(reverse("verification:verify"), {"codigo": sealed.code.lower()})
    assert typed.status_code == 302 and typed["Location"].endswith(f"/verificar/{sealed.code}/")


def test_an_unknown_code_is_invalid(db):
    page = Client().get(reverse("verification:code", args=["ZZZZ-ZZZZ-ZZZZ-ZZZZ"]))
    assert page.status_code == 404
    assert "Não há documento selado com este código" in _body(page)
    typed = Client().get(reverse("verification:verify"), {"codigo": "12"})
    assert typed.status_code == 404 and "Código inválido" in _body(typed)
