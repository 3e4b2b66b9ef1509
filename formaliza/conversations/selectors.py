"""Reads of the conversation layer, always filtered by tenant (another tenant's rows are simply
not found)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Case, Count, Prefetch, Q, QuerySet, When

from formaliza.accounts.models import Tenant, User
from formaliza.accounts.roles import Role
from formaliza.conversations.models import (
    Attachment,
    Channel,
    ContactHandle,
    Conversation,
    ConversationNote,
    Department,
    FinalizationStatus,
    InboundEvent,
    Message,
    Receipt,
    Template,
)
from formaliza.core import br


def channel_list(*, tenant: Tenant, messaging_only: bool = False) -> QuerySet[Channel]:
    """The tenant's channels; `messaging_only` leaves out e-mail (no templates there)."""
    qs = Channel.objects.filter(tenant=tenant).order_by("name")
    return qs.exclude(kind=Channel.Kind.EMAIL) if messaging_only else qs


def channel_get(*, tenant: Tenant, channel_id: int) -> Channel | None:
    return Channel.objects.filter(tenant=tenant, pk=channel_id).first()


def template_list(
    *, tenant: Tenant, channel_id: int | None = None, approved: bool = False,
    active_channel: bool = False,
) -> QuerySet[Template]:  # fmt: skip
    qs = Template.objects.filter(tenant=tenant).select_related("channel")
    if channel_id is not None:
        qs = qs.filter(channel_id=channel_id)
    if approved:
        qs = qs.filter(status=Template.Status.APPROVED)
    if active_channel:
        qs = qs.filter(channel__is_active=True)
    return qs.order_by("name", "language")


def template_get(*, tenant: Tenant, template_id: int) -> Template | None:
    return Template.objects.filter(tenant=tenant, pk=template_id).select_related("channel").first()


@dataclass(frozen=True)
class ConversationFilters:
    status: str = ""
    channel_id: int | None = None
    q: str = ""  # protocol, phone, e-mail or name


