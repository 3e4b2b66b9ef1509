"""The kit's PDFs: checked on upload (really a PDF, readable, not encrypted, page count) and
rendered page by page for the client's reading page (pypdfium2, PDFium's renderer)."""

from __future__ import annotations

import io

import pypdfium2

from formaliza.core.errors import ApplicationError


class PdfRefused(ApplicationError):
    def __init__(self, message: str, code: str = "pdf_invalid"):
        super().__init__(code=code, message=message, status=422)


def pdf_page_count(data: bytes) -> int:
    """The number of pages of a readable, unencrypted PDF; PdfRefused otherwise."""
    if not data.startswith(b"%PDF-"):
        raise PdfRefused("O arquivo não é um PDF.", code="not_pdf")
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise PdfRefused("O PDF está corrompido ou protegido por senha.") from None
    try:
        count = len(document)
    finally:
        document.close()
    if count < 1:
        raise PdfRefused("O PDF não tem páginas.")
    return count


def pdf_page_png(data: bytes, *, page: int, width: int = 900) -> bytes:
    """Page `page` (0-based) as a PNG `width` pixels wide."""
    document = pypdfium2.PdfDocument(data)
    try:
        pdf_page = document[page]
        scale = width / pdf_page.get_width()
        image = pdf_page.render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        document.close()
