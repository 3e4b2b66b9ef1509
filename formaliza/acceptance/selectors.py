"""Reads of the contact base, always by tenant: a contact's profile tabs, documents, kits,
certified messages and activity; the "Nº do documento" finder of the contact search."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from formaliza.acceptance.models import (
    AcceptanceKit,
    CertifiedMessage,
    ContactActivity,
    ContactDocument,
)
from formaliza.accounts.models import Tenant
from formaliza.contacts.models import Contact
from formaliza.conversations.models import ContactHandle, Message
from formaliza.core import clock
from formaliza.proposals.models import FormalizationRequest, Proposal


def contact_ids_by_document_number(*, tenant: Tenant, number: str) -> set[int]:
    """Contacts whose document, proposal or formalization carries exactly this number."""
    ids = set(
        ContactDocument.objects.filter(tenant=tenant, number=number).values_list(
            "contact_id", flat=True
        )[:200]
    )
    ids |= set(
        Proposal.objects.filter(tenant=tenant, number=number).values_list("contact_id", flat=True)
    )
    ids |= set(
        FormalizationRequest.objects.filter(tenant=tenant, number=number).values_list(
            "contact_id", flat=True
        )
    )
    return ids


def contact_get(*, tenant: Tenant, public_id) -> Contact | None:
    return (
        Contact.objects.filter(tenant=tenant, public_id=public_id)
        .prefetch_related("phones", "emails")
        .first()
    )


@dataclass(frozen=True)
class ChannelState:
    channel: str
    address: str
    opted_in_at: object
    opted_out_at: object
    last_inbound_at: object

    @property
    def active(self) -> bool:
        return self.opted_out_at is None


def contact_channels(*, contact: Contact) -> list[ChannelState]:
    """Each address of the contact on each channel with its consent state."""
    handles = ContactHandle.objects.filter(contact=contact).select_related("channel")
    return [
        ChannelState(
            channel=f"{h.channel.get_kind_display()} · {h.channel.name}",
            address=h.address_display,
            opted_in_at=h.opted_in_at,
            opted_out_at=h.opted_out_at,
            last_inbound_at=h.last_inbound_at,
        )
        for h in handles.order_by("channel__kind", "address")
    ]


def contact_automations(*, contact: Contact) -> list[str]:
    """The automations the contact takes part in: journeys, kits, flows (message references)."""
    names: list[str] = []
    for journey in contact.journeys.select_related("request").order_by("-created_at")[:20]:
        names.append(
            f"Jornada de formalização {journey.request.number} — {journey.get_status_display()}"
        )
    for kit in AcceptanceKit.objects.filter(contact=contact).order_by("-created_at")[:20]:
        names.append(f"Aceite digital “{kit.title}” — {kit_status_display(kit)}")
    return names


def kit_effective_status(kit: AcceptanceKit) -> str:
    """`waiting` past the deadline reads as expired even before the sweep marks it."""
    if kit.status == AcceptanceKit.Status.WAITING and kit.deadline <= clock.now():
        return AcceptanceKit.Status.EXPIRED
    return kit.status


def kit_status_display(kit: AcceptanceKit) -> str:
    return AcceptanceKit.Status(kit_effective_status(kit)).label


def contact_documents(*, contact: Contact) -> QuerySet[ContactDocument]:
    return ContactDocument.objects.filter(contact=contact).select_related("kit", "journey")


def contact_document_get(*, tenant: Tenant, public_id) -> ContactDocument | None:
    return (
        ContactDocument.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("contact", "kit", "kit__sealed_document", "journey")
        .first()
    )


def contact_kits(*, contact: Contact) -> QuerySet[AcceptanceKit]:
    return (
        AcceptanceKit.objects.filter(contact=contact)
        .select_related("sealed_document")
        .prefetch_related("documents")
        .order_by("-created_at", "-pk")
    )


def kit_get(*, tenant: Tenant, public_id) -> AcceptanceKit | None:
    return (
        AcceptanceKit.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("contact", "sealed_document")
        .first()
    )


def kit_by_token_sha256(*, token_sha256: str) -> AcceptanceKit | None:
    return (
        AcceptanceKit.objects.filter(token_sha256=token_sha256)
        .select_related("tenant", "contact")
        .first()
    )


def contact_certified(*, contact: Contact) -> QuerySet[CertifiedMessage]:
    return CertifiedMessage.objects.filter(contact=contact).select_related(
        "message", "sealed_document", "kit"
    )


def certified_get(*, tenant: Tenant, public_id) -> CertifiedMessage | None:
    return (
        CertifiedMessage.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("message", "contact", "sealed_document", "kit")
        .first()
    )


@dataclass(frozen=True)
class ActivityRow:
    at: object
    channel: str
    automation: str
    kind: str
    description: str


def _automation_of(reference: str) -> str:
    prefix = (reference or "").split(":", 1)[0]
    return {
        "journey": "Jornada de formalização",
        "kit": "Aceite digital",
        "flow": "Fluxo do chatbot",
        "portal": "Portal de Envio",
    }.get(prefix, "Atendimento" if not reference else prefix)


def contact_activity(
    *,
    contact: Contact,
    channel: str = "",
    automation: str = "",
    kind: str = "",
    document=None,
    limit: int = 200,
) -> list[ActivityRow]:
    """The contact's interactions, newest first: our activity trail and every message on any
    channel, filterable by channel kind and automation label."""
    events = ContactActivity.objects.filter(contact=contact)
    if document is not None:
        events = events.filter(document=document)
    if channel:
        events = events.filter(channel=channel)
    if automation:
        events = events.filter(automation=automation)
    if kind:
        events = events.filter(kind=kind)
    rows = [
        ActivityRow(e.at, e.channel, e.automation, e.kind, e.description) for e in events[:limit]
    ]
    if document is None and not kind:
        messages = Message.objects.filter(contact=contact).select_related("channel")
        if channel:
            messages = messages.filter(channel__kind=channel)
        for m in messages.order_by("-created_at", "-id")[:limit]:
            auto = _automation_of(m.reference)
            if automation and auto != automation:
                continue
            direction = "Mensagem recebida" if m.direction == "in" else "Mensagem enviada"
            text = (m.body or m.get_kind_display())[:200]
            rows.append(
                ActivityRow(
                    m.created_at,
                    m.channel.kind,
                    auto,
                    f"message.{m.direction}",
                    f"{direction} ({m.get_status_display().lower()}): {text}",
                )
            )
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows[:limit]


def activity_automations(*, contact: Contact) -> list[str]:
    names = set(
        ContactActivity.objects.filter(contact=contact)
        .exclude(automation="")
        .values_list("automation", flat=True)
        .distinct()
    )
    for reference in (
        Message.objects.filter(contact=contact).values_list("reference", flat=True).distinct()[:50]
    ):
        names.add(_automation_of(reference))
    return sorted(names)


def document_event_kinds(*, document: ContactDocument) -> list[tuple[str, str]]:
    kinds = (
        ContactActivity.objects.filter(document=document).values_list("kind", flat=True).distinct()
    )
    return sorted((k, ACTIVITY_LABELS.get(k, k)) for k in kinds)


ACTIVITY_LABELS = {
    "kit.sent": "Enviado",
    "kit.opened": "Aberto",
    "document.read": "Lido até o fim",
    "kit.accepted": "Aceito",
    "kit.expired": "Expirado",
    "kit.sealed": "Laudo selado",
    "message.delivered": "Entregue",
    "message.failed": "Não entregue",
    "message.read": "Lido (recibo do provedor)",
    "message.clicked": "Link aberto",
    "message.opened": "E-mail aberto (pixel)",
    "document.resent": "Documento reenviado",
    "message.resent": "Mensagem reenviada",
    "document.archived": "Arquivado",
    "document.unarchive_requested": "Desarquivamento pedido",
    "document.unarchived": "Desarquivado",
}


@dataclass(frozen=True)
class DeliveryStep:
    label: str
    at: object
    source: str


def document_delivery(*, document: ContactDocument) -> list[DeliveryStep]:
    """Sent, delivered, opened for the latest certified message that carried the document."""
    if document.kit_id is None:
        return []
    certified = (
        CertifiedMessage.objects.filter(kit_id=document.kit_id)
        .select_related("message")
        .order_by("-created_at", "-pk")
        .first()
    )
    if certified is None:
        return []
    return certified_receipts(certified=certified)


def certified_receipts(*, certified: CertifiedMessage) -> list[DeliveryStep]:
    """Every record of a certified message with its source, labelled honestly."""
    message = certified.message
    steps = [DeliveryStep("Enviada", message.sent_at or message.accepted_at, "provedor")]
    if certified.failure:
        label, reason = certified.failure.split(": ", 1)
        steps.append(DeliveryStep(label, message.failed_at, f"{reason} (provedor)"))
    else:
        steps.append(DeliveryStep("Entregue", message.delivered_at, "recibo do provedor"))
    if certified.channel == "whatsapp":
        steps.append(DeliveryStep("Lida", message.read_at, "confirmação de leitura do WhatsApp"))
    if certified.channel == "email":
        steps.append(
            DeliveryStep(
                "Aberta",
                certified.opened_at,
                "pixel de rastreamento (melhor esforço: leitores que bloqueiam imagens não contam)",
            )
        )
    steps.append(
        DeliveryStep(
            "Link clicado",
            certified.clicked_at,
            "clique no link (melhor esforço: pré-visualizações automáticas também contam)",
        )
    )
    return steps


def contact_labels(*, contact: Contact) -> list[str]:
    """The finalization labels of the contact's conversations (Assinado, Em análise...)."""
    return sorted(
        set(
            contact.conversations.exclude(finalization__isnull=True).values_list(
                "finalization__name", flat=True
            )
        )
    )


def sending_channels(*, tenant: Tenant, kind: str = ""):
    from formaliza.conversations.models import Channel as ConversationChannel

    channels = ConversationChannel.objects.filter(tenant=tenant, is_active=True)
    if kind:
        channels = channels.filter(kind=kind)
    return list(channels.order_by("kind", "name"))


def sending_channel_get(*, tenant: Tenant, channel_id):
    from formaliza.conversations.models import Channel as ConversationChannel

    try:
        return ConversationChannel.objects.filter(tenant=tenant, pk=int(channel_id)).first()
    except (TypeError, ValueError):
        return None


def unarchive_pending(*, document: ContactDocument) -> bool:
    return document.unarchive_requests.filter(status="pending").exists()


def kit_documents(*, kit: AcceptanceKit) -> list[ContactDocument]:
    return list(kit.documents.order_by("position"))


def certified_by_token(*, token: str) -> CertifiedMessage | None:
    return CertifiedMessage.objects.filter(tracking_token=token).select_related("kit").first()
