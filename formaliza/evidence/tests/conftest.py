"""Fixtures for evidence tests: sealing a realistic bundle through the real task, reading the
stored file, and poppler's `pdfsig` trusting the test CA through an NSS database."""

from __future__ import annotations

import subprocess

import pytest
from django.core.files.storage import storages

from formaliza.core.testing import run_queued_tasks
from formaliza.evidence.models import SealedDocument
from formaliza.evidence.pki import embedded_pki
from formaliza.evidence.samples import sample_bundle
from formaliza.evidence.services import sealed_document_request


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
def nss_db(tmp_path_factory, _evidence_pki_dir):
    """An NSS certificate database that trusts the test CA (what pdfsig validates against)."""
    path = tmp_path_factory.mktemp("nssdb")
    ca = embedded_pki(_evidence_pki_dir).path("ca.pem")
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
