"""Demo data of the contact base: contacts with documents in every state — waiting for
acceptance, accepted (sealed by the workers), expired, archived, without a journey — and
certified messages by SMS and e-mail (the accepted kit with the client's selfie) whose provider answered every way a provider answers:
sent, delivered, opened (pixel and link), refused when sent, bounced after it was accepted,
so every profile tab and the AR digital tab show something (and "Não entregue: <motivo>")."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from formaliza.acceptance.models import AcceptanceKit, CertifiedMessage, ContactDocument
from formaliza.acceptance.services import (
    KitFile,
    activity_record,
    certified_send,
    certified_track,
    document_scroll,
    document_shown,
    documents_archive,
    kit_accept,
    kit_open,
    kit_selfie_submit,
    kit_send,
)
from formaliza.accounts.actors import Actor
from formaliza.accounts.models import Tenant
from formaliza.contacts.models import Contact, ContactEmail, ContactPhone
from formaliza.conversations.models import Channel, Message, MessageStatus
from formaliza.conversations.ports import StatusUpdate
from formaliza.conversations.services import status_record
from formaliza.core import clock, ids
from formaliza.demo.images import selfie_jpeg
from formaliza.evidence.report import html_to_pdf
from formaliza.evidence.services import RequestContext

PEOPLE = [
    ("Maria Clara Souza", "39053344705", "+5511987001001", "maria.clara@example.com"),
    ("Maria Laura Souza", "52998224725", "+5511987001002", "maria.laura@example.com"),
    ("João da Conceição", "11144477735", "+5521987001003", "joao.conceicao@example.com"),
]


def _pdf(title: str) -> bytes:
    text = "O contratante declara que leu, compreendeu e aceita as condições abaixo. " * 30
    return html_to_pdf(f"<html><body><h1>{title}</h1><p>{text}</p></body></html>")


def _provider_answers(
    certified: CertifiedMessage, *, receipts: tuple[str, ...] = (), refused: str = "",
    bounced: str = "",
) -> None:  # fmt: skip
    """What the provider answered for a certified message, recorded as the dispatcher and the
    receipts webhook record it (the demo has no provider to ask): accepted with an id, then
    each receipt through `status_record`; or refused when sent (failed, never accepted); or
    accepted and then reported undeliverable (`bounced`: the provider's reason)."""
    message = certified.message
    at = message.created_at
    if refused:
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED, attempts=1, failed_at=at + dt.timedelta(seconds=2),
            error_code="zenvia_validation", error_title=refused, next_attempt_at=None,
        )  # fmt: skip
        return
    provider_id = f"demo-{message.public_id}"
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.ACCEPTED, attempts=1, accepted_at=at + dt.timedelta(seconds=1),
        provider_message_id=provider_id, next_attempt_at=None,
    )  # fmt: skip
    steps = [*receipts, "failed"] if bounced else list(receipts)
    for minutes, status in enumerate(steps, start=1):
        status_record(
            channel=message.channel,
            update=StatusUpdate(
                provider_message_id=provider_id, status=status,
                timestamp=at + dt.timedelta(minutes=minutes), recipient=certified.address,
                callback_data=str(message.public_id),
                error_code="not_delivered" if status == "failed" else "",
                error_title=bounced if status == "failed" else "",
            ),
        )  # fmt: skip
    certified.message.refresh_from_db()


def _kit_message(kit: AcceptanceKit) -> CertifiedMessage:
    return CertifiedMessage.objects.select_related("message__channel").get(kit=kit)


