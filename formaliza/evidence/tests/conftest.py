"""Fixtures for evidence tests: sealing a realistic bundle through the real task, reading the
stored file, and poppler's `pdfsig` trusting the test CA through an NSS database."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.test import override_settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from formaliza.core import clock
from formaliza.core.testing import run_queued_tasks
from formaliza.evidence import pdf
from formaliza.evidence.bundle import bundle_to_manifest, sha256_hex
from formaliza.evidence.models import EvidenceChainHead, EvidenceEvent, SealedDocument
from formaliza.evidence.pki import embedded_pki
from formaliza.evidence.samples import sample_bundle
from formaliza.evidence.services import (
    EvidenceActor,
    evidence_event_record,
    evidence_events,
    sealed_document_request,
)
from formaliza.evidence.signature import validate_seal
from formaliza.evidence.tsa import url_of

SAMPLE_CODE = "TEST-2345-6789-ABCD"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    # Sealed files and sealing inputs of a test live in its own directory, not under var/; and
    # evidence is tested alone: callers plugged into its hooks (journeys) are not run here.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SEALED_HANDLERS = []
    settings.EVIDENCE_SEAL_FAILED_HANDLERS = []


def run_due_tasks(*, rounds: int = 20) -> None:
    """Run queued tasks as workers would over time: jump to each task's run_after in turn
    (retries with backoff) until nothing is left."""
    for _ in range(rounds):
        run_queued_tasks()
        upcoming = (
            DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by("run_after").first()
        )
        if upcoming is None:
            return
        with time_machine.travel(upcoming.run_after + dt.timedelta(seconds=1), tick=False):
            run_queued_tasks()


def stored(document: SealedDocument) -> bytes:
    with storages["default"].open(document.file_name, "rb") as handle:
        return handle.read()


@pytest.fixture
def request_seal(kit, fake):
    """Request a seal for a fresh sample journey of `kit` (nothing runs yet)."""

    def make(tenant=None, **kwargs) -> SealedDocument:
        tenant = tenant or kit.tenant
        bundle = kwargs.pop("bundle", None) or sample_bundle(tenant=tenant, fake=fake, **kwargs)
        return sealed_document_request(tenant=tenant, bundle=bundle, requested_by="Teste")

    return make


@pytest.fixture
def seal(request_seal, local_tsa):
    """Request and run the sealing task; returns the refreshed document."""

    def make(**kwargs) -> SealedDocument:
        document = request_seal(**kwargs)
        run_queued_tasks()
        document.refresh_from_db()
        assert document.status == SealedDocument.Status.SEALED, document.last_error
        return document

    return make


@pytest.fixture(scope="session")
def nss_db(tmp_path_factory, evidence_pki_dir):
    """An NSS certificate database that trusts the test CA (what pdfsig validates against)."""
    path = tmp_path_factory.mktemp("nssdb")
    ca = embedded_pki(evidence_pki_dir).path("ca.pem")
    subprocess.run(["certutil", "-N", "-d", f"sql:{path}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{path}", "-n", "formaliza-test-ca", "-t", "C,C,C",
         "-i", str(ca)],
        check=True,
    )  # fmt: skip
    return f"sql:{path}"


@pytest.fixture
def pdfsig(nss_db, tmp_path):
    """Run poppler's pdfsig on PDF bytes; returns its report."""

    def run(data: bytes) -> str:
        path = tmp_path / "checked.pdf"
        path.write_bytes(data)
        result = subprocess.run(
            ["pdfsig", "-nssdir", nss_db, str(path)], capture_output=True, text=True, check=False
        )
        return result.stdout + result.stderr

    return run


@pytest.fixture(scope="session")
def sealed_sample(django_db_setup, django_db_blocker, evidence_pki_dir, _local_tsa_server):
    """One sample journey produced and sealed by the real pipeline (its database rows are rolled
    back). Sealing is the slow part of these tests: tests that need "a document sealed earlier"
    share this one (see `sealed`); the pipeline itself is tested end to end in test_seal_production."""
    from formaliza.accounts.services import tenant_create

    settings = {
        "EVIDENCE_PKI_DIR": evidence_pki_dir, "EVIDENCE_SIGNING_PKCS12": "",
        "EVIDENCE_TRUST_ROOTS": [], "EVIDENCE_TSA_URL": url_of(_local_tsa_server),
    }  # fmt: skip
    with django_db_blocker.unblock(), override_settings(**settings), transaction.atomic():
        tenant = tenant_create(name="Promotora Amostra", slug="amostra-evidencias")
        bundle = sample_bundle(tenant=tenant, phone_is_own=False)
        events = evidence_events(subject=bundle.subject)
        url = f"https://formaliza.example/verificar/{SAMPLE_CODE}/"
        assembled = pdf.final_pdf_build(
            bundle=bundle, events=events, code=SAMPLE_CODE, verification_url=url,
            generated_at=clock.now(),
        )  # fmt: skip
        data = pdf.seal(
            pdf=assembled.data, stamps=assembled.stamps, label=bundle.reference_label,
            reference=bundle.reference, code=SAMPLE_CODE,
        )  # fmt: skip
        transaction.set_rollback(True)
    return SimpleNamespace(
        bundle=bundle, events=events, data=data, url=url, code=SAMPLE_CODE,
        check=validate_seal(data),
    )  # fmt: skip


@pytest.fixture
def sealed(kit, sealed_sample) -> SealedDocument:
    """A document of `kit` sealed earlier: the session's sealed sample, with its event chain and
    file, written into this test's database and storage as the sealing task leaves them."""
    sample = sealed_sample
    EvidenceChainHead.objects.create(
        tenant=kit.tenant, subject_type=sample.bundle.subject.type,
        subject_id=sample.bundle.subject.id, last_sequence=sample.events[-1].sequence,
        last_hash=sample.events[-1].hash,
    )  # fmt: skip
    copied = [f.name for f in EvidenceEvent._meta.concrete_fields if f.name not in ("id", "tenant")]
    for event in sample.events:
        EvidenceEvent.objects.create(
            tenant=kit.tenant, **{name: getattr(event, name) for name in copied}
        )
    document = SealedDocument(
        tenant=kit.tenant, subject_type=sample.bundle.subject.type,
        subject_id=sample.bundle.subject.id, reference=sample.bundle.reference,
        title=sample.bundle.title, code=sample.code, status=SealedDocument.Status.SEALED,
        attempts=1, requested_by="Teste",
        manifest=bundle_to_manifest(sample.bundle, save_blob=sha256_hex),
        sha256=sha256_hex(sample.data), size=len(sample.data),
        page_count=len(PdfReader(io.BytesIO(sample.data)).pages),
        chain_length=len(sample.events), chain_last_hash=sample.events[-1].hash,
        signer_certificate=sample.check.signer, timestamp_at=sample.check.timestamp_at,
        sealed_at=clock.now(),
    )  # fmt: skip
    document.file_name = storages["default"].save(
        f"evidence/{kit.tenant.pk}/{document.pk}/formaliza-{sample.code}.pdf",
        ContentFile(sample.data),
    )
    document.save()
    evidence_event_record(
        tenant=kit.tenant, subject=document.subject, kind="evidence.sealed",
        actor=EvidenceActor("system", "Formaliza (selo)"), data={"sha256": document.sha256},
    )  # fmt: skip
    return document
