"""History fixtures: conversations built directly (dates, departments, statuses and keys chosen
by the test), a WhatsApp channel, and the fake provider for the portal's real sends."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.files.base import ContentFile

from formaliza.contacts.models import Contact, ContactEmail, ContactPhone
from formaliza.conversations.models import (
    Attachment,
    ContactHandle,
    Conversation,
    Department,
    FinalizationStatus,
    Message,
    MessageStatus,
)
from formaliza.conversations.services import conversation_keys_add, finalization_defaults_ensure
from formaliza.conversations.tests.conftest import channel, fake_api  # noqa: F401
from formaliza.conversations.tests.helpers import whatsapp_channel
from formaliza.core import clock

_numbers = itertools.count(1)


def at(day: str, time: str = "10:00") -> dt.datetime:
    """A moment in Brasília time: at("2026-03-11", "20:44:18")."""
    fmt = "%Y-%m-%d %H:%M:%S" if time.count(":") == 2 else "%Y-%m-%d %H:%M"
    return dt.datetime.strptime(f"{day} {time}", fmt).replace(tzinfo=clock.SAO_PAULO)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class Corpus:
    """Builds conversations of one tenant on one channel."""

    def __init__(self, tenant, on_channel):
        self.tenant, self.channel = tenant, on_channel
        finalization_defaults_ensure(tenant=tenant)
        self.status = {s.code: s for s in FinalizationStatus.objects.filter(tenant=tenant)}
        self.dept = {
            name: Department.objects.get_or_create(tenant=tenant, name=name)[0]
            for name in ("Formalização", "Suporte")
        }

    def conversation(self, *, opened_at, name="Maria Santos", phone="+5511987650000",
                     email="", cpf="", keys=(), finalization="", department="", via=None,
                     birth_date=None, **fields) -> Conversation:  # fmt: skip
        n = next(_numbers)
        contact = Contact.objects.filter(tenant=self.tenant, document=cpf).first() if cpf else None
        if contact is None:
            contact = Contact.objects.create(
                tenant=self.tenant, name=name, document=cpf, birth_date=birth_date
            )
            ContactPhone.objects.create(tenant=self.tenant, contact=contact, e164=phone)
            if email:
                ContactEmail.objects.create(tenant=self.tenant, contact=contact, address=email)
        via = via or self.channel
        handle, _ = ContactHandle.objects.get_or_create(
            tenant=self.tenant, channel=via, address=phone, defaults={"contact": contact}
        )
        conversation = Conversation.objects.create(
            tenant=self.tenant, channel=via, handle=handle, contact=contact,
            protocol=f"2026{n:06d}", status=Conversation.Status.CLOSED,
            origin=Conversation.Origin.CLIENT, opened_at=opened_at, last_message_at=opened_at,
            closed_at=opened_at + dt.timedelta(minutes=30),
            finalization=self.status[finalization] if finalization else None,
            department=self.dept[department] if department else None, **fields,
        )  # fmt: skip
        if keys:
            conversation_keys_add(conversation=conversation, keys=list(keys))
        return conversation

    def message(self, conversation, body, *, inbound=True, at=None, user=None) -> Message:
        return Message.objects.create(
            tenant=self.tenant, channel=conversation.channel, conversation=conversation,
            handle=conversation.handle, contact=conversation.contact,
            direction=Message.Direction.INBOUND if inbound else Message.Direction.OUTBOUND,
            kind=Message.Kind.TEXT, body=body,
            status=MessageStatus.RECEIVED if inbound else MessageStatus.READ,
            created_at=at or conversation.opened_at, sent_by=user,
            sent_by_label=user.display_name if user else "",
        )  # fmt: skip

    def attachment(self, message, data=b"%PDF-1.4 rg", filename="rg.pdf") -> Attachment:
        attachment = Attachment(
            tenant=self.tenant, message=message, kind="document", mime_type="application/pdf",
            filename=filename, size=len(data), status=Attachment.Status.STORED,
            created_at=message.created_at,
        )  # fmt: skip
        attachment.file.save(filename, ContentFile(data), save=False)
        attachment.save()
        return attachment


@pytest.fixture
def corpus(kit):
    return Corpus(kit.tenant, whatsapp_channel(kit.tenant, name="WhatsApp Histórico",
                                               phone_number_id="555000111"))  # fmt: skip


@pytest.fixture
def their_corpus(other_kit):
    return Corpus(other_kit.tenant, whatsapp_channel(other_kit.tenant, name="WhatsApp Deles",
                                                     phone_number_id="555000222"))  # fmt: skip
