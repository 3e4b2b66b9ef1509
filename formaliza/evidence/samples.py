"""A realistic evidence bundle for tests, the benchmark and demos: contracts rendered with
WeasyPrint, ID and selfie images drawn with Pillow, and the event chain of a whole journey."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from functools import lru_cache

from faker import Faker
from PIL import Image, ImageDraw

from formaliza.accounts.models import Tenant
from formaliza.core import clock
from formaliza.evidence.bundle import (
    AuthenticationCheck,
    ConditionsSnapshot,
    ContractDocument,
    EvidenceBundle,
    FaceMatch,
    Geolocation,
    ImageEvidence,
    MessageReceipt,
    Originator,
    ReadingProof,
    Signer,
    TermsAcceptance,
    WhatsAppMessage,
    conditions_sha256,
    contract_sha256,
    sha256_hex,
)
from formaliza.evidence.report import html_to_pdf
from formaliza.evidence.services.events import (
    EvidenceActor,
    RequestContext,
    Subject,
    evidence_event_record,
)

TERMS_TEXT = (
    "Termos de uso da formalização digital, versão 3. Declaro que aceito a assinatura "
    "eletrônica por este meio como válida, nos termos do art. 10, § 2º, da MP 2.200-2/2001."
)
USER_AGENT = "Mozilla/5.0 (Linux; Android 11; moto e20) AppleWebKit/537.36 Chrome/120 Mobile"
EVENT_LABELS = {
    "journey.created": "Formalização aberta",
    "message.sent": "Mensagem enviada",
    "message.status": "Recibo de mensagem",
    "message.received": "Mensagem recebida",
    "journey.opened": "Link aberto",
    "terms.accepted": "Termos aceitos",
    "conditions.viewed": "Condições exibidas",
    "contract.read": "Contrato lido até o fim",
    "image.captured": "Imagem capturada",
    "face.checked": "Verificação facial",
    "journey.signed": "Assinatura confirmada",
}


def contract_html(*, title: str, number: str, pages: int) -> str:
    clause = (
        "O EMITENTE reconhece a dívida e se obriga a pagá-la em parcelas mensais e sucessivas, "
        "consignadas em seu benefício previdenciário, nas condições da Cédula de Crédito "
        "Bancário, sujeitas a juros remuneratórios e encargos informados no quadro resumo. "
    )
    body = "".join(
        f"<section><h2>Cláusula {n}</h2>" + f"<p>{clause * 6}</p>" * 3 + "</section>"
        for n in range(1, pages + 1)
    )
    return (
        "<!doctype html><html lang='pt-BR'><meta charset='utf-8'><style>"
        "@page { size: A4; margin: 22mm 20mm 24mm; } body { font-family: 'DejaVu Sans', sans-serif;"
        " font-size: 9.5pt; } section { break-after: page; } section:last-child { break-after: auto; }"
        f"</style><h1>{title} nº {number}</h1>{body}</html>"
    )


@lru_cache(maxsize=16)
def contract_pdf(*, title: str, number: str, pages: int) -> bytes:
    """A contract PDF of exactly `pages` pages (cached: rendering costs tens of ms per page)."""
    return html_to_pdf(contract_html(title=title, number=number, pages=pages))


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@lru_cache(maxsize=8)
def id_card_jpeg(*, side: str, size: tuple[int, int]) -> bytes:
    width, height = size
    image = Image.new("RGB", size, (214, 226, 218))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (20, 20, width - 20, height - 20), radius=24, outline=(20, 90, 60), width=6
    )
    draw.rectangle((40, 40, width - 40, 40 + height // 8), fill=(20, 90, 60))
    if side == "front":
        draw.rectangle((60, height // 4, 60 + width // 4, height - 60), fill=(150, 130, 120))
    for row in range(6):
        y = height // 4 + row * height // 10
        draw.rectangle((width // 3 + 20, y, width - 80, y + height // 40), fill=(60, 60, 60))
    return _jpeg(image)


@lru_cache(maxsize=4)
def selfie_jpeg(*, size: tuple[int, int]) -> bytes:
    width, height = size
    image = Image.new("RGB", size, (120, 140, 170))
    draw = ImageDraw.Draw(image)
    cx, cy = width // 2, height // 2
    draw.ellipse(
        (cx - width // 6, cy - height // 4, cx + width // 6, cy + height // 4), fill=(224, 180, 150)
    )
    draw.ellipse(
        (cx - width // 14, cy - height // 14, cx - width // 30, cy - height // 30),
        fill=(40, 30, 30),
    )
    draw.ellipse(
        (cx + width // 30, cy - height // 14, cx + width // 14, cy - height // 30),
        fill=(40, 30, 30),
    )
    draw.arc(
        (cx - width // 16, cy + height // 20, cx + width // 16, cy + height // 8),
        0,
        180,
        fill=(120, 40, 40),
        width=5,
    )
    return _jpeg(image)


def _record_journey(
    *, tenant: Tenant, subject: Subject, phone: str, contracts, images, conditions, name: str
) -> None:
    client = EvidenceActor("client", name)
    ctx = RequestContext(
        ip="177.20.145.3", user_agent=USER_AGENT, session_id="9f" * 32, phone=phone
    )

    def record(kind, actor, data=None, context=None):
        evidence_event_record(
            tenant=tenant, subject=subject, kind=kind, actor=actor, data=data, context=context
        )

    record(
        "journey.created",
        EvidenceActor("user", "Correspondente Demo"),
        {"proposals": [c.proposal_number for c in contracts]},
    )
    record(
        "message.sent",
        EvidenceActor("system", "WhatsApp"),
        {"template": "formalizacao_inicio", "message_id": "wamid.HBgN001"},
    )
    for status in ("sent", "delivered", "read"):
        record(
            "message.status",
            EvidenceActor("provider", "WhatsApp Cloud API"),
            {"message_id": "wamid.HBgN001", "status": status},
        )
    record(
        "message.received",
        client,
        {"text": "SIM", "message_id": "wamid.HBgN002"},
        RequestContext(phone=phone),
    )
    record("journey.opened", client, {}, ctx)
    record(
        "terms.accepted", client, {"version": "3", "sha256": sha256_hex(TERMS_TEXT.encode())}, ctx
    )
    for snapshot in conditions:
        record(
            "conditions.viewed",
            client,
            {"proposal": snapshot.proposal_number, "sha256": snapshot.sha256},
            ctx,
        )
    for contract in contracts:
        record(
            "contract.read",
            client,
            {"contract": contract.contract_number, "sha256": contract.sha256, "max_scroll": 1.0},
            ctx,
        )
    for image in images:
        record(
            "image.captured",
            client,
            {"kind": image.kind, "sha256": image.sha256, "retakes": image.retakes},
            ctx,
        )
    record(
        "face.checked",
        EvidenceActor("system", "Verificação facial"),
        {"detected": True, "match": "sim", "score": 0.91},
        ctx,
    )
    record("journey.signed", client, {"contracts": [c.contract_number for c in contracts]}, ctx)  # fmt: skip


def sample_bundle(
    *,
    tenant: Tenant,
    fake: Faker | None = None,
    contracts: int = 2,
    pages: int = 2,
    image_size: tuple[int, int] = (800, 600),
    record_events: bool = True,
    phone_is_own: bool | None = True,
) -> EvidenceBundle:
    """Build a complete bundle for a new journey of `tenant` and record its event chain."""
    fake = fake or Faker("pt_BR")
    subject = Subject("journey", str(uuid.uuid4()))
    name, cpf = fake.name(), fake.cpf()
    phone = "+55119" + fake.numerify("8#######")
    now = clock.now().replace(microsecond=0)
    docs = []
    for n in range(1, contracts + 1):
        number, proposal = f"CCB-{2026000 + n}", f"{990000 + n}"
        title = "Cédula de Crédito Bancário — Consignado INSS"
        data = contract_pdf(title=title, number=number, pages=pages)
        docs.append(ContractDocument(
            title=title, contract_number=number, proposal_number=proposal, pdf=data,
            sha256=contract_sha256(pdf=data),
        ))  # fmt: skip
    conditions = []
    for doc in docs:
        items = (("Valor liberado", "R$ 5.432,10"), ("Parcelas", "84 × R$ 123,45"),
                 ("Taxa de juros", "1,66% a.m."), ("CET", "1,79% a.m. / 23,70% a.a."),
                 ("Primeiro vencimento", "10/01/2027"))  # fmt: skip
        conditions.append(ConditionsSnapshot(
            proposal_number=doc.proposal_number, items=items, sha256=conditions_sha256(items),
            displayed_at=now - dt.timedelta(minutes=3),
        ))  # fmt: skip
    images = []
    for kind, content in (
        ("id_front", id_card_jpeg(side="front", size=image_size)),
        ("id_back", id_card_jpeg(side="back", size=image_size)),
        ("selfie", selfie_jpeg(size=image_size)),
    ):
        is_selfie = kind == "selfie"
        images.append(ImageEvidence(
            kind=kind, content=content, sha256=sha256_hex(content),
            captured_at=now - dt.timedelta(minutes=1), retakes=1 if is_selfie else 0,
            face_detected=True if is_selfie else None,
            face_detection_detail="rosto dentro da moldura" if is_selfie else "",
            face_match=FaceMatch(decision="sim", model="face_recognition (dlib)", score=0.91,
                                 threshold=0.6, model_version="1.3.0") if is_selfie else None,
            geolocation=Geolocation(-23.55052, -46.633308, 35.0, now) if is_selfie else None,
        ))  # fmt: skip
    if record_events:
        _record_journey(tenant=tenant, subject=subject, phone=phone, contracts=docs,
                        images=images, conditions=conditions, name=name)  # fmt: skip
    sent = now - dt.timedelta(minutes=6)
    return EvidenceBundle(
        subject=subject,
        reference=subject.id,
        # Shown on the public verification page: no personal data in titles.
        title=f"Formalização digital — {contracts} contrato(s) consignado INSS",
        originator=Originator(organization=tenant.name, organization_document="11222333000181",
                              created_by="Correspondente Demo", channel="Back office",
                              branch="001 — Centro", ip="200.160.2.3"),
        created_at=now - dt.timedelta(minutes=10),
        sent_at=sent,
        completed_at=now,
        contracts=tuple(docs),
        signers=(Signer(
            name=name, cpf=cpf, phone=phone, email=fake.email(), phone_is_own=phone_is_own,
            authentications=(
                AuthenticationCheck("Link individual entregue por WhatsApp", "aprovado", sent),
                AuthenticationCheck("CPF conferido com a proposta", "aprovado", now),
                AuthenticationCheck("Selfie × foto do documento", "aprovado", now, "escore 0,91"),
            ),
            ip="177.20.145.3", user_agent=USER_AGENT, device="Android 11 · moto e20",
            session_id="9f" * 32, sent_at=sent, opened_at=sent + dt.timedelta(minutes=1),
            signed_at=now,
        ),),
        messages=(
            WhatsAppMessage(direction="out", message_id="wamid.HBgN001", phone=phone, at=sent,
                            template_name="formalizacao_inicio", template_language="pt_BR",
                            variables=(name,), receipts=(
                                MessageReceipt("sent", sent),
                                MessageReceipt("delivered", sent + dt.timedelta(seconds=2)),
                                MessageReceipt("read", sent + dt.timedelta(seconds=40)))),
            WhatsAppMessage(direction="in", message_id="wamid.HBgN002", phone=phone,
                            at=sent + dt.timedelta(seconds=55), text="SIM"),
        ),
        terms=TermsAcceptance(version="3", sha256=sha256_hex(TERMS_TEXT.encode()),
                              accepted_at=sent + dt.timedelta(minutes=2), text=TERMS_TEXT),
        reading=tuple(
            ReadingProof(contract_number=d.contract_number, max_scroll_fraction=1.0,
                         server_seconds=95.0, shown_at=now - dt.timedelta(minutes=2, seconds=95),
                         reached_end_at=now - dt.timedelta(minutes=2), client_seconds=94.2,
                         min_seconds=20.0)
            for d in docs
        ),
        conditions=tuple(conditions),
        images=tuple(images),
        event_labels=EVENT_LABELS,
    )  # fmt: skip
