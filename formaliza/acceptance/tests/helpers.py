"""Shared builders for the contact base's tests: a contact with CPF, an e-mail channel, PDFs."""

from __future__ import annotations

from formaliza.contacts.models import Contact, ContactEmail, ContactPhone
from formaliza.conversations.services import ChannelInput, channel_create
from formaliza.evidence.report import html_to_pdf

CPF = "52998224725"


_PDFS: dict[int, bytes] = {}


def pdf_bytes(pages: int = 2) -> bytes:
    """A real text PDF of `pages` pages (WeasyPrint, like the contracts), cached per count."""
    if pages not in _PDFS:
        body = "".join(
            f"<section style='page-break-after:always'><h1>Cláusula {n}</h1>"
            f"<p>{'O cliente declara que leu e aceita estas condições. ' * 40}</p></section>"
            for n in range(1, pages + 1)
        )
        _PDFS[pages] = html_to_pdf(f"<html><body>{body}</body></html>")
    return _PDFS[pages]


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
