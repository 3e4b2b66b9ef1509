from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from formaliza.accounts.models import Tenant
from formaliza.contacts.models import Contact, ContactEmail, ContactPhone
from formaliza.core import br


@transaction.atomic
def contact_upsert_person(
    *,
    tenant: Tenant,
    cpf: str,
    name: str,
    birth_date: dt.date | None = None,
    phones: list[br.Phone] = (),
    emails: list[str] = (),
) -> Contact:
    """The tenant's contact for a (valid, normalized) CPF, created or refreshed with the latest
    name and birth date typed for it; phones and e-mails are added, never removed."""
    try:
        with transaction.atomic():
            contact, created = Contact.objects.select_for_update().get_or_create(
                tenant=tenant,
                document=cpf,
                defaults={"kind": Contact.Kind.PERSON, "name": name, "birth_date": birth_date},
            )
    except IntegrityError:  # another transaction created it first
        contact = Contact.objects.select_for_update().get(tenant=tenant, document=cpf)
        created = False
    if not created:
        changed = []
        if name and contact.name != name:
            contact.name = name
            changed.append("name")
        if birth_date and contact.birth_date != birth_date:
            contact.birth_date = birth_date
            changed.append("birth_date")
        if changed:
            contact.save(update_fields=[*changed, "updated_at"])
    for phone in phones:
        ContactPhone.objects.get_or_create(
            tenant=tenant, contact=contact, e164=phone.e164, defaults={"is_mobile": phone.is_mobile}
        )
    for email in emails:
        ContactEmail.objects.get_or_create(tenant=tenant, contact=contact, address=email.lower())
    return contact


def contact_lock(*, contact_id: int) -> Contact:
    """Lock a contact row: the per-client mutex for decisions that look at all its records."""
    return Contact.objects.select_for_update().get(pk=contact_id)
