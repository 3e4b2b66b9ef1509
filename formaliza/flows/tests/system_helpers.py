"""Fixture builders for the system cards' DB tests: a WhatsApp conversation of a tenant and
registered contacts with phones."""

from __future__ import annotations

from formaliza.contacts.models import Contact, ContactPhone
from formaliza.conversations.models import Conversation
from formaliza.conversations.services.conversations import conversation_for, handle_for_inbound
from formaliza.conversations.tests.helpers import whatsapp_channel
from formaliza.flows.effects import EffectContext

PHONE = "+5511987654321"


def conversation(tenant, sender: str = "5511987654321", channel=None) -> Conversation:
    channel = channel or whatsapp_channel(tenant)
    handle = handle_for_inbound(channel=channel, sender=sender, profile_name="Maria")
    conv, _ = conversation_for(handle=handle, origin=Conversation.Origin.CLIENT)
    return conv


def effect_ctx(conv: Conversation, card: str = "c") -> EffectContext:
    return EffectContext(tenant=conv.tenant, conversation=conv, run_id=0, card=card)


def registered(tenant, document: str, name: str, phone: str = "", kind: str = "person"):
    contact = Contact.objects.create(tenant=tenant, document=document, name=name, kind=kind)
    if phone:
        ContactPhone.objects.create(tenant=tenant, contact=contact, e164=phone)
    return contact
