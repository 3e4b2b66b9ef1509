"""Certified delivery (AR digital): a message sent with a tracking link (and, by e-mail, a
pixel); its receipts are the provider's (sent, delivered, read) plus ours (click, pixel), each
recorded as evidence; its certificate is a sealed PDF through formaliza/evidence."""

from __future__ import annotations

import html

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from formaliza.acceptance.models import AcceptanceKit, CertifiedMessage
from formaliza.acceptance.services.activity import activity_record
from formaliza.accounts.actors import Actor
from formaliza.contacts.models import Contact
from formaliza.conversations.errors import error_explanation
from formaliza.conversations.models import Channel as ConversationChannel
from formaliza.conversations.models import Receipt
from formaliza.conversations.services import message_send_email, message_send_text
from formaliza.core import br, clock, ids
from formaliza.core.errors import ApplicationError
from formaliza.evidence.bundle import (
    ContractDocument,
    EvidenceBundle,
    MessageReceipt,
    Originator,
    Signer,
    WhatsAppMessage,
    contract_sha256,
)
from formaliza.evidence.models import SealedDocument
from formaliza.evidence.services import (
    EvidenceActor,
    RequestContext,
    Subject,
    evidence_event_record,
    sealed_document_request,
)

SUBJECT_TYPE = "certified_message"
CHANNEL_LABELS = {"whatsapp": "WhatsApp", "sms": "SMS", "email": "E-mail"}


def certified_subject(certified: CertifiedMessage) -> Subject:
    return Subject(SUBJECT_TYPE, str(certified.public_id))


