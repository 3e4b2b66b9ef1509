import dataclasses
import datetime as dt
import io

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from pypdf import PdfReader

from formaliza.core import clock
from formaliza.core.errors import NotFound, PermissionDenied
from formaliza.core.testing import queued_tasks, run_queued_tasks
from formaliza.evidence.bundle import sha256_hex
from formaliza.evidence.models import EvidenceEvent, SealedDocument
from formaliza.evidence.services import (
    evidence_chain_verify,
    sealed_document_retry,
    sealed_document_seal,
    sealed_documents_sweep,
)
from formaliza.evidence.tests import handlers
from formaliza.evidence.tests.conftest import run_due_tasks, stored

DEAD_TSA = "http://127.0.0.1:9/"  # discard port: nothing answers
SEALED = "formaliza.evidence.tests.handlers.on_sealed"
FAILED = "formaliza.evidence.tests.handlers.on_failed"


@pytest.fixture(autouse=True)
def _handlers(settings):
    handlers.CALLS.clear()
    settings.EVIDENCE_SEALED_HANDLERS = [SEALED]
    settings.EVIDENCE_SEAL_FAILED_HANDLERS = [FAILED]
    settings.EVIDENCE_SEAL_MAX_ATTEMPTS = 3


def _storage_names(prefix: str) -> list[str]:
    try:
        return storages["default"].listdir(prefix)[1]
    except FileNotFoundError:
        return []


def test_request_records_a_pending_document_and_its_task(request_seal):
    document = request_seal()

    assert document.status == SealedDocument.Status.PENDING
    assert len(document.code) == 19 and document.code.count("-") == 3
    (task,) = queued_tasks("sealed_document_seal")
    assert task.args_kwargs["args"] == [str(document.pk)] and task.queue_name == "sealing"
    # Contracts and images were copied to private storage, named by their hash.
    names = _storage_names(document.inputs_path)
    assert len(names) == 2 + 3 and all(len(n) == 64 for n in names)
    assert document.attempt_log.count() == 0


def test_requesting_again_returns_the_same_document(kit, fake, request_seal):
    from formaliza.evidence.samples import sample_bundle
    from formaliza.evidence.services import sealed_document_request

    bundle = sample_bundle(tenant=kit.tenant, fake=fake, contracts=1, pages=1)
    first = sealed_document_request(tenant=kit.tenant, bundle=bundle)
    again = sealed_document_request(tenant=kit.tenant, bundle=bundle)
    assert again.pk == first.pk
    assert len(queued_tasks("sealed_document_seal")) == 1


def test_the_task_seals_stores_and_tells_the_handlers(
    request_seal, local_tsa, django_capture_on_commit_callbacks
):
    document = request_seal()

    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()

    document.refresh_from_db()
    assert (document.status, document.last_error, document.attempts) == ("sealed", "", 1)
    data = stored(document)
    assert data.startswith(b"%PDF-")
    assert (document.sha256, document.size) == (sha256_hex(data), len(data))
    assert document.page_count > 4  # 2 contracts x 2 pages, then the report
    assert "NOT FOR PRODUCTION" in document.signer_certificate
    assert abs(document.timestamp_at - clock.now()) < dt.timedelta(minutes=1)
    (attempt,) = document.attempt_log.all()
    assert (attempt.error, attempt.will_retry) == ("", False) and attempt.finished_at
    # The seal is itself evidence: appended after the events the report shows.
    sealed_event = EvidenceEvent.objects.filter(
        subject_type=document.subject_type, subject_id=document.subject_id
    ).last()
    assert sealed_event.kind == "evidence.sealed"
    assert sealed_event.sequence == document.chain_length + 1
    assert sealed_event.data["sha256"] == document.sha256
    assert evidence_chain_verify(subject=document.subject).ok
    # The caller learns about it through its task; the sealing copies are gone.
    assert [("sealed", str(document.pk), "sealed")] == handlers.CALLS
    assert _storage_names(document.inputs_path) == []


