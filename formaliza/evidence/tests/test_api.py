"""The public verification API: no API key; upload a PDF or ask by code."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from formaliza.evidence.tests.conftest import stored
from formaliza.evidence.tests.test_validators import one_byte_changed

URL = "/api/v1/verify"


def _post(data: bytes):
    return Client().post(URL, {"arquivo": SimpleUploadedFile("x.pdf", data)})


def test_a_sealed_pdf_is_valid_without_an_api_key(sealed):
    response = _post(stored(sealed))

    assert response.status_code == 200
    body = response.json()
    assert (body["valid"], body["verdict"]) == (True, "válido")
    assert body["sha256"] == sealed.sha256
    assert body["document"]["code"] == sealed.code
    assert [c["name"] for c in body["checks"]][-2:] == ["registro", "cadeia"]
    assert all(c["ok"] for c in body["checks"])
    assert "NOT FOR PRODUCTION" in body["signed_by"]


def test_one_changed_byte_is_invalid_with_the_reason(sealed):
    body = _post(one_byte_changed(stored(sealed))).json()
    assert (body["valid"], body["verdict"]) == (False, "inválido")
    assert body["reason"].startswith("O conteúdo foi alterado depois do selo")
    assert body["document"] is None


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [
        ({"arquivo": SimpleUploadedFile("x.png", b"\x89PNG....")}, 415, "not_a_pdf"),
        ({"arquivo": SimpleUploadedFile("x.pdf", b"%PDF-" + b"1" * 5000)}, 413, "file_too_large"),
        ({"outro": SimpleUploadedFile("x.pdf", b"%PDF-1.7")}, 422, "file_required"),
    ],
)
def test_upload_guards(db, settings, files, status, code):
    settings.EVIDENCE_VERIFY_MAX_UPLOAD_BYTES = 4096
    response = Client().post(URL, files)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_a_declared_length_over_the_limit_is_refused_before_reading(db, settings):
    settings.EVIDENCE_VERIFY_MAX_UPLOAD_BYTES = 4096
    response = Client().post(
        URL, data=b"x" * 10, content_type="multipart/form-data; boundary=B",
        CONTENT_LENGTH=str(10 * 1024 * 1024),
    )  # fmt: skip
    assert response.status_code == 413


def test_verification_by_code(sealed):
    response = Client().get(f"{URL}/{sealed.code.lower()}")
    assert response.status_code == 200 and response.json()["valid"] is True

    unknown = Client().get(f"{URL}/ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "verification_code_unknown"


def test_the_openapi_document_lists_verification_as_public(db):
    schema = Client().get("/api/openapi.json").json()
    post = schema["paths"]["/api/v1/verify"]["post"]
    get = schema["paths"]["/api/v1/verify/{code}"]["get"]
    assert "security" not in post and "security" not in get
    assert "multipart/form-data" in post["requestBody"]["content"]
    # The rest of the API still requires a key.
    assert schema["paths"]["/api/v1/proposals"]["get"].get("security")


def test_a_validly_sealed_pdf_we_have_no_record_of_is_invalid(db, sealed_sample):
    body = _post(sealed_sample.data).json()

    assert (body["valid"], body["document"]) == (False, None)
    assert (
        body["reason"] == "Este arquivo não corresponde a nenhum documento selado pelo Formaliza."
    )
    assert {c["name"] for c in body["checks"] if not c["ok"]} == {"registro"}