def tracking_url(token: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("acceptance_public:track_click", args=[token])


def pixel_url(token: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("acceptance_public:track_pixel", args=[token])


def address_normalize(*, kind: str, address: str) -> str:
    """The address for a channel kind: E.164 for WhatsApp/SMS, a lower-case e-mail. Raises
    ApplicationError `address_invalid` with a pt-BR reason."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    if kind == "email":
        value = (address or "").strip().lower()
        try:
            validate_email(value)
        except ValidationError:
            raise ApplicationError(
                code="address_invalid", message="E-mail inválido.", status=422
            ) from None
        return value
    phone = br.phone_parse(address or "")
    if phone is None or not phone.is_mobile:
        raise ApplicationError(
            code="address_invalid",
            message="Celular inválido: informe DDD e número de um celular.",
            status=422,
        )
    return phone.e164


def certified_send(
    *,
    actor: Actor,
    contact: Contact,
    channel: ConversationChannel,
    address: str,
    text: str,
    subject: str = "",
    link_target: str = "",
    kit: AcceptanceKit | None = None,
    resent_from: CertifiedMessage | None = None,
    automation: str = "",
) -> CertifiedMessage:
    """Send `text` to `address` on `channel` as a certified message. `link_target` (a URL) is
    appended behind a tracking link that records the click; e-mails also carry a pixel."""
    if channel.tenant_id != contact.tenant_id:
        raise ApplicationError(code="not_found", message="Canal não encontrado.", status=404)
    kind = channel.kind
    address = address_normalize(kind=kind, address=address)
    token = ids.random_token(24)
    body = text.strip()
    if link_target:
        body = f"{body}\n{tracking_url(token)}"
    with transaction.atomic():
        reference = f"kit:{kit.public_id}" if kit else f"certified:{token[:16]}"
        if kind == "email":
            safe = html.escape(text.strip()).replace("\n", "<br>")
            link_html = (
                f'<p><a href="{html.escape(tracking_url(token))}">Abrir</a></p>'
                if link_target
                else ""
            )
            message = message_send_email(
                actor=actor,
                channel=channel,
                to=address,
                subject=subject or "Mensagem",
                text=body,
                html=(
                    f"<p>{safe}</p>{link_html}"
                    f'<img src="{html.escape(pixel_url(token))}" width="1" height="1" alt="">'
                ),
                contact=contact,
                reference=reference,
            )
        else:
            message = message_send_text(
                actor=actor, channel=channel, to=address, text=body, contact=contact,
                reference=reference,
            )  # fmt: skip
        certified = CertifiedMessage.objects.create(
            tenant_id=contact.tenant_id,
            contact=contact,
            message=message,
            kit=kit,
            channel=kind,
            address=address,
            body_sha256=ids.sha256_hex(message.body.encode()),
            subject=subject[:200],
            text=text.strip(),
            link_target=link_target[:500],
            resent_from=resent_from,
            tracking_token=token,
        )
        evidence_event_record(
            tenant=contact.tenant,
            subject=certified_subject(certified),
            kind="certified.sent",
            actor=EvidenceActor("user" if actor.user else "system", actor.label),
            data={
                "message_id": str(message.public_id),
                "channel": kind,
                "address": address,
                "body_sha256": certified.body_sha256,
                "resent_from": str(resent_from.public_id) if resent_from else "",
            },
        )
        activity_record(
            contact=contact,
            kind="message.resent" if resent_from else "message.sent",
            channel=kind,
            automation=automation or ("Aceite digital" if kit else "Mensagem certificada"),
            description=(
                f"{'Mensagem reenviada' if resent_from else 'Mensagem certificada enviada'} "
                f"por {CHANNEL_LABELS[kind]} para {address}"
            ),
            data={"certified": str(certified.public_id)},
        )
    return certified


def certified_track(*, token: str, what: str, context: RequestContext) -> CertifiedMessage | None:
    """A click on the tracking link or a load of the e-mail pixel; the first of each counts
    (later ones are evidence too, but do not move the time)."""
    with transaction.atomic():
        certified = (
            CertifiedMessage.objects.select_for_update(of=("self",))
            .select_related("contact", "kit")
            .filter(tracking_token=token)
            .first()
        )
        if certified is None:
            return None
        field = "clicked_at" if what == "click" else "opened_at"
        first = getattr(certified, field) is None
        if first:
            setattr(certified, field, clock.now())
            certified.save(update_fields=[field, "updated_at"])
        evidence_event_record(
            tenant=certified.contact.tenant,
            subject=certified_subject(certified),
            kind=f"certified.{what}",
            actor=EvidenceActor("client", certified.address),
            data={"first": first},
            context=context,
        )
        if first:
            activity_record(
                contact=certified.contact,
                kind="message.clicked" if what == "click" else "message.opened",
                channel=certified.channel,
                automation="Aceite digital" if certified.kit_id else "Mensagem certificada",
                description=(
                    "Link da mensagem aberto" if what == "click" else "E-mail aberto (pixel)"
                ),
            )
    return certified


def _certificate_html(certified: CertifiedMessage, receipts) -> str:
    message = certified.message
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{html.escape(at)}</td>"
        f"<td>{html.escape(source)}</td></tr>"
        for label, at, source in receipts
    )
    return (
        "<html><head><meta charset='utf-8'><style>body{font-family:sans-serif;font-size:11pt}"
        "td,th{border:1px solid #999;padding:4px}table{border-collapse:collapse;width:100%}"
        "pre{white-space:pre-wrap;border:1px solid #ccc;padding:8px}</style></head><body>"
        "<h1>Certificado de entrega (AR digital)</h1>"
        f"<p>Mensagem {html.escape(str(certified.public_id))} · canal "
        f"{html.escape(CHANNEL_LABELS[certified.channel])} · destinatário "
        f"{html.escape(certified.address)}</p>"
        f"<p>SHA-256 do texto enviado: <code>{certified.body_sha256}</code></p>"
        f"<h2>Texto enviado</h2><pre>{html.escape(message.body)}</pre>"
        "<h2>Registros</h2><table><tr><th>Registro</th><th>Data e hora</th><th>Fonte</th></tr>"
        f"{rows}</table>"
        "<p>Abertura por pixel e clique são de melhor esforço: leitores de e-mail que bloqueiam "
        "imagens não registram abertura; pré-visualizações automáticas de links podem registrar "
        "um clique.</p></body></html>"
    )


def _fmt(at) -> str:
    return clock.local(at).strftime("%d/%m/%Y %H:%M:%S %z") if at else "—"


def certified_receipt_lines(certified: CertifiedMessage) -> list[tuple[str, str, str]]:
    message = certified.message
    lines = [("Aceita pelo provedor", _fmt(message.accepted_at), "resposta da API do provedor")]
    provider = Receipt.objects.filter(message=message).order_by("occurred_at", "pk")
    labels = {"sent": "Enviada", "delivered": "Entregue", "read": "Lida", "failed": "Não entregue"}
    for receipt in provider:
        source = f"recibo do provedor ({certified.get_channel_display()})"
        if receipt.status == "failed":
            reason = receipt.error_title or error_explanation(receipt.error_code or "not_delivered")
            source = f"{source}: {reason}"
        lines.append(
            (labels.get(receipt.status, receipt.status), _fmt(receipt.occurred_at), source)
        )
    if message.status == "failed" and message.accepted_at is None:  # refused when sent
        lines.append(
            ("Recusada pelo provedor", _fmt(message.failed_at), certified.failure.split(": ", 1)[1])
        )
    if certified.channel == "email":
        lines.append(("Aberta (pixel)", _fmt(certified.opened_at), "pixel de rastreamento"))
    lines.append(("Link clicado", _fmt(certified.clicked_at), "clique no link de rastreamento"))
    return lines


def certified_certificate_request(*, actor: Actor, certified: CertifiedMessage) -> SealedDocument:
    """The sealed certificate of one certified message (asked once: it covers the records up
    to that moment, sealed through formaliza/evidence like every evidence PDF)."""
    existing = SealedDocument.objects.filter(
        subject_type=SUBJECT_TYPE, subject_id=str(certified.public_id)
    ).first()
    if existing is not None:
        return existing
    contact = certified.contact
    if br.cpf_normalize(contact.document or "") is None:
        raise ApplicationError(
            code="contact_without_cpf",
            message="O certificado precisa do CPF do contato: cadastre-o antes.",
            status=409,
        )
    lines = certified_receipt_lines(certified)
    page = _certificate_html(certified, lines)
    message = certified.message
    now = clock.now()
    with transaction.atomic():
        evidence_event_record(
            tenant=contact.tenant,
            subject=certified_subject(certified),
            kind="certified.certificate_requested",
            actor=EvidenceActor("user" if actor.user else "system", actor.label),
            data={"records": [list(line) for line in lines]},
        )
        receipts = tuple(
            MessageReceipt(status, at)
            for status, at in (
                ("sent", message.sent_at),
                ("delivered", message.delivered_at),
                ("read", message.read_at),
            )
            if at is not None
        )
        bundle = EvidenceBundle(
            subject=certified_subject(certified),
            reference=str(certified.public_id),
            reference_label="Mensagem certificada",
            title="Certificado de entrega (AR digital)",
            originator=Originator(
                organization=contact.tenant.name, created_by=actor.label, channel="Back office"
            ),
            created_at=certified.created_at,
            sent_at=message.sent_at or message.accepted_at or certified.created_at,
            completed_at=now,
            contracts=(
                ContractDocument(
                    title="Certificado de entrega",
                    contract_number=f"AR-{str(certified.public_id)[:8]}",
                    html=page,
                    sha256=contract_sha256(html=page),
                ),
            ),
            signers=(
                Signer(
                    name=contact.name or "Destinatário",
                    cpf=contact.document,
                    phone=certified.address if certified.channel != "email" else "",
                    email=certified.address if certified.channel == "email" else "",
                    role="Destinatário",
                    sent_at=message.sent_at or message.accepted_at,
                    opened_at=certified.clicked_at or certified.opened_at or message.read_at,
                ),
            ),
            messages=(
                WhatsAppMessage(
                    direction="out",
                    message_id=message.provider_message_id or str(message.public_id),
                    phone=certified.address,
                    at=message.created_at,
                    text=message.body,
                    receipts=receipts,
                    description=f"Mensagem certificada por {CHANNEL_LABELS[certified.channel]}",
                ),
            ),
            event_labels={
                "certified.sent": "Mensagem certificada enviada",
                "certified.click": "Link aberto pelo destinatário",
                "certified.pixel": "E-mail aberto (pixel)",
                "certified.certificate_requested": "Certificado pedido",
            },
        )
        document = sealed_document_request(
            tenant=contact.tenant, bundle=bundle, requested_by=actor.label
        )
        CertifiedMessage.objects.filter(pk=certified.pk).update(sealed_document=document)
    return document


STATUS_ACTIVITY = {
    # status → (activity kind, description, the message's time field)
    "delivered": ("message.delivered", "Mensagem entregue (recibo do provedor)", "delivered_at"),
    "read": ("message.read", "Mensagem lida (confirmação de leitura do WhatsApp)", "read_at"),
    "failed": ("message.failed", "", "failed_at"),
}


def certified_status_record(*, message_id: int, status: str) -> str:
    """A certified message's status advanced (settings.CONVERSATION_STATUS_HANDLERS): delivered,
    read and failed go on the contact's activity (and on each document of its kit), once, at
    the provider's time. Other messages and statuses: nothing."""
    if status not in STATUS_ACTIVITY:
        return "ignored"
    certified = (
        CertifiedMessage.objects.select_related("message", "contact", "kit")
        .filter(message_id=message_id)
        .first()
    )
    if certified is None:
        return "not_certified"
    kind, description, field = STATUS_ACTIVITY[status]
    if status == "failed":
        description = certified.failure or "Mensagem não entregue"
    with transaction.atomic():
        done = certified.contact.activities.filter(
            kind=kind, data__certified=str(certified.public_id)
        )
        if done.exists():
            return "already_recorded"
        documents = list(certified.kit.documents.order_by("position")) if certified.kit else []
        for document in documents or [None]:
            activity_record(
                contact=certified.contact, kind=kind, channel=certified.channel,
                automation="Aceite digital" if certified.kit_id else "Mensagem certificada",
                description=f"{description} — {certified.address}", document=document,
                data={"certified": str(certified.public_id)},
                at=getattr(certified.message, field) or clock.now(),
            )  # fmt: skip
    return "recorded"
