"""Reads of the history and the portal, always filtered by tenant: another tenant's rows are
simply not found.

Search strategy (docs/history.md): every search is bounded by the period (at most 30 days of
`opened_at`) and ordered by (opened_at, id) descending with keyset pagination, so a page never
counts or skips rows. Exact keys (CPF, contract, document key, proposal, full name, birth date,
phone, e-mail) are first resolved to a short list of ids through their own indexes; the
conversation query then reads one composite index range (tenant, column, opened_at).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields

from django.db.models import Count, Q, QuerySet

from formaliza.accounts.models import Tenant, User
from formaliza.contacts.models import Contact, ContactEmail, ContactPhone
from formaliza.conversations.models import (
    Attachment,
    Channel,
    ContactHandle,
    Conversation,
    ConversationKey,
    Department,
    FinalizationStatus,
    Message,
)
from formaliza.conversations.services.conversations import KEY_NORMALIZERS
from formaliza.core import clock
from formaliza.history.models import AttachmentAccess, HistoryExport, PortalSend

# A key shared by more conversations than this is not a key: the search keeps the newest.
KEY_MATCH_MAX = 5000
Kind = ConversationKey.Kind


@dataclass(frozen=True)
class HistoryFilters:
    """The seed's form. Dates are Brasília calendar days, both inclusive."""

    start: dt.date
    end: dt.date
    cpf: str = ""
    contract: str = ""
    document_key: str = ""
    proposal: str = ""
    full_name: str = ""
    birth_date: dt.date | None = None
    name: str = ""
    phone: str = ""  # E.164
    email: str = ""
    protocol: str = ""
    department_id: int | None = None
    channel_id: int | None = None
    finalization_id: int | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("start", "end", "birth_date"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> HistoryFilters:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        for key in ("start", "end", "birth_date"):
            if values.get(key):
                values[key] = dt.date.fromisoformat(values[key])
        return cls(**values)


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) in Brasília time."""
    low = dt.datetime.combine(start, dt.time.min, tzinfo=clock.SAO_PAULO)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SAO_PAULO)
    return low, high


def _key_ids(tenant: Tenant, kind: str, value: str) -> list[int]:
    normalized = KEY_NORMALIZERS(kind, value)
    return list(
        ConversationKey.objects.filter(tenant=tenant, kind=kind, value=normalized[:200])
        .values_list("conversation_id", flat=True)
        .distinct()[:KEY_MATCH_MAX]
    )


def _key_conditions(tenant: Tenant, f: HistoryFilters) -> list[Q]:
    conditions = []
    keyed = [
        (Kind.CONTRACT, f.contract),
        (Kind.DOCUMENT_KEY, f.document_key),
        (Kind.PROPOSAL, f.proposal),
        (Kind.FULL_NAME, f.full_name),
        (Kind.BIRTH_DATE, f.birth_date.isoformat() if f.birth_date else ""),
    ]
    for kind, value in keyed:
        if value:
            conditions.append(Q(pk__in=_key_ids(tenant, kind, value)))
    if f.cpf:
        # The journey's key, or the contact registered with that CPF.
        contacts = list(
            Contact.objects.filter(tenant=tenant, document=f.cpf).values_list("id", flat=True)
        )
        conditions.append(Q(pk__in=_key_ids(tenant, Kind.CPF, f.cpf)) | Q(contact_id__in=contacts))
    if f.phone:
        handles = ContactHandle.objects.filter(tenant=tenant, address=f.phone)
        contacts = ContactPhone.objects.filter(tenant=tenant, e164=f.phone)
        conditions.append(
            Q(handle_id__in=list(handles.values_list("id", flat=True)))
            | Q(contact_id__in=list(contacts.values_list("contact_id", flat=True)))
        )
    if f.email:
        address = f.email.strip().lower()
        handles = ContactHandle.objects.filter(tenant=tenant, address=address)
        contacts = ContactEmail.objects.filter(tenant=tenant, address__iexact=address)
        conditions.append(
            Q(handle_id__in=list(handles.values_list("id", flat=True)))
            | Q(contact_id__in=list(contacts.values_list("contact_id", flat=True)))
        )
    return conditions


def history_queryset(*, tenant: Tenant, filters: HistoryFilters) -> QuerySet[Conversation]:
    """Conversations matching every filter, newest first (by opened_at, then id)."""
    low, high = period_bounds(filters.start, filters.end)
    qs = Conversation.objects.filter(tenant=tenant, opened_at__gte=low, opened_at__lt=high)
    for condition in _key_conditions(tenant, filters):
        qs = qs.filter(condition)
    if filters.protocol:
        qs = qs.filter(protocol=filters.protocol.strip())
    if filters.name:
        names = Contact.objects.filter(tenant=tenant, name__icontains=filters.name.strip())
        qs = qs.filter(contact_id__in=names.values("id"))
    if filters.department_id:
        qs = qs.filter(department_id=filters.department_id)
    if filters.channel_id:
        qs = qs.filter(channel_id=filters.channel_id)
    if filters.finalization_id:
        qs = qs.filter(finalization_id=filters.finalization_id)
    return qs.order_by("-opened_at", "-id")


@dataclass(frozen=True)
class Cursor:
    opened_at: dt.datetime
    id: int

    def encode(self) -> str:
        raw = f"{self.opened_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor | None:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            moment, pk = raw.split("|")
            opened_at = dt.datetime.fromisoformat(moment)
            if opened_at.tzinfo is None:
                return None
            return cls(opened_at, int(pk))
        except (ValueError, UnicodeDecodeError):
            return None


@dataclass(frozen=True)
class HistoryPage:
    rows: list[Conversation]
    next_cursor: Cursor | None


def history_search(
    *, tenant: Tenant, filters: HistoryFilters, after: Cursor | None = None, limit: int = 50
) -> HistoryPage:
    """One page of results after `after` (keyset: no OFFSET, no COUNT)."""
    qs = history_queryset(tenant=tenant, filters=filters)
    if after is not None:
        qs = qs.filter(
            Q(opened_at__lt=after.opened_at) | Q(opened_at=after.opened_at, id__lt=after.id)
        )
    related = ("finalization", "department", "finished_by", "contact", "handle", "channel")
    qs = qs.select_related(*related)
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = Cursor(rows[-1].opened_at, rows[-1].pk)
    return HistoryPage(rows, next_cursor)


def history_iter(
    *, tenant: Tenant, filters: HistoryFilters, batch: int = 1000
) -> Iterator[list[Conversation]]:
    """Every matching conversation, in keyset batches (exports)."""
    after = None
    while True:
        page = history_search(tenant=tenant, filters=filters, after=after, limit=batch)
        if page.rows:
            yield page.rows
        if page.next_cursor is None:
            return
        after = page.next_cursor


def history_count_upto(*, tenant: Tenant, filters: HistoryFilters, limit: int) -> int:
    """How many match, counting no further than `limit` (bounded work)."""
    ids = history_queryset(tenant=tenant, filters=filters).values("id")[:limit]
    return Conversation.objects.filter(pk__in=list(ids.values_list("id", flat=True))).count()


@dataclass(frozen=True)
class LabelCount:
    status: FinalizationStatus | None  # None: conversations without a status
    count: int


def finalization_counts(*, tenant: Tenant, start: dt.date, end: dt.date) -> list[LabelCount]:
    """Each status of the tenant (active ones, and inactive ones still in use) with how many
    conversations of the period carry it, then the ones without a status."""
    low, high = period_bounds(start, end)
    grouped = (
        Conversation.objects.filter(tenant=tenant, opened_at__gte=low, opened_at__lt=high)
        .values("finalization_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row["finalization_id"]: row["n"] for row in grouped}
    result = [
        LabelCount(status, counts.get(status.pk, 0))
        for status in FinalizationStatus.objects.filter(tenant=tenant)
        if status.is_active or counts.get(status.pk)
    ]
    result.append(LabelCount(None, counts.get(None, 0)))
    return result


def finalization_list(*, tenant: Tenant, active_only: bool = False) -> QuerySet[FinalizationStatus]:
    qs = FinalizationStatus.objects.filter(tenant=tenant)
    return qs.filter(is_active=True) if active_only else qs


def finalization_get(*, tenant: Tenant, status_id: int) -> FinalizationStatus | None:
    return FinalizationStatus.objects.filter(tenant=tenant, pk=status_id).first()


def department_list(*, tenant: Tenant) -> QuerySet[Department]:
    return Department.objects.filter(tenant=tenant)


def channel_list(*, tenant: Tenant) -> QuerySet[Channel]:
    return Channel.objects.filter(tenant=tenant).order_by("name")


def conversation_get(*, tenant: Tenant, protocol: str) -> Conversation | None:
    return (
        Conversation.objects.filter(tenant=tenant, protocol=protocol)
        .select_related("channel", "handle", "contact", "finalization", "department", "finished_by")
        .first()
    )


def transcript_messages(*, conversation: Conversation) -> QuerySet[Message]:
    return (
        conversation.messages.select_related("sent_by")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def conversation_attachments(*, conversation: Conversation) -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        tenant_id=conversation.tenant_id, message__conversation=conversation
    ).order_by("id")


def attachment_get(*, tenant: Tenant, attachment_id: int) -> Attachment | None:
    return (
        Attachment.objects.filter(tenant=tenant, pk=attachment_id, message__isnull=False)
        .select_related("message__conversation")
        .first()
    )


def attachment_accesses(*, tenant: Tenant, attachment_id: int) -> QuerySet[AttachmentAccess]:
    return AttachmentAccess.objects.filter(tenant=tenant, attachment_id=attachment_id)


def export_get(*, tenant: Tenant, export_id) -> HistoryExport | None:
    return HistoryExport.objects.filter(tenant=tenant, pk=export_id).first()


# --- portal ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentFilters:
    start: dt.date
    end: dt.date
    user_id: int | None = None
    status: str = ""


def portal_send_get(*, tenant: Tenant, send_id: int) -> PortalSend | None:
    return (
        PortalSend.objects.filter(tenant=tenant, pk=send_id)
        .select_related("message", "user", "message__conversation")
        .first()
    )


def portal_sent_report(
    *, tenant: Tenant, filters: SentFilters, before_id: int | None = None, limit: int = 50
) -> tuple[list[PortalSend], int | None]:
    """A page of portal sends, newest first (keyset on id, which grows with created_at)."""
    low, high = period_bounds(filters.start, filters.end)
    qs = PortalSend.objects.filter(tenant=tenant, created_at__gte=low, created_at__lt=high)
    if filters.user_id:
        qs = qs.filter(user_id=filters.user_id)
    if filters.status:
        qs = qs.filter(message__status=filters.status)
    if before_id:
        qs = qs.filter(id__lt=before_id)
    rows = list(qs.select_related("message", "user").order_by("-id")[: limit + 1])
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].pk
    return rows, None


def portal_users(*, tenant: Tenant) -> QuerySet[User]:
    return User.objects.filter(tenant=tenant).order_by("first_name", "email")
