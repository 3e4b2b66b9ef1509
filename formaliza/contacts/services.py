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


def contact_create_from_phone(
    *, tenant: Tenant, phone: br.Phone, wa_id: str = "", name: str = ""
) -> Contact:
    """A contact known only by a phone (someone who wrote on WhatsApp or SMS before any
    proposal was typed for them). A CPF can be attached later by `contact_upsert_person`."""
    contact = Contact.objects.create(tenant=tenant, kind=Contact.Kind.PERSON, name=name[:200])
    ContactPhone.objects.create(
        tenant=tenant, contact=contact, e164=phone.e164, wa_id=wa_id, is_mobile=phone.is_mobile
    )
    return contact


def contact_phone_set_wa_id(*, phone_id: int, wa_id: str) -> None:
    """Remember what WhatsApp calls a number (it may differ from the typed 9-digit form)."""
    ContactPhone.objects.filter(pk=phone_id).exclude(wa_id=wa_id).update(wa_id=wa_id)


def contact_email_lookup_or_create(*, tenant: Tenant, address: str, name: str = "") -> Contact:
    """The tenant's contact for an e-mail address (the most recently touched one when several
    share it), created when nobody has it yet."""
    address = address.strip().lower()
    row = (
        ContactEmail.objects.filter(tenant=tenant, address=address)
        .select_related("contact")
        .order_by("-contact__updated_at", "-pk")
        .first()
    )
    if row is not None:
        return row.contact
    contact = Contact.objects.create(tenant=tenant, kind=Contact.Kind.PERSON, name=name[:200])
    ContactEmail.objects.create(tenant=tenant, contact=contact, address=address)
    return contact
