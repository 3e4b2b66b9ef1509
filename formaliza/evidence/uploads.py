"""Guarding the public upload of a PDF to verify: size (checked on the declared length before the
body is parsed, and again on the file) and type (sniffed from the bytes, not the name)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from formaliza.core.errors import ApplicationError

FIELD = "arquivo"
_MULTIPART_SLACK = 64 * 1024  # boundaries and headers around the file


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(1, round(size / 1024))} KB"


def upload_read(request: HttpRequest) -> bytes:
    """The bytes of the uploaded PDF (form field `arquivo`), or ApplicationError (pt-BR)."""
    limit = settings.EVIDENCE_VERIFY_MAX_UPLOAD_BYTES
    too_large = ApplicationError(
        code="file_too_large",
        message=f"O arquivo passa do limite de {_size(limit)}.",
        status=413,
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + _MULTIPART_SLACK:
        raise too_large
    upload = request.FILES.get(FIELD)
    if upload is None:
        raise ApplicationError(
            code="file_required", message="Envie o PDF no campo “arquivo”.", status=422
        )
    if upload.size > limit:
        raise too_large
    data = upload.read()
    # A PDF starts with %PDF- (readers accept up to 1 KB of leading garbage).
    if b"%PDF-" not in data[:1024]:
        raise ApplicationError(
            code="not_a_pdf", message="O arquivo enviado não é um PDF.", status=415
        )
    return data