def contacts_seed(*, tenant: Tenant, operator: Actor) -> None:
    if Contact.objects.filter(tenant=tenant, document=PEOPLE[0][1]).exists():
        return
    email = Channel.objects.get(tenant=tenant, kind="email")
    sms = Channel.objects.get(tenant=tenant, kind="sms")
    contacts = []
    for name, cpf, phone, address in PEOPLE:
        contact = Contact.objects.create(tenant=tenant, name=name, document=cpf)
        ContactPhone.objects.create(tenant=tenant, contact=contact, e164=phone)
        ContactEmail.objects.create(tenant=tenant, contact=contact, address=address)
        contacts.append(contact)
    maria, laura, joao = contacts
    soon = clock.now() + dt.timedelta(days=7)
    context = RequestContext(ip="203.0.113.10", user_agent="Mozilla/5.0 (demo)")

    # Accepted (the workers seal it), waiting, expired.
    accepted = kit_send(
        actor=operator, contact=maria, title="Contrato de adesão", channel=email,
        message="Seguem os documentos para o seu aceite digital.",
        address=PEOPLE[0][3], deadline=soon,
        files=[KitFile("Contrato de adesão", "CT-2026-0001", _pdf("Contrato de adesão")),
               KitFile("Termo de privacidade", "LG-2026-0001", _pdf("Termo de privacidade"))],
        require_selfie=True,
    )  # fmt: skip
    delivered_opened = _kit_message(accepted)
    _provider_answers(delivered_opened, receipts=("sent", "delivered"))
    certified_track(token=delivered_opened.tracking_token, what="open", context=context)
    certified_track(token=delivered_opened.tracking_token, what="click", context=context)
    kit_open(kit=accepted, context=context)
    for document in accepted.documents.all():
        document_shown(kit=accepted, document=document, context=context)
        document_scroll(kit=accepted, document=document, fraction=1.0, context=context)
    kit_selfie_submit(kit=accepted, data=selfie_jpeg(), context=context)
    kit_accept(kit_id=accepted.pk, context=context)
    waiting = kit_send(
        actor=operator, contact=maria, title="Aditivo contratual", channel=sms,
        message="Promotora Exemplo: aditivo para o seu aceite.", address=PEOPLE[0][2],
        deadline=soon, files=[KitFile("Aditivo", "AD-2026-0002", _pdf("Aditivo contratual"))],
    )  # fmt: skip
    _provider_answers(_kit_message(waiting), receipts=("sent", "delivered"))
    expired = kit_send(
        actor=operator, contact=laura, title="Renovação", channel=email,
        message="Documentos da renovação para o seu aceite.", address=PEOPLE[1][3],
        deadline=soon, files=[KitFile("Renovação", "RN-2025-0003", _pdf("Renovação"))],
    )  # fmt: skip
    _provider_answers(
        _kit_message(expired),
        receipts=("sent",),
        bounced="Caixa postal inexistente (550 5.1.1 mailbox unavailable)",
    )
    AcceptanceKit.objects.filter(pk=expired.pk).update(
        deadline=clock.now() - dt.timedelta(days=2), status=AcceptanceKit.Status.EXPIRED
    )

    # An old document, archived by the scheduled task; one without a journey (cannot resend).
    old = kit_send(
        actor=operator, contact=joao, title="Contrato 2024", channel=email,
        message="Contrato de 2024.", address=PEOPLE[2][3], deadline=soon,
        files=[KitFile("Contrato 2024", "CT-2024-0099", _pdf("Contrato 2024"))],
    )  # fmt: skip
    archived = _kit_message(old)
    _provider_answers(archived, receipts=("sent", "delivered"))
    certified_track(token=archived.tracking_token, what="open", context=context)
    ContactDocument.objects.filter(kit=old).update(created_at=clock.now() - dt.timedelta(days=400))
    documents_archive()
    data = _pdf("Comprovante avulso")
    digest = ids.sha256_hex(data)
    name = storages["default"].save(f"contacts/{tenant.pk}/avulsos/{digest}.pdf", ContentFile(data))
    loose = ContactDocument.objects.create(
        tenant=tenant, contact=joao, number="AV-2026-0100", title="Comprovante avulso",
        file_name=name, sha256=digest, size=len(data), page_count=1,
    )  # fmt: skip
    activity_record(contact=joao, kind="document.uploaded", document=loose,
                    description="Comprovante avulso anexado (sem jornada)")  # fmt: skip
    sent = certified_send(actor=operator, contact=joao, channel=sms, address=PEOPLE[2][2],
                          text="Promotora Exemplo: seu boleto vence amanhã.")  # fmt: skip
    _provider_answers(sent, receipts=("sent",))
    refused = certified_send(
        actor=operator,
        contact=joao,
        channel=sms,
        address="+5521987009999",
        text="Promotora Exemplo: confirme seu endereço.",
    )
    _provider_answers(refused, refused="A Zenvia recusou a mensagem: número de destino inativo.")
    clicked = certified_send(
        actor=operator,
        contact=laura,
        channel=email,
        address=PEOPLE[1][3],
        subject="Aviso",
        text="Seu contrato foi renovado.",
        link_target="https://promotora.example/contrato",
    )
    _provider_answers(clicked, receipts=("sent", "delivered"))
    certified_track(token=clicked.tracking_token, what="click", context=context)