def test_the_task_is_idempotent(seal):
    sealed = seal()
    before = stored(sealed)

    assert sealed_document_seal(document_id=str(sealed.pk)) == "skipped"

    sealed.refresh_from_db()
    assert (sealed.attempts, sealed.attempt_log.count()) == (1, 1)
    assert stored(sealed) == before
    assert EvidenceEvent.objects.filter(kind="evidence.sealed").count() == 1


def test_timestamp_authority_down_is_retried_visibly_then_succeeds(
    request_seal, local_tsa, settings
):
    settings.EVIDENCE_TSA_URL = DEAD_TSA
    document = request_seal()

    run_queued_tasks()

    document.refresh_from_db()
    assert document.status == SealedDocument.Status.PENDING
    assert "carimbo do tempo não respondeu" in document.last_error
    assert document.next_attempt_at > clock.now()
    (attempt,) = document.attempt_log.all()
    assert attempt.will_retry and "carimbo do tempo" in attempt.error
    assert not document.file_name
    assert _storage_names(f"evidence/{document.tenant_id}/{document.pk}") == []
    assert handlers.CALLS == []  # nobody is told "sealed"
    (retry,) = queued_tasks("sealed_document_seal")
    assert retry.run_after == document.next_attempt_at

    settings.EVIDENCE_TSA_URL = local_tsa  # the authority is back
    run_due_tasks()

    document.refresh_from_db()
    assert (document.status, document.last_error) == ("sealed", "")
    assert [a.will_retry for a in document.attempt_log.all()] == [True, False]
    assert [("sealed", str(document.pk), "sealed")] == handlers.CALLS


def test_a_seal_that_keeps_failing_ends_failed_with_its_reason(request_seal):
    document = request_seal()

    run_due_tasks()

    document.refresh_from_db()
    assert document.status == SealedDocument.Status.FAILED
    assert "carimbo do tempo não respondeu" in document.last_error
    assert document.attempt_log.count() == 3
    assert [a.will_retry for a in document.attempt_log.all()] == [True, True, False]
    assert [("failed", str(document.pk), "failed")] == handlers.CALLS
    assert not queued_tasks("sealed_document_seal")


def test_a_failed_seal_can_be_retried_from_the_back_office(kit, request_seal, local_tsa, settings):
    settings.EVIDENCE_TSA_URL = DEAD_TSA
    settings.EVIDENCE_SEAL_MAX_ATTEMPTS = 1
    document = request_seal()
    run_due_tasks()
    document.refresh_from_db()
    assert document.status == SealedDocument.Status.FAILED

    settings.EVIDENCE_TSA_URL = local_tsa
    sealed_document_retry(actor=kit.actor("manager"), document_id=str(document.pk))
    document.refresh_from_db()
    assert (document.status, document.attempts) == ("pending", 0)

    run_queued_tasks()

    document.refresh_from_db()
    assert document.status == SealedDocument.Status.SEALED, document.last_error
    assert document.last_error == ""
    assert document.attempt_log.count() == 2


def test_retry_needs_the_permission_and_the_tenant(kit, other_kit, request_seal, settings):
    settings.EVIDENCE_SEAL_MAX_ATTEMPTS = 1
    document = request_seal()
    run_due_tasks()

    with pytest.raises(PermissionDenied):
        sealed_document_retry(actor=kit.actor("correspondent"), document_id=str(document.pk))
    with pytest.raises(NotFound):
        sealed_document_retry(actor=other_kit.actor("manager"), document_id=str(document.pk))

    document.refresh_from_db()
    assert document.status == SealedDocument.Status.FAILED
    assert not queued_tasks("sealed_document_seal")


def test_a_broken_chain_fails_at_once_without_retries(request_seal, local_tsa):
    document = request_seal()
    event = EvidenceEvent.objects.filter(subject_id=document.subject_id, sequence=3).get()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM evidence_evidenceevent WHERE id = %s", [event.pk])

    run_queued_tasks()

    document.refresh_from_db()
    assert document.status == SealedDocument.Status.FAILED
    assert document.last_error.startswith("Cadeia de eventos quebrada: Evento nº 3 ausente")
    assert document.attempt_log.count() == 1 and not document.file_name
    assert [("failed", str(document.pk), "failed")] == handlers.CALLS


