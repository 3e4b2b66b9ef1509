"""Resending (seed 002 "Reenvio de Documento" / "Reenvio de Mensagens").

A document is resent through the automation it belongs to (its acceptance kit, or its
formalization journey); a document with neither cannot be resent. A certified message is
resent on the same kind of channel only (SMS → SMS, e-mail → e-mail), to the original address
or a new, validated one. Every resend is on the contact's activity and the evidence trail."""

from __future__ import annotations

from django.db import transaction

from formaliza.acceptance.models import AcceptanceKit, CertifiedMessage, ContactDocument
from formaliza.acceptance.services.activity import activity_record
from formaliza.acceptance.services.certified import certified_send, certified_subject
from formaliza.acceptance.services.kits import _expired, kit_subject, kit_token, kit_url
from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.conversations.models import Channel as ConversationChannel
from formaliza.core.errors import ApplicationError
from formaliza.evidence.services import EvidenceActor, evidence_event_record
from formaliza.journeys.services import journey_link_resend

NO_JOURNEY = (
    "Este documento não tem uma jornada associada (kit de aceite ou jornada de formalização): "
    "não é possível reenviá-lo."
)
RESENDABLE_MESSAGE_KINDS = ("sms", "email")


class ResendRefused(ApplicationError):
    def __init__(self, code: str, message: str, status: int = 409):
        super().__init__(code=code, message=message, status=status)


def document_resend_refusal(document: ContactDocument) -> str:
    """Why a document cannot be resent now ("" when it can)."""
    if document.kit_id is None and document.journey_id is None:
        return NO_JOURNEY
    if document.kit_id is not None:
        kit = document.kit
        if kit.status == AcceptanceKit.Status.ACCEPTED:
            return "O kit já foi aceito: não há o que reenviar."
        if _expired(kit):
            return "O prazo do kit terminou (Expirado): envie um novo kit."
    elif not document.journey.is_open:
        return "A jornada deste documento está encerrada: abra uma nova formalização."
    return ""


def document_resend(
    *,
    actor: Actor,
    document: ContactDocument,
    channel: ConversationChannel | None = None,
    address: str = "",
    message: str = "",
) -> str:
    """Resend the document's link through its kit (any channel of the tenant, any address)
    or its journey (the journey's own WhatsApp link). Returns what was done, in pt-BR."""
    actor.require(Perm.CONTACT_SEND)
    if document.tenant_id != actor.tenant.pk:
        raise ApplicationError(code="not_found", message="Documento não encontrado.", status=404)
    refusal = document_resend_refusal(document)
    if refusal:
        raise ResendRefused("document_not_resendable" if refusal == NO_JOURNEY
                            else "document_closed", refusal)  # fmt: skip
    if document.kit_id is None:
        journey_link_resend(actor=actor, journey_id=document.journey_id)
        activity_record(contact=document.contact, kind="document.resent", channel="whatsapp",
                        automation="Jornada de formalização", document=document,
                        description=f"“{document.title}” reenviado (link da jornada)")  # fmt: skip
        return "Link da jornada reenviado."
    if channel is None or channel.tenant_id != actor.tenant.pk:
        raise ApplicationError(code="channel_invalid", message="Escolha o canal.", status=422)
    kit = document.kit
    with transaction.atomic():
        certified = certified_send(
            actor=actor, contact=document.contact, channel=channel,
            address=address or kit.address, text=message or kit.message, subject=kit.title,
            link_target=kit_url(kit_token(kit)), kit=kit,
            resent_from=kit.messages.order_by("-created_at").first(), automation="Aceite digital",
        )  # fmt: skip
        evidence_event_record(
            tenant=actor.tenant, subject=kit_subject(kit), kind="kit.resent",
            actor=EvidenceActor("user" if actor.user else "system", actor.label),
            data={"document": document.number, "channel": channel.kind,
                  "address": certified.address, "message": str(certified.public_id)},
        )  # fmt: skip
        activity_record(contact=document.contact, kind="document.resent", channel=channel.kind,
                        automation="Aceite digital", document=document,
                        description=f"“{document.title}” reenviado por "
                                    f"{channel.get_kind_display()} para {certified.address}")  # fmt: skip
    return f"Documento reenviado para {certified.address}."


def message_resend(
    *,
    actor: Actor,
    certified: CertifiedMessage,
    channel: ConversationChannel,
    address: str = "",
) -> CertifiedMessage:
    """Resend a certified SMS or e-mail on a channel of the same kind."""
    actor.require(Perm.CONTACT_SEND)
    if certified.tenant_id != actor.tenant.pk or channel.tenant_id != actor.tenant.pk:
        raise ApplicationError(code="not_found", message="Mensagem não encontrada.", status=404)
    if certified.channel not in RESENDABLE_MESSAGE_KINDS:
        raise ResendRefused("resend_kind_unsupported",
                            "Só mensagens de SMS e e-mail podem ser reenviadas.")  # fmt: skip
    if channel.kind != certified.channel:
        raise ResendRefused(
            "resend_channel_mismatch",
            f"A mensagem foi enviada por {certified.get_channel_display()}: reenvie pelo mesmo "
            f"canal ({certified.get_channel_display()} → {certified.get_channel_display()}).",
            status=422,
        )
    with transaction.atomic():
        resent = certified_send(
            actor=actor, contact=certified.contact, channel=channel,
            address=address or certified.address, text=certified.text,
            subject=certified.subject, link_target=certified.link_target, kit=certified.kit,
            resent_from=certified,
        )  # fmt: skip
        evidence_event_record(
            tenant=actor.tenant,
            subject=certified_subject(certified),
            kind="message.resent",
            actor=EvidenceActor("user" if actor.user else "system", actor.label),
            data={"original": str(certified.public_id), "resent": str(resent.public_id),
                  "address": resent.address},
        )  # fmt: skip
    return resent
