"""Checks of a document a client or agent attaches: a photo goes through the journey's image
checks (formaliza.journeys.images: type sniffed from the bytes, bombs, resolution, blur; the
stored copy is a clean JPEG without metadata); a PDF is sniffed, opened with pypdf and refused
when encrypted, empty, too long, or carrying scripts, launch actions or embedded files.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from formaliza.core.errors import ApplicationError
from formaliza.journeys.images import ImageRefused, image_check

ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute"}


class DocumentRefused(ApplicationError):
    def __init__(self, code: str, message: str):
        super().__init__(code=code, message=message, status=422)


@dataclass(frozen=True)
class CheckedDocument:
    data: bytes
    mime_type: str
    extension: str
    sha256: str
    original_sha256: str


def _action_is_active(action) -> bool:
    action = action.get_object() if hasattr(action, "get_object") else action
    return hasattr(action, "get") and action.get("/S") in ACTIVE_ACTIONS


def _has_active_content(reader: PdfReader) -> bool:
    """Scripts, launch actions or embedded files, where a PDF declares them (the catalog's
    names and actions, each page's actions and link annotations)."""
    root = reader.trailer["/Root"].get_object()
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    if "/JavaScript" in names or "/EmbeddedFiles" in names or "/AA" in root:
        return True
    if "/OpenAction" in root and _action_is_active(root["/OpenAction"]):
        return True
    form = root.get("/AcroForm")
    if form is not None and "/XFA" in form.get_object():
        return True
    for page in reader.pages:
        if "/AA" in page:
            return True
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/A" in annotation and _action_is_active(annotation["/A"]):
                return True
    return False


def _pdf_check(data: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentRefused(
                "pdf_encrypted", "O PDF está protegido por senha. Envie o arquivo sem senha."
            )
        pages = len(reader.pages)
        active = pages > 0 and _has_active_content(reader)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentRefused(
            "pdf_unreadable", "O PDF está corrompido ou incompleto. Gere o arquivo de novo e envie."
        ) from exc
    if pages == 0:
        raise DocumentRefused("pdf_empty", "O PDF não tem páginas.")
    if pages > settings.CASE_DOCUMENT_MAX_PDF_PAGES:
        raise DocumentRefused(
            "pdf_too_long",
            f"O PDF tem {pages} páginas; o máximo é {settings.CASE_DOCUMENT_MAX_PDF_PAGES}. Envie só as páginas do documento.",
        )
    if active:
        raise DocumentRefused(
            "pdf_active_content",
            "O PDF contém scripts ou arquivos anexados e não pode ser aceito. Envie uma cópia simples (imprimir como PDF ou foto).",
        )


def document_check(data: bytes) -> CheckedDocument:
    if not data:
        raise DocumentRefused(
            "file_missing", "Nenhum arquivo chegou. Escolha o arquivo e envie de novo."
        )
    limit = settings.CASE_DOCUMENT_MAX_BYTES
    if len(data) > limit:
        raise DocumentRefused(
            "file_too_large", f"O arquivo passa do limite de {limit // (1024 * 1024)} MB."
        )
    original = hashlib.sha256(data).hexdigest()
    if data[:5] == b"%PDF-":
        _pdf_check(data)
        return CheckedDocument(data, "application/pdf", "pdf", original, original)
    try:
        checked = image_check(data, kind="case_document")
    except ImageRefused as exc:
        if exc.code == "image_not_image":
            raise DocumentRefused(
                "file_type", "Envie uma foto (JPEG, PNG ou WEBP) ou um PDF do documento."
            ) from exc
        raise
    return CheckedDocument(
        checked.display_jpeg, "image/jpeg", "jpg", checked.display_sha256, original
    )
