from __future__ import annotations

from formaliza.accounts.models import Tenant
from formaliza.contacts.models import Contact


def contact_get_by_document(*, tenant: Tenant, document: str) -> Contact | None:
    return Contact.objects.filter(tenant=tenant, document=document).first()
