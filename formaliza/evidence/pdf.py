"""The final PDF: contracts then report, assembled with pypdf; a stamp with the reference and
the page numbering on every page and ONE PAdES signature (certification, no changes allowed) with
an RFC 3161 timestamp over the whole file, both by pyHanko in a single revision.

One seal rather than one signature per signer: validators show multi-revision signatures whose
later revisions change pages as invalid, and the evidence of each signer is in the report.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass

from pyhanko.pdf_utils.font.basic import SimpleFontEngineFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStamp, TextStampStyle
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, ContentStream, NullObject

from formaliza.core.aio import outside_event_loop
from formaliza.evidence import pki
from formaliza.evidence.bundle import (
    ContractDocument,
    EvidenceBundle,
    bundle_to_manifest,
    sha256_hex,
)
from formaliza.evidence.models import EvidenceEvent
from formaliza.evidence.report import ContractPages, html_to_pdf, report_render

SEAL_FIELD = "SeloFormaliza"
ATTACHMENT_NAME = "evidencias.json"
CODE_KEY = "/FormalizaCodigoVerificacao"
SEAL_REASON = "Selo de integridade dos documentos e do laudo de evidências"
STAMP_TEXT = "%(label)s %(reference)s  ·  página %(page)d de %(pages)d  ·  verificação: %(code)s"
# The stamp uses a PDF standard font (nothing embedded, a few hundred bytes per page); its
# encoding covers Latin-1, which is all the stamp text needs.
_STAMP_STYLE = TextStampStyle(
    stamp_text=STAMP_TEXT,
    border_width=0,
    text_box_style=TextBoxStyle(font=SimpleFontEngineFactory("Helvetica", 0.5), font_size=7),
)
_STAMP_MARGIN = (28, 9)  # points from the page's lower left corner


class PdfInputError(ValueError):
    """A contract cannot be used (unreadable, encrypted, empty). `str()` is pt-BR."""


@dataclass(frozen=True)
class StampAt:
    x: float
    y: float


def contract_pdf(contract: ContractDocument) -> bytes:
    if contract.pdf is not None:
        return contract.pdf
    if contract.html_rendered is not None:
        return contract.html_rendered
    return html_to_pdf(contract.html or "")


def open_contract(pdf: bytes, *, what: str) -> PdfReader:
    """A reader over a contract PDF, or PdfInputError (pt-BR) if it cannot be sealed."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
        if reader.is_encrypted:
            raise PdfInputError(f"{what} está protegido por senha.")
        count = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, PdfInputError):
            raise
        raise PdfInputError(f"{what} não pôde ser lido como PDF.") from exc
    if count == 0:
        raise PdfInputError(f"{what} não tem páginas.")
    return reader


def _ensure_content_stream(page: PageObject, writer: PdfWriter) -> None:
    """Give a page without a content stream (no /Contents, null or an empty array: blank pages
    of scanners and generators) an empty one, so the stamp has a stream list to join."""
    contents = page.get("/Contents")
    resolved = contents.get_object() if contents is not None else None
    if (
        resolved is None
        or isinstance(resolved, NullObject)
        or (isinstance(resolved, ArrayObject) and len(resolved) == 0)
    ):
        if "/Contents" in page:
            del page["/Contents"]
        page.replace_contents(ContentStream(None, writer))


