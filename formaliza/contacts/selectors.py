from __future__ import annotations

from django.db.models import Q

from formaliza.accounts.models import Tenant
from formaliza.contacts.models import Contact, ContactPhone


def contact_get_by_document(*, tenant: Tenant, document: str) -> Contact | None:
    return Contact.objects.filter(tenant=tenant, document=document).first()


def contact_phone_lookup(*, tenant: Tenant, e164: str, wa_id: str = "") -> ContactPhone | None:
    """The tenant's phone row for a number, matched by normalized E.164 or by WhatsApp id.

    In Brazil a WhatsApp id may carry the legacy 8-digit mobile (5511 8765-4321) while records
    hold the 9-digit form; both forms point at the same phone. When several contacts share the
    number (a relative's phone), the most recently touched one wins."""
    query = Q(e164=e164)
    if wa_id:
        query |= Q(wa_id=wa_id)
    return (
        ContactPhone.objects.filter(tenant=tenant)
        .filter(query)
        .select_related("contact")
        .order_by("-contact__updated_at", "-pk")
        .first()
    )
