"""The embedded PKI, a configured PKCS#12, the local RFC 3161 authority and `serve`."""

import asyncio
import hashlib
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from django.conf import settings as django_settings
from pyhanko.sign.timestamps import HTTPTimeStamper

from formaliza.core.aio import outside_event_loop
from formaliza.core.testing import run_queued_tasks
from formaliza.evidence import pki
from formaliza.evidence.models import SealedDocument
from formaliza.evidence.serving import local_tsa as serve_local_tsa
from formaliza.evidence.signature import validate_seal
from formaliza.evidence.tests.conftest import stored
from formaliza.evidence.tsa import TimeStampResp


def test_the_embedded_pki_is_generated_once_and_says_not_for_production(settings, tmp_path):
    settings.EVIDENCE_PKI_DIR = tmp_path / "pki"

    first = pki.embedded_pki()
    ca_bytes = first.path("ca.pem").read_bytes()
    again = pki.embedded_pki()

    assert again.path("ca.pem").read_bytes() == ca_bytes  # persisted, not regenerated
    for name in ("ca-key.pem", "tsa-key.pem", "seal.p12", "seal.p12.password"):
        assert first.path(name).stat().st_mode & 0o077 == 0, name  # secrets: owner only
    for cert in (first.ca_certificate, first.tsa_certificate, pki.signer().signing_cert):
        assert "NOT FOR PRODUCTION" in cert.subject.human_friendly
        assert "NÃO USAR EM PRODUÇÃO" in cert.subject.human_friendly
    assert first.tsa_certificate.extended_key_usage_value.native == ["time_stamping"]
    assert pki.signer().signing_cert.issuer == first.ca_certificate.subject
    assert "NÃO USAR EM PRODUÇÃO" in first.path("LEIA-ME.txt").read_text()


def test_a_configured_pkcs12_signs_and_only_configured_roots_are_trusted(
    kit, request_seal, local_tsa, settings, tmp_path, evidence_pki_dir
):
    production = pki.embedded_pki(tmp_path / "production")  # stands in for a purchased one
    settings.EVIDENCE_SIGNING_PKCS12 = str(production.path("seal.p12"))
    settings.EVIDENCE_SIGNING_PKCS12_PASSWORD = production.path("seal.p12.password").read_text()
    # The production CA, and the CA of the timestamp authority in use.
    settings.EVIDENCE_TRUST_ROOTS = [
        str(production.path("ca.pem")), str(pki.embedded_pki(evidence_pki_dir).path("ca.pem"))
    ]  # fmt: skip
    document = request_seal()

    run_queued_tasks()

    document.refresh_from_db()
    assert document.status == SealedDocument.Status.SEALED, document.last_error
    signer_cert = pki.signer().signing_cert
    assert signer_cert.issuer == production.ca_certificate.subject
    assert validate_seal(stored(document)).ok
    settings.EVIDENCE_TRUST_ROOTS = settings.EVIDENCE_TRUST_ROOTS[1:]  # drop the production CA
    assert "certificado" in {check.name for check in validate_seal(stored(document)).checks
                             if not check.ok}  # fmt: skip


def test_a_wrong_pkcs12_password_fails_the_seal_with_the_reason(
    request_seal, local_tsa, settings, evidence_pki_dir
):
    settings.EVIDENCE_SIGNING_PKCS12 = str(pki.embedded_pki(evidence_pki_dir).path("seal.p12"))
    settings.EVIDENCE_SIGNING_PKCS12_PASSWORD = "senha-errada"
    document = request_seal()

    run_queued_tasks()

    document.refresh_from_db()
    assert document.status == SealedDocument.Status.FAILED  # terminal: retrying cannot help
    assert document.last_error.startswith("Não foi possível abrir o certificado de assinatura")
    assert not document.file_name


def test_the_local_tsa_answers_rfc3161_queries(local_tsa):
    digest = hashlib.sha256(b"documento").digest()

    token = outside_event_loop(
        asyncio.run, HTTPTimeStamper(local_tsa).async_timestamp(digest, "sha256")
    )

    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    (signer_info,) = token["content"]["signer_infos"]
    certs = [c.chosen for c in token["content"]["certificates"]]
    assert any(pki.TSA_NAME in c.subject.human_friendly for c in certs)
    assert signer_info["signature"].native


def test_the_local_tsa_refuses_what_is_not_a_query(local_tsa):
    garbage = httpx.post(
        local_tsa, content=b"not asn1", headers={"Content-Type": "application/timestamp-query"}
    )
    assert garbage.headers["Content-Type"] == "application/timestamp-reply"
    status = TimeStampResp.load(garbage.content)["status"]
    assert (status["status"].native, status["fail_info"].native) == (
        "rejection",
        {"bad_data_format"},
    )
    assert (
        httpx.post(local_tsa, content=b"x", headers={"Content-Type": "text/plain"}).status_code
        == 415
    )
    assert httpx.get(local_tsa).status_code == 405


def test_serve_starts_the_local_tsa_only_with_the_embedded_pki(settings):
    settings.EVIDENCE_TSA_URL = "http://127.0.0.1:3161/"
    ((name, argv),) = serve_local_tsa(host="127.0.0.1", port=8000)
    assert name == "tsa" and argv[-5:] == ["evidence_tsa", "--host", "127.0.0.1", "--port", "3161"]

    settings.EVIDENCE_TSA_URL = "https://tsa.example.com/rfc3161"
    assert serve_local_tsa(host="127.0.0.1", port=8000) == []
    settings.EVIDENCE_TSA_URL = "http://127.0.0.1:3161/"
    settings.EVIDENCE_SIGNING_PKCS12 = "/etc/formaliza/selo.p12"
    assert serve_local_tsa(host="127.0.0.1", port=8000) == []


def test_the_evidence_tsa_command_serves_timestamps(settings, evidence_pki_dir):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "EVIDENCE_PKI_DIR": str(evidence_pki_dir)}
    process = subprocess.Popen(
        [sys.executable, str(django_settings.BASE_DIR / "manage.py"), "evidence_tsa",
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        # Generous: on a loaded machine Django's start-up alone can take many seconds. What is
        # tested is that the command serves timestamps, not how fast it starts.
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, "evidence_tsa exited before serving"
            try:
                token = outside_event_loop(
                    asyncio.run,
                    HTTPTimeStamper(url).async_timestamp(hashlib.sha256(b"x").digest(), "sha256"),
                )
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)  # waiting for the child process to listen, not for a schedule
        assert token["content_type"].native == "signed_data"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("code", ["", "abc", "ABCD-EFGH-JKMN-PQR0"])
def test_codes_that_cannot_exist_are_rejected_early(code):
    from formaliza.evidence.selectors import code_normalize

    assert code_normalize(code) == ""
