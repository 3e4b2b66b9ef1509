"""Fixtures for evidence tests: sealing a realistic bundle through the real task, reading the
stored file, and poppler's `pdfsig` trusting the test CA through an NSS database."""

from __future__ import annotations

import subprocess
from types import SimpleNamespace

import pytest
from django.core.files.storage import storages
from django.db import transaction
from django.test import override_settings

from formaliza.core import clock
from formaliza.core.testing import run_queued_tasks
from formaliza.evidence import pdf
from formaliza.evidence.models import SealedDocument
from formaliza.evidence.pki import embedded_pki
from formaliza.evidence.samples import sample_bundle
from formaliza.evidence.services import evidence_events, sealed_document_request
from formaliza.evidence.tsa import url_of

SAMPLE_CODE = "TEST-2345-6789-ABCD"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Sealed files and sealing inputs of a test live in its own directory, not under var/.
    settings.MEDIA_ROOT = tmp_path / "media"


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


@pytest.fixture
def sealed(seal):
    return seal()


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


@pytest.fixture(scope="module")
def sealed_sample(django_db_setup, django_db_blocker, evidence_pki_dir, _local_tsa_server):
    """One sample journey produced and sealed by the real pipeline, for tests that only read the
    resulting bytes (its database rows are rolled back). Sealing is the slow part of these
    tests, so a module shares one."""
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
    return SimpleNamespace(bundle=bundle, events=events, data=data, url=url, code=SAMPLE_CODE)
