"""The contact's activity trail (Atividades tab) — written explicitly by every service here."""

from __future__ import annotations

from formaliza.acceptance.models import ContactActivity, ContactDocument
from formaliza.contacts.models import Contact
from formaliza.core import clock


def activity_record(
    *,
    contact: Contact,
    kind: str,
    description: str,
    channel: str = "",
    automation: str = "",
    document: ContactDocument | None = None,
    data: dict | None = None,
    at=None,
) -> ContactActivity:
    return ContactActivity.objects.create(
        tenant_id=contact.tenant_id,
        contact=contact,
        at=at or clock.now(),
        kind=kind,
        channel=channel,
        automation=automation[:120],
        description=description[:500],
        document=document,
        data=data or {},
    )
