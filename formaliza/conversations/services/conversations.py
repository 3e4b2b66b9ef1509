"""Contact handles, conversations (atendimentos) and consent."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from formaliza.contacts.models import Contact
from formaliza.contacts.selectors import contact_phone_lookup
from formaliza.contacts.services import (
    contact_create_from_phone,
    contact_email_lookup_or_create,
    contact_phone_set_wa_id,
)
from formaliza.conversations.errors import InvalidContent
from formaliza.conversations.models import Channel, ContactHandle, Conversation, ConversationKey
from formaliza.core import br, clock
from formaliza.core.errors import NotFound
from formaliza.core.models import sequence_next


def phone_of_wa_id(wa_id: str) -> br.Phone | None:
    """WhatsApp ids carry the country code and no '+'; Brazilian ones may have the legacy
    8-digit mobile, which `phone_parse` brings to the current 9-digit E.164."""
    digits = br.only_digits(wa_id)
    return br.phone_parse("+" + digits) if digits else None


def _handle_address(channel: Channel, to: str) -> tuple[str, br.Phone | None]:
    if channel.kind == Channel.Kind.EMAIL:
        address = (to or "").strip().lower()
        try:
            validate_email(address)
        except ValidationError as exc:
            raise InvalidContent("E-mail inválido.", code="invalid_address", field="to") from exc
        return address, None
    phone = br.phone_parse(to)
    if phone is None:
        raise InvalidContent(
            "Telefone inválido: informe o número com DDD (ex.: (11) 98765-4321).",
            code="invalid_address",
            field="to",
        )
    return phone.e164, phone


def _create_handle(
    channel: Channel, address: str, phone: br.Phone | None, wa_id: str, name: str,
    contact: Contact | None,
) -> ContactHandle:  # fmt: skip
    if contact is None:
        if phone is not None:
            row = contact_phone_lookup(tenant=channel.tenant, e164=phone.e164, wa_id=wa_id)
            if row is not None:
                contact = row.contact
                if wa_id and row.wa_id != wa_id:
                    contact_phone_set_wa_id(phone_id=row.pk, wa_id=wa_id)
            else:
                contact = contact_create_from_phone(
                    tenant=channel.tenant, phone=phone, wa_id=wa_id, name=name
                )
        else:
            contact = contact_email_lookup_or_create(tenant=channel.tenant, address=address)
    return ContactHandle.objects.create(
        tenant=channel.tenant, channel=channel, contact=contact, address=address,
        wa_id=wa_id, profile_name=name[:200],
    )  # fmt: skip


def handle_get_or_create(
    *,
    channel: Channel,
    address: str,
    phone: br.Phone | None = None,
    wa_id: str = "",
    profile_name: str = "",
    contact: Contact | None = None,
) -> ContactHandle:
    """The channel's handle for an address (or WhatsApp id), linked to the tenant's contact
    with that phone or e-mail, or to a new contact. Safe under concurrent first messages: the
    (channel, address) unique constraint keeps one handle, the loser re-reads it."""
    query = Q(address=address) | (Q(wa_id=wa_id) if wa_id else Q(pk__in=[]))
    handle = ContactHandle.objects.filter(channel=channel).filter(query).first()
    if handle is None:
        try:
            with transaction.atomic():
                handle = _create_handle(channel, address, phone, wa_id, profile_name, contact)
        except IntegrityError:
            handle = ContactHandle.objects.get(channel=channel, address=address)
    changes = {}
    if wa_id and handle.wa_id != wa_id:
        changes["wa_id"] = wa_id
    if profile_name and handle.profile_name != profile_name[:200]:
        changes["profile_name"] = profile_name[:200]
    if changes:
        ContactHandle.objects.filter(pk=handle.pk).update(**changes, updated_at=clock.now())
        for key, value in changes.items():
            setattr(handle, key, value)
    return handle


def handle_for_inbound(*, channel: Channel, sender: str, profile_name: str = "") -> ContactHandle:
    if channel.kind == Channel.Kind.EMAIL:
        return handle_get_or_create(channel=channel, address=sender.strip().lower())
    wa_id = br.only_digits(sender) if channel.is_whatsapp else ""
    phone = phone_of_wa_id(sender)
    address = phone.e164 if phone else "+" + br.only_digits(sender)
    return handle_get_or_create(
        channel=channel, address=address, phone=phone, wa_id=wa_id, profile_name=profile_name
    )


def handle_for_outbound(
    *, channel: Channel, to: str | ContactHandle, contact: Contact | None = None
) -> ContactHandle:
    if isinstance(to, ContactHandle):
        if to.channel_id != channel.pk:
            raise InvalidContent("Este contato pertence a outro canal.", code="invalid_address")
        return to
    address, phone = _handle_address(channel, to)
    return handle_get_or_create(channel=channel, address=address, phone=phone, contact=contact)


def _protocol_next(tenant_id: int) -> str:
    year = clock.today().year
    return f"{year}{sequence_next(tenant_id=tenant_id, name=f'protocol:{year}'):06d}"


def conversation_for(
    *, handle: ContactHandle, origin: str, at: dt.datetime | None = None
) -> tuple[Conversation, bool]:
    """The handle's open conversation, or a new one with the tenant's next protocol number.
    Returns (conversation, opened_now)."""
    current = Conversation.objects.filter(handle=handle, status=Conversation.Status.OPEN).first()
    if current is not None:
        return current, False
    at = at or clock.now()
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                tenant_id=handle.tenant_id, channel_id=handle.channel_id, handle=handle,
                contact_id=handle.contact_id, protocol=_protocol_next(handle.tenant_id),
                origin=origin, opened_at=at, last_message_at=at,
            )  # fmt: skip
    except IntegrityError:  # opened concurrently by another worker: join it
        return Conversation.objects.get(handle=handle, status=Conversation.Status.OPEN), False
    return conversation, True


def conversation_touch(*, conversation_id: int, at: dt.datetime) -> None:
    """Move last_message_at forward (never back: replays and reordering are normal)."""
    Conversation.objects.filter(pk=conversation_id).filter(
        Q(last_message_at__isnull=True) | Q(last_message_at__lt=at)
    ).update(last_message_at=at)


def conversation_locked(*, tenant, conversation_id: int, related: tuple = ()) -> Conversation:
    """The tenant's conversation, its row locked for the caller's transaction (NotFound for
    another tenant's or an unknown one)."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related(*related)
        .filter(tenant=tenant, pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise NotFound("Atendimento")
    return conversation


def conversation_close(*, tenant, conversation_id: int, reason: str = "") -> Conversation:
    """Close an atendimento; the next message from either side opens a new one (new protocol)."""
    with transaction.atomic():
        conversation = conversation_locked(tenant=tenant, conversation_id=conversation_id)
        if conversation.status == Conversation.Status.OPEN:
            conversation.status = Conversation.Status.CLOSED
            conversation.closed_at = clock.now()
            conversation.closed_reason = reason[:200]
            conversation.save(update_fields=["status", "closed_at", "closed_reason", "updated_at"])
    return conversation


def conversations_close_idle(*, idle_hours: float) -> int:
    """Close atendimentos without messages for `idle_hours` (a periodic task)."""
    cutoff = clock.now() - dt.timedelta(hours=idle_hours)
    return Conversation.objects.filter(
        status=Conversation.Status.OPEN, last_message_at__lt=cutoff
    ).update(
        status=Conversation.Status.CLOSED,
        closed_at=clock.now(),
        closed_reason="Encerrado por inatividade.",
    )


def consent_opt_out(*, handle: ContactHandle, source: str) -> bool:
    """Stop every message to this handle on its channel. True when it changed."""
    return bool(
        ContactHandle.objects.filter(pk=handle.pk, opted_out_at__isnull=True).update(
            opted_out_at=clock.now(), opt_out_source=source[:120], updated_at=clock.now()
        )
    )


def consent_opt_in(*, handle: ContactHandle, source: str) -> bool:
    """Record the client's consent (and undo an opt-out). True when it changed."""
    now = clock.now()
    changed = (
        ContactHandle.objects.filter(pk=handle.pk)
        .filter(Q(opted_out_at__isnull=False) | Q(opted_in_at__isnull=True))
        .update(opted_out_at=None, opted_in_at=now, opt_out_source=source[:120], updated_at=now)
    )
    return bool(changed)


def consent_set(*, tenant, handle_id: int, opted_out: bool, source: str) -> ContactHandle:
    """Back-office change of consent (a client asked by phone, say)."""
    handle = ContactHandle.objects.filter(tenant=tenant, pk=handle_id).first()
    if handle is None:
        raise NotFound("Contato do canal")
    if opted_out:
        consent_opt_out(handle=handle, source=source)
    else:
        consent_opt_in(handle=handle, source=source)
    handle.refresh_from_db()
    return handle


def _normalize_key(kind: str, value: str) -> str:
    text = " ".join(str(value).split())
    if kind == ConversationKey.Kind.CPF:
        return br.only_digits(text)
    if kind == ConversationKey.Kind.FULL_NAME:
        return text.casefold()
    if kind == ConversationKey.Kind.BIRTH_DATE:
        # dd/mm/aaaa or ISO in, ISO out
        parts = text.split("/")
        return f"{parts[2]}-{parts[1]}-{parts[0]}" if len(parts) == 3 else text
    return text


KEY_NORMALIZERS = _normalize_key


def conversation_keys_add(
    *, conversation: Conversation, keys: list[tuple[str, str]]
) -> list[ConversationKey]:
    """Attach business keys (kind, value) to a conversation; repeats are ignored. Callers are the
    higher layers that know what the conversation is about (journeys, flows)."""
    created = []
    for kind, value in keys:
        if kind not in ConversationKey.Kind.values:
            raise ValueError(f"unknown conversation key kind {kind}")
        normalized = _normalize_key(kind, value)
        if not normalized:
            continue
        key, was_created = ConversationKey.objects.get_or_create(
            tenant_id=conversation.tenant_id,
            conversation=conversation,
            kind=kind,
            value=normalized[:200],
        )
        if was_created:
            created.append(key)
    return created


def conversation_keys_add_for_reference(
    *, tenant_id: int, reference: str, keys: list[tuple[str, str]]
) -> int:
    """The same keys on every conversation holding a message sent with `reference` (e.g.
    "journey:<uuid>"). Returns how many conversations were touched."""
    from formaliza.conversations.models import Message

    conversation_ids = (
        Message.objects.filter(tenant_id=tenant_id, reference=reference)
        .values_list("conversation_id", flat=True)
        .distinct()
    )
    conversations = list(Conversation.objects.filter(pk__in=list(conversation_ids)))
    for conversation in conversations:
        conversation_keys_add(conversation=conversation, keys=keys)
    return len(conversations)