def assemble(
    *, parts: list[PdfReader], title: str, code: str, attachment: bytes
) -> tuple[bytes, list[StampAt]]:
    """Concatenate the parts; attach the machine-readable evidence; record the verification code
    in the document information. Returns the PDF and where each page's stamp goes."""
    writer = PdfWriter()
    stamps: list[StampAt] = []
    for part in parts:
        for page in part.pages:
            added = writer.add_page(page)
            _ensure_content_stream(added, writer)
            if added.rotation:
                # Stamps are drawn in page space; an unrotated page shows them upright.
                added.transfer_rotation_to_content()
            box = added.cropbox
            stamps.append(
                StampAt(float(box.left) + _STAMP_MARGIN[0], float(box.bottom) + _STAMP_MARGIN[1])
            )
    writer.add_metadata(
        {"/Title": title, "/Author": "Formaliza", "/Creator": "Formaliza", CODE_KEY: code}
    )
    writer.add_attachment(ATTACHMENT_NAME, attachment)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), stamps


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def seal(*, pdf: bytes, stamps: list[StampAt], label: str, reference: str, code: str) -> bytes:
    """Stamp every page and sign once (PAdES, certification, RFC 3161 timestamp)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    params = {"label": _latin1(label), "reference": _latin1(reference), "code": code}
    for index, at in enumerate(stamps):
        stamp = TextStamp(
            writer, _STAMP_STYLE, text_params={**params, "page": index + 1, "pages": len(stamps)}
        )
        stamp.apply(index, at.x, at.y)
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        reason=SEAL_REASON,
        location="Brasil",
    )
    out = io.BytesIO()
    outside_event_loop(
        signers.sign_pdf,
        writer,
        metadata,
        signer=pki.signer(),
        timestamper=pki.timestamper(),
        output=out,
    )
    return out.getvalue()


CHAIN_ALGORITHM = (
    "hash = SHA-256 (hex) do JSON canônico (chaves ordenadas, separadores ',' e ':', UTF-8 sem "
    "escapes) de {subject: 'tipo:id', sequence, kind, occurred_at: ISO 8601 em UTC sem "
    "microssegundos, actor: [actor_kind, actor_label], ip ('' se ausente), user_agent, session: "
    "session_id, phone, data, prev: prev_hash}; prev_hash do primeiro evento é ''."
)


def _event_json(event: EvidenceEvent) -> dict:
    return {
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "sequence": event.sequence,
        "kind": event.kind,
        "occurred_at": event.occurred_at.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
        "actor_kind": event.actor_kind,
        "actor_label": event.actor_label,
        "ip": event.ip or "",
        "user_agent": event.user_agent,
        "session_id": event.session_id,
        "phone": event.phone,
        "data": event.data,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def evidence_json(
    *, bundle: EvidenceBundle, events: list[EvidenceEvent], code: str, verification_url: str
) -> bytes:
    """The machine-readable evidence attached to the PDF: the bundle (binary parts replaced by
    their hashes) and every event with what its hash covers, so anyone can recompute the chain."""
    body = {
        "format": "formaliza-evidence/1",
        "code": code,
        "verification_url": verification_url,
        "bundle": bundle_to_manifest(bundle, save_blob=lambda data: "sha256:" + sha256_hex(data)),
        "chain": {
            "algorithm": CHAIN_ALGORITHM,
            "events": [_event_json(event) for event in events],
            "last_hash": events[-1].hash if events else "",
        },
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode()


@dataclass(frozen=True)
class Assembled:
    data: bytes  # contracts + report, not yet stamped nor sealed
    stamps: list[StampAt]


def final_pdf_build(
    *,
    bundle: EvidenceBundle,
    events: list[EvidenceEvent],
    code: str,
    verification_url: str,
    generated_at: dt.datetime,
) -> Assembled:
    """Contracts (rendered when given as HTML), then the evidence report."""
    readers = [
        open_contract(contract_pdf(contract), what=f"O contrato {contract.contract_number}")
        for contract in bundle.contracts
    ]
    pages: list[ContractPages] = []
    first = 1
    for contract, reader in zip(bundle.contracts, readers, strict=True):
        count = len(reader.pages)
        pages.append(ContractPages(contract.contract_number, first, first + count - 1))
        first += count
    report = report_render(
        bundle=bundle, events=events, contract_pages=pages, code=code,
        verification_url=verification_url, generated_at=generated_at,
    )  # fmt: skip
    attachment = evidence_json(
        bundle=bundle, events=events, code=code, verification_url=verification_url
    )
    data, stamps = assemble(
        parts=[*readers, PdfReader(io.BytesIO(report))],
        title=bundle.title,
        code=code,
        attachment=attachment,
    )
    return Assembled(data=data, stamps=stamps)
