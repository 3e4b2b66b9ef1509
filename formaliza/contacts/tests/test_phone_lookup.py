"""Finding a contact by phone: normalized E.164 or WhatsApp id (Brazil's 8/9-digit mobiles)."""

from formaliza.contacts.models import ContactEmail, ContactPhone
from formaliza.contacts.selectors import contact_phone_lookup
from formaliza.contacts.services import (
    contact_create_from_phone,
    contact_email_lookup_or_create,
    contact_phone_set_wa_id,
    contact_upsert_person,
)
from formaliza.core import br


def test_lookup_by_e164_or_by_the_legacy_wa_id(kit):
    contact = contact_upsert_person(
        tenant=kit.tenant,
        cpf="52998224725",
        name="João",
        phones=[br.phone_parse("(31) 98765-4321")],
    )
    assert contact_phone_lookup(tenant=kit.tenant, e164="+5531987654321").contact == contact
    phone = ContactPhone.objects.get()
    contact_phone_set_wa_id(phone_id=phone.pk, wa_id="553187654321")
    found = contact_phone_lookup(tenant=kit.tenant, e164="+5599999999999", wa_id="553187654321")
    assert found.contact == contact


def test_lookup_is_per_tenant(kit, other_kit):
    contact_create_from_phone(tenant=kit.tenant, phone=br.phone_parse("11987654321"))
    assert contact_phone_lookup(tenant=other_kit.tenant, e164="+5511987654321") is None


def test_a_contact_known_only_by_phone_gets_its_cpf_later(kit):
    first = contact_create_from_phone(
        tenant=kit.tenant, phone=br.phone_parse("11987654321"), wa_id="5511987654321", name="Maria"
    )
    assert (first.document, first.name) == ("", "Maria")
    assert ContactPhone.objects.get(contact=first).wa_id == "5511987654321"


def test_email_lookup_or_create_normalizes_case(kit):
    a = contact_email_lookup_or_create(tenant=kit.tenant, address="Maria@Example.COM")
    b = contact_email_lookup_or_create(tenant=kit.tenant, address="maria@example.com")
    assert a == b and ContactEmail.objects.get().address == "maria@example.com"
