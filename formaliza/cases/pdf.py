"""The demonstrative as a PDF (WeasyPrint through the evidence app's safe renderer: no file or
network access from the HTML)."""

from __future__ import annotations

from django.template.loader import render_to_string

from formaliza.cases.display import demonstrative
from formaliza.core import clock
from formaliza.evidence.report import html_to_pdf


def demonstrative_pdf(calculation) -> bytes:
    case = getattr(calculation, "case", None) if calculation.saved_at else None
    html = render_to_string("cases/demonstrative_pdf.html", {
        "calc": calculation, "demo": demonstrative(calculation), "case": case,
        "client": calculation.client, "generated_at": clock.local(clock.now()),
    })  # fmt: skip
    return html_to_pdf(html)
