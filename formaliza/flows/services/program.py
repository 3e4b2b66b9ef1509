"""What one step of the engine sees, read from the database: the tenant's published flow
versions (`DbProgram`, the engine's `Program`, with parsed documents cached by checksum) and the
facts about the conversation (`facts_for`)."""

from __future__ import annotations

import datetime as dt

from formaliza.conversations.models import Conversation
from formaliza.core import clock
from formaliza.flows import engine
from formaliza.flows.cards.registry import CardType, card_type
from formaliza.flows.document import FlowDocument
from formaliza.flows.format import parse
from formaliza.flows.models import BusinessPeriod, Flow, FlowVersion

# Parsed documents by checksum: versions are immutable and the checksum names their content.
_PARSED: dict[str, FlowDocument] = {}
_PARSED_MAX = 256


def _parsed(checksum: str, load) -> FlowDocument:
    doc = _PARSED.get(checksum) if checksum else None
    if doc is None:
        doc = parse(load())
        if checksum:
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            _PARSED[checksum] = doc
    return doc


class DbProgram:
    """The engine's `Program` over one tenant's published versions: `document(key, number)` is
    that version; `latest(key)` is the flow's live version (None when unpublished or
    archived)."""

    def __init__(self, tenant_id: int):
        self.tenant_id = tenant_id
        self._docs: dict[tuple[str, int], FlowDocument] = {}

    def document(self, key: str, version: int) -> FlowDocument:
        found = self._docs.get((key, version))
        if found is None:
            row = FlowVersion.objects.filter(
                flow__tenant_id=self.tenant_id, flow__key=key, number=version
            ).values("pk", "checksum")
            row = row.first()
            if row is None:
                raise KeyError(f"{key} v{version}")
            found = _parsed(row["checksum"], lambda: FlowVersion.objects.get(pk=row["pk"]).document)
            self._docs[(key, version)] = found
        return found

    def card_type(self, name: str) -> CardType:
        return card_type(name)

    def latest(self, key: str) -> tuple[FlowDocument, int] | None:
        flow = (
            Flow.objects.filter(
                tenant_id=self.tenant_id, key=key, archived_at__isnull=True, live__isnull=False
            )
            .values("live__number")
            .first()
        )
        if flow is None:
            return None
        number = flow["live__number"]
        return self.document(key, number), number


# --- facts --------------------------------------------------------------------------------------


def facts_for(conversation: Conversation, *, now: dt.datetime | None = None) -> engine.Facts:
    """What the engine may know about a conversation, in the tenant's local time."""
    handle = conversation.handle
    contact = conversation.contact
    periods = tuple(
        engine.Period(weekday=p.weekday, start=p.start, end=p.end)
        for p in BusinessPeriod.objects.filter(tenant_id=conversation.tenant_id)
    )
    assignee = conversation.assignee
    return engine.Facts(
        now=clock.local(now or clock.now()),
        protocol=conversation.protocol,
        whatsapp_name=handle.profile_name,
        client_name=contact.name if contact is not None else "",
        phone=handle.address if handle.address.startswith("+") else "",
        company_name=conversation.tenant.name,
        attendant_name=assignee.display_name if assignee is not None else "",
        channel=conversation.channel.kind,
        provider=conversation.channel.provider,
        origin=conversation.origin,
        branch=conversation.branch.code if conversation.branch is not None else "",
        tags=tuple(str(t) for t in conversation.tags or ()),
        registration_type=contact.kind if contact is not None and contact.document else "",
        document=contact.document if contact is not None else "",
        business_hours=periods,
        extra={"department": conversation.department.name if conversation.department else ""},
    )
