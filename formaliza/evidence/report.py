"""The evidence report (laudo): a view-model of the bundle and the event chain, rendered from an
HTML template with WeasyPrint. Images are shown as thumbnails with a watermark burned into the
pixels (an image extracted from the PDF still carries it)."""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache

import segno
from django.template.loader import render_to_string
from PIL import Image, ImageDraw, ImageFont
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from formaliza.core import br, clock
from formaliza.evidence.bundle import IMAGE_KINDS, EvidenceBundle, ImageEvidence
from formaliza.evidence.chain import canonical_json
from formaliza.evidence.models import EvidenceEvent

WATERMARK = "USO EXCLUSIVO PARA ESTA FINALIDADE"
THUMBNAIL_BOX = (360, 360)
EVENT_DATA_MAX_CHARS = 240
ACTOR_KINDS = {
    "client": "Cliente",
    "user": "Usuário",
    "system": "Sistema",
    "provider": "Provedor",
    "api_key": "Integrador (API)",
}
RECEIPT_STATUSES = ("sent", "delivered", "read", "failed")


def safe_fetcher() -> URLFetcher:
    """Only inline `data:` resources: HTML we render (tenants' contract templates included) can
    neither read local files nor make the server call URLs."""
    return URLFetcher(allowed_protocols={"data"})


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, url_fetcher=safe_fetcher()).write_pdf()


def when(value: dt.datetime | None) -> str:
    """To the second, in Brasília time, with the UTC offset."""
    if value is None:
        return "—"
    local = clock.local(value)
    offset = local.strftime("%z")
    return f"{local:%d/%m/%Y %H:%M:%S} (UTC{offset[:3]}:{offset[3:]})"


def duration(seconds: float | None) -> str:
    """'1min 05s'; '—' when unknown."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    return f"{whole // 60}min {whole % 60:02d}s"


def yes_no(value: bool | None) -> str:
    return {True: "sim", False: "não", None: "não informado"}[value]


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


def thumbnail_data_uri(image: ImageEvidence, *, reference: str) -> tuple[str, tuple[int, int]]:
    """A JPEG thumbnail with the watermark, as a data URI, and the original's size."""
    with Image.open(io.BytesIO(image.content)) as original:
        size = original.size
        original.draft("RGB", THUMBNAIL_BOX)  # JPEG: decode at a reduced scale, much faster
        thumb = original.convert("RGB")
    thumb.thumbnail(THUMBNAIL_BOX)
    layer = _watermark_layer(thumb.size, f"{WATERMARK} - {reference[:18]}")
    thumb = Image.alpha_composite(thumb.convert("RGBA"), layer).convert("RGB")
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=72)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode(), size


