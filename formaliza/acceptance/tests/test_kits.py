"""Aceite digital end to end (service + client pages): send by e-mail, the client opens, reads
each PDF to the end, accepts; the kit is sealed by formaliza/evidence and verifiable. Past the
deadline: "Expirado", nothing accepted."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client

from formaliza.acceptance.models import AcceptanceKit, CertifiedMessage, ContactActivity
from formaliza.acceptance.services import KitFile, kit_send
from formaliza.acceptance.tests.helpers import email_channel, pdf_bytes, person
from formaliza.accounts.roles import Role
from formaliza.core import clock
from formaliza.core.errors import ValidationFailed
from formaliza.core.testing import run_queued_tasks
from formaliza.evidence.models import EvidenceEvent


@pytest.fixture
def maria(kit):
    return person(kit.tenant)


@pytest.fixture
def channel(kit):
    return email_channel(kit.tenant)


def send(kit, maria, channel, *, days=3, files=None):
    return kit_send(
        actor=kit.actor(Role.OPERATOR), contact=maria, title="Contrato de adesão",
        message="Seguem os documentos para o seu aceite.", channel=channel,
        address="maria@example.com", deadline=clock.now() + dt.timedelta(days=days),
        files=files or [KitFile("Contrato", "CT-1001", pdf_bytes(2)),
                        KitFile("Termo LGPD", "LG-1001", pdf_bytes(1))],
    )  # fmt: skip


def client_link() -> str:
    body = mail.outbox[-1].body
    return re.search(r"http://\S+/a/r/\S+/", body).group(0)


def test_kit_from_send_to_sealed_report(
    kit, maria, channel, local_tsa, django_capture_on_commit_callbacks
):
    acc = send(kit, maria, channel)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()
    assert mail.outbox and "Seguem os documentos" in mail.outbox[-1].body
    certified = CertifiedMessage.objects.get(kit=acc)
    browser = Client()
    # The tracking link records the click and leads to the kit.
    r = browser.get(client_link().replace("http://127.0.0.1:8000", ""))
    assert r.status_code == 302
    certified.refresh_from_db()
    assert certified.clicked_at is not None
    page = browser.get(r["Location"])
    assert page.status_code == 200 and "Li e aceito" in page.content.decode()
    token = r["Location"].rstrip("/").rsplit("/", 1)[-1]
    documents = list(acc.documents.order_by("position"))
    # Accepting before reading is refused.
    refused = browser.post(f"/a/{token}/aceitar/")
    assert refused.status_code == 409 and "Leia todos os documentos" in refused.content.decode()
    image = browser.get(f"/a/{token}/d/{documents[0].public_id}/p/1.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    for document in documents:
        r = browser.post(f"/a/{token}/d/{document.public_id}/leitura/", {"fraction": "1"})
        assert r.status_code == 200 and r.json()["read"]
    assert r.json()["all_read"]
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(f"/a/{token}/aceitar/").status_code == 302
        run_queued_tasks()
    acc.refresh_from_db()
    assert acc.status == "accepted" and acc.sealed_document.status == "sealed", (
        acc.sealed_document.last_error
    )
    kinds = list(EvidenceEvent.objects.filter(subject_id=str(acc.public_id))
                 .order_by("sequence").values_list("kind", flat=True))  # fmt: skip
    assert kinds[:2] == ["kit.sent", "kit.opened"] and "kit.accepted" in kinds
    assert kinds[-1] == "evidence.sealed"
    assert ContactActivity.objects.filter(contact=maria, kind="kit.sealed").count() == 2
    # The operator downloads the final version with the report; anyone can verify it.
    operator = kit.client_for(Role.OPERATOR)
    report = operator.get(f"/contatos/kits/{acc.public_id}/laudo/")
    assert report.status_code == 200
    data = b"".join(report.streaming_content)
    assert data.startswith(b"%PDF-")
    verdict = Client().get(f"/verificar/{acc.sealed_document.code}/")
    assert verdict.status_code == 200
    tab = operator.get(f"/contatos/{maria.public_id}/", {"aba": "aceite"}).content.decode()
    assert "Documento final com laudo" in tab


def test_after_the_deadline_expired_and_nothing_accepted(kit, maria, channel):
    acc = send(kit, maria, channel)
    run_queued_tasks()
    token = re.search(r"/a/r/(\S+)/", mail.outbox[-1].body).group(1)
    target = CertifiedMessage.objects.get(tracking_token=token).link_target
    path = target.replace("http://127.0.0.1:8000", "")
    AcceptanceKit.objects.filter(pk=acc.pk).update(deadline=clock.now() - dt.timedelta(minutes=1))
    browser = Client()
    r = browser.get(path)
    assert r.status_code == 410 and "Expirado" in r.content.decode()
    r = browser.post(path + "aceitar/")
    assert r.status_code == 410 and "Expirado" in r.content.decode()
    acc.refresh_from_db()
    assert acc.status == "waiting" and acc.accepted_at is None and acc.sealed_document is None
    assert (
        EvidenceEvent.objects.filter(subject_id=str(acc.public_id), kind="kit.accepted").count()
        == 0
    )
    tab = kit.client_for(Role.OPERATOR).get(f"/contatos/{maria.public_id}/", {"aba": "aceite"})
    assert 'data-status="expired"' in tab.content.decode()
    assert "Documento final com laudo" not in tab.content.decode()


def test_forged_token_is_404(db):
    assert Client().get("/a/" + "x" * 43 + "/").status_code == 404


@pytest.mark.parametrize(
    ("files", "code"),
    [([KitFile("x", "1", b"not a pdf")], "not_pdf"),
     ([KitFile("a", "1", pdf_bytes()), KitFile("b", "1", pdf_bytes())], "number")],
)  # fmt: skip
def test_bad_files_are_refused(kit, maria, channel, files, code):
    with pytest.raises(ValidationFailed) as exc:
        send(kit, maria, channel, files=files)
    assert code in [f.code for f in exc.value.fields]
    assert not AcceptanceKit.objects.exists()


def test_oversized_pdf_is_refused(kit, maria, channel, settings):
    settings.ACCEPTANCE_MAX_FILE_BYTES = 100
    with pytest.raises(ValidationFailed) as exc:
        send(kit, maria, channel)
    assert "too_large" in [f.code for f in exc.value.fields]


def test_other_tenant_kit_report_is_404(kit, other_kit, maria, channel):
    acc = send(kit, maria, channel)
    assert (
        other_kit.client_for(Role.OPERATOR)
        .get(f"/contatos/kits/{acc.public_id}/laudo/")
        .status_code
        == 404
    )


def test_a_kit_asking_for_a_selfie_checks_it_and_seals_it_with_the_report(
    kit, maria, channel, local_tsa, django_capture_on_commit_callbacks
):
    from formaliza.journeys.tests.helpers import document_frame, face_frame, jpeg

    acc = kit_send(
        actor=kit.actor(Role.OPERATOR), contact=maria, title="Contrato", message="Aceite.",
        channel=channel, address="maria@example.com", deadline=clock.now() + dt.timedelta(days=2),
        files=[KitFile("Contrato", "CT-2001", pdf_bytes(1))], require_selfie=True,
    )  # fmt: skip
    run_queued_tasks()
    browser = Client()
    token = browser.get(client_link().replace("http://127.0.0.1:8000", ""))["Location"]
    token = token.rstrip("/").rsplit("/", 1)[-1]
    page = browser.get(f"/a/{token}/").content.decode()
    assert "Este aceite pede uma foto do seu rosto" in page
    document = acc.documents.get()
    assert browser.post(f"/a/{token}/d/{document.public_id}/leitura/", {"fraction": "1"}).json()[
        "all_read"
    ]
    # Read but no selfie yet: the button stays disabled and the service refuses.
    assert 'id="accept" disabled' in browser.get(f"/a/{token}/").content.decode()
    refused = browser.post(f"/a/{token}/aceitar/")
    assert (
        refused.status_code == 409
        and "Envie a selfie antes de aceitar." in refused.content.decode()
    )
    # A photo without a face is refused with what to do, and counted.
    from django.core.files.uploadedfile import SimpleUploadedFile

    no_face = SimpleUploadedFile("foto.jpg", jpeg(document_frame(size=(800, 600))), "image/jpeg")
    r = browser.post(f"/a/{token}/selfie/", {"photo": no_face})
    assert r.status_code == 422 and "Não encontramos seu rosto na foto" in r.content.decode()
    selfie = SimpleUploadedFile("selfie.jpg", jpeg(face_frame()), "image/jpeg")
    assert browser.post(f"/a/{token}/selfie/", {"photo": selfie}).status_code == 302
    acc.refresh_from_db()
    assert acc.selfie_file and acc.selfie_retakes == 1 and acc.selfie_face["box"]
    assert 'id="selfie-done"' in browser.get(f"/a/{token}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(f"/a/{token}/aceitar/").status_code == 302
        run_queued_tasks()
    acc.refresh_from_db()
    assert acc.sealed_document.status == "sealed", acc.sealed_document.last_error
    kinds = list(EvidenceEvent.objects.filter(subject_id=str(acc.public_id))
                 .values_list("kind", flat=True))  # fmt: skip
    assert {"kit.selfie_refused", "kit.selfie", "kit.accepted"} <= set(kinds)
    # After acceptance no other selfie is taken.
    again = SimpleUploadedFile("selfie.jpg", jpeg(face_frame()), "image/jpeg")
    assert browser.post(f"/a/{token}/selfie/", {"photo": again}).status_code == 409


def test_a_selfie_for_a_kit_that_does_not_ask_or_past_the_deadline_is_refused(kit, maria, channel):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from formaliza.journeys.tests.helpers import face_frame, jpeg

    acc = send(kit, maria, channel)
    run_queued_tasks()
    token = Client().get(client_link().replace("http://127.0.0.1:8000", ""))["Location"]
    token = token.rstrip("/").rsplit("/", 1)[-1]
    photo = SimpleUploadedFile("selfie.jpg", jpeg(face_frame()), "image/jpeg")
    r = Client().post(f"/a/{token}/selfie/", {"photo": photo})
    assert r.status_code == 409 and "Este aceite não pede selfie." in r.content.decode()
    AcceptanceKit.objects.filter(pk=acc.pk).update(require_selfie=True,
                                                   deadline=clock.now() - dt.timedelta(minutes=1))  # fmt: skip
    photo.seek(0)
    r = Client().post(f"/a/{token}/selfie/", {"photo": photo})
    assert r.status_code == 410 and "Expirado" in r.content.decode()
    acc.refresh_from_db()
    assert not acc.selfie_file
