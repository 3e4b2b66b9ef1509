"""A signed journey becomes one sealed, verifiable PDF, and the integrator is told: the whole way
through the services and the real tasks (local RFC 3161 TSA, embedded test PKI)."""

import hashlib
import io
import json
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from pypdf import PdfReader

from formaliza.accounts.roles import Role
from formaliza.core.errors import ApplicationError
from formaliza.core.testing import queued_tasks, run_queued_tasks
from formaliza.evidence.models import SealedDocument, SealedDocumentDownload
from formaliza.evidence.pdf import ATTACHMENT_NAME
from formaliza.evidence.selectors import sealed_document_for_subject
from formaliza.evidence.services import Subject, evidence_events
from formaliza.evidence.signature import validate_seal
from formaliza.evidence.tests.conftest import run_due_tasks, stored
from formaliza.evidence.tests.test_validators import TRUSTED, VALID, one_byte_changed
from formaliza.evidence.verification import verify_code
from formaliza.journeys import selectors, services
from formaliza.journeys.models import Journey, JourneyIssue, Step
from formaliza.journeys.tests.helpers import CLIENT_CTX, walk
from formaliza.proposals.models import Proposal
from formaliza.webhooks import signing
from formaliza.webhooks.models import WebhookEvent
from formaliza.webhooks.services import webhook_endpoint_create

COMPLETED = "formalization.completed"


def _subject(journey) -> Subject:
    return Subject("journey", str(journey.pk))


def _document(journey) -> SealedDocument | None:
    return sealed_document_for_subject(tenant=journey.tenant, subject=_subject(journey))


def _completed_events() -> list[WebhookEvent]:
    return list(WebhookEvent.objects.filter(type=COMPLETED))


def _flat(text: str) -> str:
    return re.sub(r"[\s\u200b]+", "", text)


@pytest.fixture
def hook(kit, receiver):
    return webhook_endpoint_create(
        tenant=kit.tenant, url=receiver.url + "/hook", event_types=[COMPLETED]
    )


@pytest.fixture
def signed(journey, outbox):
    """The journey signed through the services (its link message sent first)."""
    run_queued_tasks()
    return walk(journey, until=Step.DONE)


def test_signing_formalizes_at_once_and_leaves_the_seal_and_the_webhook_to_the_background(
    hook, signed, receiver
):
    # The client's side is done: proposals formalized, completion message queued.
    assert signed.status == Journey.Status.SIGNED
    proposals = Proposal.objects.filter(formalizations=signed.request)
    assert set(proposals.values_list("activity", flat=True)) == {"FORMALIZADA"}
    assert queued_tasks("journey_notification_send")
    # The seal was requested in the same transaction, and nothing told the integrator yet.
    document = _document(signed)
    assert document.status == SealedDocument.Status.PENDING
    assert document.reference == str(signed.pk)
    assert [t.args_kwargs["args"] for t in queued_tasks("sealed_document_seal")] == [
        [str(document.pk)]
    ]
    assert _completed_events() == []
    assert not [r for r in receiver.requests if r.headers.get("X-Formaliza-Event") == COMPLETED]