@lru_cache(maxsize=8)
def _watermark_layer(size: tuple[int, int], text: str) -> Image.Image:
    """Diagonal, repeated, half-transparent text over the whole image. The text is drawn once
    and tiled (drawing text is the slow part); images of one journey share the layer."""
    width, height = size
    font = ImageFont.load_default(size=max(10, width // 24))
    left, top, right, bottom = font.getbbox(text, stroke_width=1)
    strip = Image.new("RGBA", (right - left + font.size * 2, bottom - top + 4), (0, 0, 0, 0))
    ImageDraw.Draw(strip).text(
        (-left, 2 - top), text, font=font, fill=(255, 255, 255, 150),
        stroke_width=1, stroke_fill=(0, 0, 0, 150),
    )  # fmt: skip
    side = 2 * max(width, height)
    tiled = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    step_y = strip.height * 3
    for row, y in enumerate(range(0, side, step_y)):
        for x in range(-(row % 2) * strip.width // 2, side, strip.width):
            tiled.alpha_composite(strip, (max(x, 0), y), (max(-x, 0), 0))
    tiled = tiled.rotate(30, resample=Image.Resampling.BILINEAR)
    x0, y0 = (side - width) // 2, (side - height) // 2
    return tiled.crop((x0, y0, x0 + width, y0 + height))


@dataclass(frozen=True)
class ContractPages:
    number: str
    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1


def _event_row(event: EvidenceEvent, labels: dict[str, str]) -> dict:
    data = canonical_json(event.data) if event.data else ""
    if len(data) > EVENT_DATA_MAX_CHARS:
        data = data[:EVENT_DATA_MAX_CHARS] + "… (completo no anexo evidencias.json)"
    return {
        "sequence": event.sequence,
        "at": when(event.occurred_at),
        "kind": event.kind,
        "label": labels.get(event.kind, ""),
        "actor": f"{ACTOR_KINDS.get(event.actor_kind, event.actor_kind)}"
        + (f": {event.actor_label}" if event.actor_label else ""),
        "ip": event.ip or "",
        "phone": br.phone_format(event.phone),
        "session": event.session_id[:12],
        "data": data,
        "hash": event.hash,
    }


def _signers(bundle: EvidenceBundle) -> list[dict]:
    return [
        {
            "s": signer,
            "cpf": br.cpf_format(signer.cpf),
            "phone": br.phone_format(signer.phone),
            "phone_is_own": yes_no(signer.phone_is_own),
            "flag_phone": signer.phone_is_own is False,
            "times": [
                ("Enviado", when(signer.sent_at)),
                ("Aberto", when(signer.opened_at)),
                ("Assinado", when(signer.signed_at)),
                ("Recusado", when(signer.declined_at)),
            ],
            "auth": [{"a": a, "at": when(a.at)} for a in signer.authentications],
        }
        for signer in bundle.signers
    ]


def _messages(bundle: EvidenceBundle) -> list[dict]:
    rows = []
    for message in sorted(bundle.messages, key=lambda m: m.at):
        receipts = dict.fromkeys(RECEIPT_STATUSES, "")
        for receipt in message.receipts:
            receipts[receipt.status] = when(receipt.at)
        rows.append(
            {
                "m": message,
                "at": when(message.at),
                "direction": "Enviada" if message.direction == "out" else "Recebida",
                "phone": br.phone_format(message.phone),
                "receipts": receipts,
            }
        )
    return rows


def _images(bundle: EvidenceBundle) -> list[dict]:
    rows = []
    for image in bundle.images:
        uri, size = thumbnail_data_uri(image, reference=bundle.reference)
        rows.append(
            {
                "i": image,
                "label": IMAGE_KINDS.get(image.kind, image.kind),
                "thumbnail": uri,
                "size": f"{size[0]} × {size[1]} px",
                "at": when(image.captured_at),
                "face_detected": yes_no(image.face_detected),
                "geo_at": when(image.geolocation.captured_at) if image.geolocation else "",
                "face_reviewed_at": when(image.face_match.reviewed_at) if image.face_match else "",
            }
        )
    return rows


def report_context(
    *,
    bundle: EvidenceBundle,
    events: list[EvidenceEvent],
    contract_pages: list[ContractPages],
    code: str,
    verification_url: str,
    generated_at: dt.datetime,
) -> dict:
    pages_by_number = {p.number: p for p in contract_pages}
    reading = {proof.contract_number: proof for proof in bundle.reading}
    return {
        "b": bundle,
        "code": code,
        "watermark": WATERMARK,
        "verification_url": verification_url,
        "qr": qr_data_uri(verification_url),
        "generated_at": when(generated_at),
        "created_at": when(bundle.created_at),
        "sent_at": when(bundle.sent_at),
        "completed_at": when(bundle.completed_at),
        "organization_document": br.document_format(bundle.originator.organization_document),
        "contracts": [
            {"c": c, "pages": pages_by_number[c.contract_number]} for c in bundle.contracts
        ],
        "contract_page_total": sum(p.count for p in contract_pages),
        "signers": _signers(bundle),
        "messages": _messages(bundle),
        "terms_at": when(bundle.terms.accepted_at) if bundle.terms else "",
        "reading": [
            {
                "p": proof,
                "percent": f"{proof.max_scroll_fraction * 100:.0f}%",
                "spent": duration(proof.server_seconds),
                "claimed": duration(proof.client_seconds),
                "floor": duration(proof.min_seconds),
                "shown_at": when(proof.shown_at),
                "end_at": when(proof.reached_end_at),
                "title": next(
                    (c.title for c in bundle.contracts if c.contract_number == number), ""
                ),
            }
            for number, proof in reading.items()
        ],
        "conditions": [
            {"c": snapshot, "at": when(snapshot.displayed_at)} for snapshot in bundle.conditions
        ],
        "images": _images(bundle),
        "events": [_event_row(event, bundle.event_labels) for event in events],
        "chain_last_hash": events[-1].hash if events else "",
        "legal_paragraphs": [p for p in bundle.legal_notice.split("\n") if p.strip()],
    }


def report_render(**kwargs) -> bytes:
    """The report as PDF bytes (see `report_context` for the arguments)."""
    return html_to_pdf(render_to_string("evidence/report.html", report_context(**kwargs)))