def conversation_list(*, tenant: Tenant, filters: ConversationFilters) -> QuerySet[Conversation]:
    qs = (
        Conversation.objects.filter(tenant=tenant)
        .select_related("channel", "handle", "contact")
        .annotate(message_count=Count("messages"))
        .order_by("-last_message_at", "-id")
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel_id:
        qs = qs.filter(channel_id=filters.channel_id)
    text = filters.q.strip()
    if text:
        phone = br.phone_parse(text)
        query = (
            Q(protocol=text) | Q(contact__name__icontains=text) | Q(handle__address=text.lower())
        )
        if phone is not None:
            query |= Q(handle__address=phone.e164)
        qs = qs.filter(query)
    return qs


def conversation_get(*, tenant: Tenant, protocol: str) -> Conversation | None:
    return (
        Conversation.objects.filter(tenant=tenant, protocol=protocol)
        .select_related("channel", "handle", "contact")
        .first()
    )


def conversation_messages(*, conversation: Conversation) -> QuerySet[Message]:
    return (
        conversation.messages.select_related("sent_by")
        .prefetch_related(
            Prefetch("receipts", queryset=Receipt.objects.order_by("occurred_at", "id")),
            "attachments",
            "dispatches",
        )
        .order_by("id")
    )


def message_get(*, tenant: Tenant, public_id: str) -> Message | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return Message.objects.filter(tenant=tenant, public_id=key).first()


def messages_by_reference(*, tenant: Tenant, reference: str) -> QuerySet[Message]:
    """Every message a caller tagged with `reference` ("journey:<uuid>"), oldest first, with
    its receipts — what a journey needs to show and to record as evidence."""
    return (
        Message.objects.filter(tenant=tenant, reference=reference)
        .prefetch_related(Prefetch("receipts", queryset=Receipt.objects.order_by("occurred_at")))
        .order_by("id")
    )


def handle_find(*, tenant: Tenant, channel_id: int, address: str) -> ContactHandle | None:
    phone = br.phone_parse(address)
    key = phone.e164 if phone else address.strip().lower()
    return ContactHandle.objects.filter(tenant=tenant, channel_id=channel_id, address=key).first()


def attachment_get(*, tenant: Tenant, attachment_id: int) -> Attachment | None:
    return (
        Attachment.objects.filter(tenant=tenant, pk=attachment_id)
        .select_related("message__conversation")
        .first()
    )


def inbound_events_failed(*, channel: Channel) -> QuerySet[InboundEvent]:
    return channel.inbound_events.filter(status=InboundEvent.Status.FAILED).order_by("-id")


def simulator_channels(*, tenant: Tenant) -> QuerySet[Channel]:
    """Channels the simulator may play the client on: only `fake` ones, so a test chat never
    reaches a real person."""
    # WhatsApp first: the page simulates WhatsApp and opens on its first channel (SMS after).
    whatsapp_first = Case(When(kind=Channel.Kind.WHATSAPP, then=0), default=1)
    return Channel.objects.filter(
        tenant=tenant, provider=Channel.Provider.FAKE, is_active=True
    ).order_by(whatsapp_first, "name")


def simulator_channel_get(*, tenant: Tenant, channel_id: int) -> Channel | None:
    return simulator_channels(tenant=tenant).filter(pk=channel_id).first()


def handle_recent_messages(*, handle: ContactHandle, limit: int = 100) -> list[Message]:
    """The last `limit` messages with one handle, oldest first."""
    return list(reversed(Message.objects.filter(handle=handle).order_by("-id")[:limit]))


# --- the attendants' inbox ---------------------------------------------------------------------

PEOPLE = (Conversation.Handler.QUEUE, Conversation.Handler.AGENT)
INBOX_ROLES = (Role.ATTENDANT, Role.OPERATOR, Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class Queue:
    department: Department | None  # None: the general queue (transfers without a department)
    waiting: int  # not taken yet
    taken: int


def inbox_queues(*, tenant: Tenant) -> list[Queue]:
    rows = (
        Conversation.objects.filter(tenant=tenant, status="open", handler__in=PEOPLE)
        .values("department_id")
        .annotate(
            waiting=Count("pk", filter=Q(assignee__isnull=True)),
            taken=Count("pk", filter=Q(assignee__isnull=False)),
        )
    )
    counts = {r["department_id"]: r for r in rows}
    queues = [
        Queue(d, counts.get(d.pk, {}).get("waiting", 0), counts.get(d.pk, {}).get("taken", 0))
        for d in Department.objects.filter(tenant=tenant, is_active=True)
    ]
    if None in counts:
        queues.insert(0, Queue(None, counts[None]["waiting"], counts[None]["taken"]))
    return queues


def inbox_conversations(
    *, tenant: Tenant, department_id: int | None = None, general: bool = False,
    mine: User | None = None,
) -> QuerySet[Conversation]:  # fmt: skip
    """Open conversations with people: one department's queue, the general queue, or the
    attendant's own ("meus atendimentos")."""
    qs = Conversation.objects.filter(tenant=tenant, status="open", handler__in=PEOPLE)
    if mine is not None:
        qs = qs.filter(assignee=mine)
    elif general:
        qs = qs.filter(department__isnull=True)
    elif department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs.select_related("contact", "handle", "department", "assignee", "channel").order_by(
        "assignee_id", "last_message_at"
    )


def inbox_conversation(*, tenant: Tenant, protocol: str) -> Conversation | None:
    return (
        Conversation.objects.filter(tenant=tenant, protocol=protocol)
        .select_related("channel", "handle", "contact", "department", "assignee", "finalization")
        .first()
    )


def inbox_notes(*, conversation: Conversation) -> QuerySet[ConversationNote]:
    return ConversationNote.objects.filter(conversation=conversation).select_related("author")


def department_get(*, tenant: Tenant, department_id: int) -> Department | None:
    return Department.objects.filter(tenant=tenant, pk=department_id).first()


def department_choices(*, tenant: Tenant) -> list[tuple[int, str]]:
    return [(d.pk, d.name) for d in Department.objects.filter(tenant=tenant, is_active=True)]


def finalization_choices(*, tenant: Tenant) -> list[tuple[int, str]]:
    active = FinalizationStatus.objects.filter(tenant=tenant, is_active=True)
    return [(f.pk, f.name) for f in active]


def attendant_choices(*, tenant: Tenant) -> list[tuple[int, str]]:
    people = User.objects.filter(tenant=tenant, is_active=True).order_by("first_name")
    return [(u.pk, u.display_name) for u in people if u.role in INBOX_ROLES]