def test_the_sealed_pdf_validates_and_carries_the_journeys_evidence(
    kit, hook, signed, receiver, local_tsa, pdfsig, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()

    document = _document(signed)
    assert document.status == SealedDocument.Status.SEALED, document.last_error
    data = stored(document)
    assert hashlib.sha256(data).hexdigest() == document.sha256
    # Two independent validators accept it, and both refuse one changed byte.
    check = validate_seal(data)
    assert check.ok, check.problems
    report = pdfsig(data)
    assert VALID in report and TRUSTED in report and "Total document signed" in report
    tampered = one_byte_changed(data)
    assert not validate_seal(tampered).ok
    assert VALID not in pdfsig(tampered)

    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(pages, start=1):
        assert f"Jornada {signed.pk}  ·  página {number} de {len(pages)}" in text
    laudo = _flat("".join(p for p in pages if "Laudo de evidências" in p or "SHA-256" in p))
    contracts = list(signed.contracts.select_related("proposal").order_by("position"))
    for contract in contracts:
        assert contract.sha256 in laudo
    assert signed.terms.sha256 in laudo
    confirmed = next(e for e in evidence_events(subject=_subject(signed))
                     if e.kind == "conditions.confirmed")  # fmt: skip
    for conditions_hash in confirmed.data["items_sha256"].values():
        assert conditions_hash in laudo
    captures = {c.kind: c for c in signed.captures.filter(accepted=True)}
    for capture in captures.values():
        assert capture.original_sha256 in laudo and capture.display_sha256 in laudo

    evidence = json.loads(reader.attachments[ATTACHMENT_NAME][0])
    bundle = evidence["bundle"]
    assert bundle["reference"] == str(signed.pk)
    assert [c["sha256"] for c in bundle["contracts"]] == [c.sha256 for c in contracts]
    assert bundle["terms"]["sha256"] == signed.terms.sha256
    assert [(r["contract_number"], r["max_scroll_fraction"]) for r in bundle["reading"]] == [
        (c.proposal.number, 1.0) for c in contracts
    ]
    assert {i["kind"]: i["original_sha256"] for i in bundle["images"]} == {
        kind: c.original_sha256 for kind, c in captures.items()
    }
    assert {e["kind"] for e in evidence["chain"]["events"]} >= {
        "journey.created", "terms.accepted", "conditions.confirmed", "contract.read",
        "capture.accepted", "journey.signed",
    }  # fmt: skip


def test_the_integrator_gets_one_signed_webhook_with_a_working_download_link(
    kit, other_kit, hook, signed, receiver, local_tsa, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()

    document = _document(signed)
    (request,) = [r for r in receiver.requests if r.headers.get("X-Formaliza-Event") == COMPLETED]
    assert signing.verify(
        secret=hook.secret, body=request.body, header=request.headers[signing.SIGNATURE_HEADER]
    )
    data = request.json()["data"]
    assert data["formalization"]["id"] == str(signed.request_id)
    assert data["formalization"]["number"] == signed.request.number
    proposals = Proposal.objects.filter(formalizations=signed.request).order_by("created_at")
    assert data["formalization"]["proposals"] == [
        {"id": str(p.pk), "number": p.number, "external_id": p.external_id} for p in proposals
    ]
    assert data["journey"]["id"] == str(signed.pk)
    doc = data["document"]
    assert (doc["sha256"], doc["code"]) == (document.sha256, document.code)
    assert doc["verification_url"] == f"https://formaliza.test/verificar/{document.code}/"
    assert doc["download_expires_at"] and doc["pages"] == document.page_count

    response = Client().get(urlsplit(doc["download_url"]).path)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == doc["sha256"]
    assert document.downloads.get().via == SealedDocumentDownload.Via.LINK
    # The journey page's download is the back office's (logged); another tenant gets a 404.
    stranger = other_kit.client_for(Role.ADMIN)
    assert stranger.get(f"/evidencias/{document.pk}/baixar/").status_code == 404
    assert stranger.get(f"/jornadas/{signed.pk}/").status_code == 404
    assert document.downloads.count() == 1
    page = kit.client_for(Role.MANAGER).get(f"/jornadas/{signed.pk}/").content.decode()
    assert f"/evidencias/{document.pk}/baixar/" in page
    assert kit.client_for(Role.MANAGER).get(f"/evidencias/{document.pk}/baixar/").status_code == 200
    assert document.downloads.count() == 2
    assert verify_code(code=doc["code"]).valid

    signed.refresh_from_db()
    assert signed.integrator_event_id == _completed_events()[0].pk
    # A re-run of the handler (a duplicate task) emits nothing new.
    assert services.journey_sealed_notify(document_id=str(document.pk)) == "already_notified"
    from formaliza.journeys.tasks import journey_sealed

    journey_sealed.enqueue(str(document.pk))
    run_queued_tasks()
    assert len(_completed_events()) == 1
    assert (
        len([r for r in receiver.requests if r.headers.get("X-Formaliza-Event") == COMPLETED]) == 1
    )


def test_a_failed_seal_shows_up_in_pendencias_and_on_the_journey_and_a_retry_recovers(
    kit, hook, signed, receiver, settings, request
):
    settings.EVIDENCE_SEAL_MAX_ATTEMPTS = 2  # the TSA is down (nothing listens on the test URL)
    run_due_tasks()

    document = _document(signed)
    assert document.status == SealedDocument.Status.FAILED
    assert "carimbo do tempo" in document.last_error
    (issue,) = JourneyIssue.objects.filter(journey=signed, kind=JourneyIssue.Kind.SEAL)
    assert (issue.status, issue.sealed_document_id) == ("open", document.pk)
    assert _completed_events() == []
    manager = kit.client_for(Role.MANAGER)
    pendencias = manager.get("/jornadas/pendencias/").content.decode()
    assert "Falha na selagem do documento" in pendencias
    assert document.last_error in pendencias
    assert f"/evidencias/{document.pk}/" in pendencias
    page = manager.get(f"/jornadas/{signed.pk}/").content.decode()
    assert 'id="seal-status">Falhou' in page and document.last_error in page
    assert "tentar selar de novo" in page
    # The operator cannot make it disappear by hand: it closes when the document is sealed.
    with pytest.raises(ApplicationError) as err:
        services.journey_issue_resolve(
            actor=kit.actor(Role.OPERATOR), issue_id=issue.pk, resolution="ok", resume=False
        )
    assert err.value.code == "seal_issue_resolves_itself"
    issue.refresh_from_db()
    assert issue.status == "open"

    # Failing again updates the same task.
    assert services.journey_seal_failure_report(document_id=str(document.pk)) == "updated"
    assert JourneyIssue.objects.filter(journey=signed, kind=JourneyIssue.Kind.SEAL).count() == 1

    request.getfixturevalue("local_tsa")  # the TSA is back
    assert manager.post(f"/evidencias/{document.pk}/repetir/").status_code == 302
    run_due_tasks()

    document.refresh_from_db()
    issue.refresh_from_db()
    assert document.status == SealedDocument.Status.SEALED
    assert issue.status == JourneyIssue.Status.RESOLVED and document.code in issue.resolution
    assert len(_completed_events()) == 1
    page = manager.get(f"/jornadas/{signed.pk}/").content.decode()
    assert 'id="seal-status">Selado' in page and document.sha256 in page
    assert f"/evidencias/{document.pk}/baixar/" in page


def test_a_journey_cannot_be_signed_when_its_evidence_is_gone(journey, outbox):
    walk(journey, until=Step.CONFIRM)
    selfie = journey.captures.get(kind="selfie", accepted=True)
    selfie.image.storage.delete(selfie.image.name)

    with pytest.raises(ApplicationError) as err:
        services.journey_sign(journey_id=journey.pk, context=CLIENT_CTX)

    assert err.value.code == "evidence_unavailable"
    journey.refresh_from_db()
    assert (journey.status, journey.signed_at) == ("active", None)
    assert journey.request.status == "open"
    proposals = Proposal.objects.filter(formalizations=journey.request)
    assert set(proposals.values_list("activity", flat=True)) == {"AGUARDA_FORMALIZACAO_DIGITAL"}
    assert _document(journey) is None and queued_tasks("sealed_document_seal") == []
    assert not journey.notifications.filter(kind="completion").exists()
    assert not any(e.kind == "journey.signed" for e in evidence_events(subject=_subject(journey)))


def test_seal_pages_and_actions_are_isolated_per_tenant(kit, other_kit, signed, settings):
    settings.EVIDENCE_SEAL_MAX_ATTEMPTS = 1
    run_due_tasks()
    document = _document(signed)
    issue = JourneyIssue.objects.get(journey=signed, kind=JourneyIssue.Kind.SEAL)
    stranger = other_kit.client_for(Role.ADMIN)

    assert stranger.get(f"/jornadas/{signed.pk}/").status_code == 404
    assert stranger.get(f"/evidencias/{document.pk}/").status_code == 404
    assert stranger.post(f"/evidencias/{document.pk}/repetir/").status_code == 404
    assert str(signed.pk) not in stranger.get("/jornadas/pendencias/").content.decode()
    assert stranger.get("/jornadas/").content.decode().count("selo falhou") == 0
    response = stranger.post(
        f"/jornadas/pendencias/{issue.pk}/resolver/", {"resolution": "fechando"}
    )
    assert response.status_code == 404
    document.refresh_from_db()
    issue.refresh_from_db()
    assert (document.status, issue.status) == ("failed", "open")
    assert "selo falhou" in kit.client_for(Role.ADMIN).get("/jornadas/").content.decode()


def test_the_handlers_leave_documents_that_are_not_ready_or_not_a_journeys_alone(kit, signed):
    from formaliza.evidence.samples import sample_bundle
    from formaliza.evidence.services import sealed_document_request

    pending = _document(signed)
    assert services.journey_sealed_notify(document_id=str(pending.pk)) == "not_sealed"
    assert services.journey_seal_failure_report(document_id=str(pending.pk)) == "not_failed"
    foreign = sealed_document_request(
        tenant=kit.tenant, bundle=sample_bundle(tenant=kit.tenant, contracts=1, pages=1)
    )
    SealedDocument.objects.filter(pk=foreign.pk).update(status=SealedDocument.Status.FAILED)
    assert services.journey_seal_failure_report(document_id=str(foreign.pk)) == "ignored"
    assert services.journey_sealed_notify(document_id="not-a-uuid") == "ignored"

    signed.refresh_from_db()
    assert signed.integrator_notified_at is None
    assert not JourneyIssue.objects.exists() and _completed_events() == []


def test_contracts_are_rendered_in_the_background_and_the_seal_only_assembles_them(
    signed, local_tsa, monkeypatch
):
    contracts = list(signed.contracts.all())
    assert contracts
    assert all(c.rendered_pdf for c in contracts)  # rendered by the task queued at the start
    for contract in contracts:
        assert selectors.contract_rendered_pdf(contract).startswith(b"%PDF-")

    def must_not_render(html):
        raise AssertionError("the seal rendered a contract that was rendered ahead")

    monkeypatch.setattr("formaliza.evidence.pdf.html_to_pdf", must_not_render)
    run_queued_tasks()

    document = _document(signed)
    assert document.status == SealedDocument.Status.SEALED, document.last_error
    assert validate_seal(stored(document)).ok


def test_the_seal_renders_a_contract_itself_when_the_background_render_has_not_run(
    journey, outbox, local_tsa
):
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path__endswith="journey_contracts_render").delete()
    signed = walk(journey, until=Step.DONE)
    assert not any(c.rendered_pdf for c in signed.contracts.all())

    run_queued_tasks()

    document = _document(signed)
    assert document.status == SealedDocument.Status.SEALED, document.last_error
    assert validate_seal(stored(document)).ok
