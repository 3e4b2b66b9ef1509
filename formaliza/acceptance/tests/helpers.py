"""Shared builders for the contact base's tests: a contact with CPF, an e-mail channel, PDFs."""

from __future__ import annotations

import io

from pypdf import PdfWriter

from formaliza.contacts.models import Contact, ContactEmail, ContactPhone
from formaliza.conversations.services import ChannelInput, channel_create

CPF = "52998224725"


def pdf_bytes(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def person(tenant, name: str = "Maria Clara Souza", cpf: str = CPF) -> Contact:
    contact = Contact.objects.create(tenant=tenant, name=name, document=cpf)
    ContactPhone.objects.create(tenant=tenant, contact=contact, e164="+5511987654321")
    ContactEmail.objects.create(tenant=tenant, contact=contact, address="maria@example.com")
    return contact


def email_channel(tenant):
    return channel_create(tenant=tenant, data=ChannelInput(
        name="E-mail", kind="email", provider="email",
        sender_id="Promotora <contato@promotora.com.br>"))  # fmt: skip


def sms_channel(tenant):
    return channel_create(tenant=tenant, data=ChannelInput(
        name="SMS", kind="sms", provider="fake", sender_id="formaliza",
        access_token="zenvia-token"))  # fmt: skip
