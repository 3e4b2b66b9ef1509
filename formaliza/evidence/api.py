"""Public verification API (no API key): POST a PDF, or GET a verification code."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from formaliza.core.api_schema import ErrorOut
from formaliza.core.errors import NotFound
from formaliza.evidence.uploads import upload_read
from formaliza.evidence.verification import (
    Verification,
    public_summary,
    verify_code,
    verify_pdf,
)

verify_router = Router(auth=None, tags=["Verificação"])


class CheckOut(Schema):
    name: str
    ok: bool  # the check's own result
    # How to read it: ok (a valid document), failed, info (a fact about the seal the file
    # carries) or skipped (true of the bytes but meaningless once the document failed).
    state: str
    message: str


class SignerOut(Schema):
    name: str
    cpf: str


class DocumentOut(Schema):
    code: str
    title: str
    reference: str
    organization: str
    status: str
    sealed_at: dt.datetime | None
    sha256: str
    page_count: int | None
    signers: list[SignerOut]


class VerificationOut(Schema):
    valid: bool
    verdict: str  # "válido" | "inválido"
    reason: str
    sha256: str
    signed_by: str
    timestamp_at: dt.datetime | None
    checks: list[CheckOut]
    document: DocumentOut | None


def _out(verification: Verification) -> dict:
    document = verification.document
    return {
        "valid": verification.valid,
        "verdict": verification.verdict,
        "reason": verification.reason,
        "sha256": verification.sha256,
        "signed_by": verification.signer,
        "timestamp_at": verification.timestamp_at,
        "checks": [vars(detail) for detail in verification.details],
        "document": public_summary(document) if document is not None else None,
    }


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["arquivo"],
                    "properties": {"arquivo": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@verify_router.post(
    "",
    response={200: VerificationOut, 400: ErrorOut, 413: ErrorOut, 415: ErrorOut, 422: ErrorOut},
    summary="Verificar um PDF",
    description=(
        "Envie o PDF (multipart, campo `arquivo`). Confere assinatura, certificado, carimbo do "
        "tempo, se é idêntico a um documento selado e a cadeia de evidências. Um PDF alterado "
        "(mesmo um byte) responde 200 com `valid: false` e o motivo; num documento inválido "
        "nenhuma verificação aprovada é dita aprovada (`checks[].state`: `failed`, `info` ou "
        "`skipped`; `ok` continua sendo o resultado de cada uma). Erros: 413 `file_too_large`, "
        "415 `not_a_pdf`, 422 `file_required`."
    ),
    openapi_extra=_UPLOAD_BODY,
)
def verify_upload(request):
    # The body is read here, after the size guard, not by a declared File parameter.
    return _out(verify_pdf(data=upload_read(request)))


@verify_router.get(
    "/{code}",
    response={200: VerificationOut, 404: ErrorOut},
    summary="Verificar pelo código",
    description="O documento guardado sob o código impresso no laudo. 404 `verification_code_unknown`.",
)
def verify_by_code(request, code: str):
    verification = verify_code(code=code)
    if verification is None:
        raise NotFound("Código de verificação", code="verification_code_unknown")
    return _out(verification)