def test_an_input_altered_in_storage_fails_the_seal(request_seal, local_tsa):
    document = request_seal()
    storage = storages["default"]
    name = f"{document.inputs_path}/{_storage_names(document.inputs_path)[0]}"
    storage.delete(name)
    storage.save(name, ContentFile(b"trocado"))

    run_queued_tasks()

    document.refresh_from_db()
    assert document.status == SealedDocument.Status.FAILED
    assert "foi alterado no armazenamento" in document.last_error


def test_the_sweep_requeues_a_seal_whose_task_was_lost(request_seal):
    document = request_seal()
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()  # the worker died with the task

    with time_machine.travel(clock.now() + dt.timedelta(minutes=10)):
        assert sealed_documents_sweep() == 1
    (task,) = queued_tasks("sealed_document_seal")
    assert task.args_kwargs["args"] == [str(document.pk)]
    assert sealed_documents_sweep(grace_seconds=10**6) == 0  # nothing else is overdue


def test_html_contracts_are_rendered_without_fetching_anything(kit, fake, seal, receiver, tmp_path):
    from formaliza.evidence.bundle import ContractDocument, contract_sha256
    from formaliza.evidence.samples import sample_bundle

    secret = tmp_path / "segredo.txt"
    secret.write_text("não pode vazar")
    html = (
        f'<html><head><link rel="stylesheet" href="{receiver.url}/estilo.css"></head><body>'
        f'<h1>Contrato em HTML</h1><img src="{receiver.url}/logo.png">'
        f'<iframe src="file://{secret}"></iframe><object data="file://{secret}"></object>'
        "<p>Cláusula única.</p></body></html>"
    )
    bundle = sample_bundle(tenant=kit.tenant, fake=fake, contracts=1, pages=1)
    contract = ContractDocument(
        title="Contrato HTML", contract_number=bundle.contracts[0].contract_number,
        sha256=contract_sha256(html=html), html=html,
    )  # fmt: skip
    document = seal(bundle=dataclasses.replace(bundle, contracts=(contract,)))

    assert receiver.requests == []  # nothing was fetched while rendering
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(stored(document))).pages)
    assert "Contrato em HTML" in text and "Cláusula única." in text
    assert "não pode vazar" not in text
    assert "(HTML exibido ao cliente, em UTF-8)" in text


def _pdf_with_pages_without_content() -> bytes:
    """A scanner-style PDF: a blank page with no /Contents at all, a rotated one likewise, and
    one page whose /Contents is an empty array."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, NameObject

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    rotated = writer.add_blank_page(width=595, height=842)
    rotated.rotate(90)
    empty = writer.add_blank_page(width=595, height=842)
    empty[NameObject("/Contents")] = ArrayObject()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pages_without_a_content_stream_are_stamped_and_sealed(kit, fake, seal):
    from formaliza.evidence.bundle import ContractDocument, contract_sha256
    from formaliza.evidence.samples import sample_bundle
    from formaliza.evidence.signature import validate_seal

    data = _pdf_with_pages_without_content()
    assert all("/Contents" not in page or not page["/Contents"] for page in PdfReader(
        io.BytesIO(data)).pages)  # fmt: skip
    bundle = sample_bundle(tenant=kit.tenant, fake=fake, contracts=1, pages=1)
    contract = ContractDocument(
        title="Digitalizado em branco", contract_number=bundle.contracts[0].contract_number,
        sha256=contract_sha256(pdf=data), pdf=data,
    )  # fmt: skip
    document = seal(bundle=dataclasses.replace(bundle, contracts=(contract,)))

    sealed = stored(document)
    pages = PdfReader(io.BytesIO(sealed)).pages
    total = len(pages)
    for number in (1, 2, 3):  # the contract's pages, now carrying the stamp
        assert f"página {number} de {total}" in pages[number - 1].extract_text()
    check = validate_seal(sealed)
    assert check.ok, check.problems
