"""Sending: one entry point per kind of content, all ending in `message_send`, which checks the
gates (gates.py), writes the message to the outbox in the caller's transaction and enqueues its
dispatch. Nothing here calls a provider; workers do (dispatch.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.contacts.models import Contact
from formaliza.conversations import choices as choice_rules
from formaliza.conversations import media_rules
from formaliza.conversations.content import (
    Choice,
    Content,
    Email,
    Media,
    NumberedChoices,
    Text,
    content_to_dict,
)
from formaliza.conversations.errors import InvalidContent, error_explanation
from formaliza.conversations.models import (
    Attachment,
    Channel,
    ContactHandle,
    Conversation,
    Message,
    MessageStatus,
    Template,
)
from formaliza.conversations.services.conversations import conversation_for, handle_for_outbound
from formaliza.conversations.services.gates import gate_refusal, refusal_error
from formaliza.conversations.services.turns import dispatch_enqueue
from formaliza.conversations.template_rules import TemplateValues, template_fill, template_render
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, NotFound

TEXT_MAX = 4096
CAPTION_MAX = 1024


@dataclass(frozen=True)
class Outgoing:
    content: Content
    kind: str
    body: str
    template: Template | None = None


def _resolve_channel(actor: Actor, channel: Channel | int) -> Channel:
    channel_id = channel.pk if isinstance(channel, Channel) else channel
    found = (
        Channel.objects.select_related("tenant").filter(tenant=actor.tenant, pk=channel_id).first()
    )
    if found is None:
        raise NotFound("Canal", code="channel_not_found")
    return found


def message_send(
    *,
    actor: Actor,
    channel: Channel | int,
    to: str | ContactHandle,
    outgoing: Outgoing,
    reference: str = "",
    idempotency_key: str = "",
    reply_to: Message | None = None,
    contact: Contact | None = None,
    bypass_consent: bool = False,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    record_refusal: bool = False,
) -> Message:
    """Write one outbound message to the outbox and enqueue its dispatch.

    Raises MessageRefused (nothing written) when a gate refuses it; with `record_refusal`
    (automatic replies, which nobody is waiting to correct) the refused message is written
    instead as failed with the gate's code and explanation, and nothing is sent. With an
    idempotency key, a second call with the same key returns the first message and sends
    nothing."""
    actor.require(Perm.MESSAGE_SEND)
    channel = _resolve_channel(actor, channel)
    if idempotency_key:
        existing = Message.objects.filter(tenant=actor.tenant, idempotency_key=idempotency_key)
        if (found := existing.first()) is not None:
            return found
    with transaction.atomic():
        handle = handle_for_outbound(channel=channel, to=to, contact=contact)
        refusal = gate_refusal(
            channel=channel, handle=handle, outgoing_kind=outgoing.kind,
            template=outgoing.template, bypass_consent=bypass_consent,
        )  # fmt: skip
        if refusal and not record_refusal:
            raise refusal_error(refusal, handle)
        conversation, _ = conversation_for(handle=handle, origin=Conversation.Origin.BUSINESS)
        now = clock.now()
        message = Message(
            tenant=channel.tenant, channel=channel, conversation=conversation, handle=handle,
            contact_id=handle.contact_id, direction=Message.Direction.OUTBOUND, kind=outgoing.kind,
            body=outgoing.body, content=content_to_dict(outgoing.content),
            status=MessageStatus.QUEUED, reference=reference[:120],
            idempotency_key=idempotency_key[:120], reply_to=reply_to,
            reply_to_provider_id=reply_to.provider_message_id if reply_to else "",
            created_at=now, next_attempt_at=now, sent_by=actor.user,
            sent_by_label=actor.label[:150], consent_action="bypass" if bypass_consent else "",
        )  # fmt: skip
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            if idempotency_key:  # the same key raced us: theirs is the message
                return Message.objects.get(tenant=actor.tenant, idempotency_key=idempotency_key)
            raise
        _store_attachments(message, outgoing.content, attachments)
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
        if refusal:
            _refused(message, refusal_error(refusal, handle))
        else:
            dispatch_enqueue(message_id=message.pk)
    return message


def _refused(message: Message, refusal) -> None:
    message.status, message.failed_at = MessageStatus.FAILED, message.created_at
    message.error_code, message.error_title = refusal.code[:40], refusal.message[:300]
    message.next_attempt_at = None
    message.save(update_fields=["status", "failed_at", "error_code", "error_title",
                                "next_attempt_at"])  # fmt: skip


def _store_attachments(
    message: Message, content: Content, files: Sequence[tuple[str, str, bytes]]
) -> None:
    if isinstance(content, Media):
        Attachment.objects.filter(pk=content.attachment_id).update(message=message)
        return
    ids = []
    for filename, mime_type, data in files:
        attachment = _attachment_create(message, "document", filename, mime_type, data)
        ids.append(attachment.pk)
    if ids:
        data = {**message.content, "attachment_ids": ids}
        Message.objects.filter(pk=message.pk).update(content=data)
        message.content = data


def _attachment_create(
    message: Message | None, kind: str, filename: str, mime_type: str, data: bytes, tenant=None
) -> Attachment:
    attachment = Attachment(
        tenant=tenant or message.tenant, message=message, kind=kind, mime_type=mime_type,
        filename=filename[:255], size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        status=Attachment.Status.STORED, created_at=clock.now(),
    )  # fmt: skip
    attachment.file.save(filename or "arquivo", ContentFile(data), save=False)
    attachment.save()
    return attachment


# --- one entry point per kind of content -------------------------------------------------------


def message_send_text(
    *, actor: Actor, channel: Channel | int, to: str | ContactHandle, text: str,
    preview_url: bool = False, **options: Any,
) -> Message:  # fmt: skip
    """Free text (WhatsApp: only inside the 24-hour window; SMS: any time)."""
    text = (text or "").strip()
    if not text:
        raise InvalidContent("A mensagem está vazia.", code="body_empty", field="text")
    if len(text) > TEXT_MAX:
        raise InvalidContent(
            f"A mensagem tem {len(text)} caracteres; o máximo é {TEXT_MAX}.",
            code="body_too_long",
            field="text",
        )
    outgoing = Outgoing(Text(body=text, preview_url=preview_url), Message.Kind.TEXT, text)
    return message_send(actor=actor, channel=channel, to=to, outgoing=outgoing, **options)


def template_find(*, channel: Channel, name: str, language: str = "") -> Template:
    templates = Template.objects.filter(channel=channel, name=name)
    if language:
        templates = templates.filter(language=language)
    template = templates.order_by("language").first()
    if template is None:
        raise InvalidContent(
            f"O modelo “{name}” não existe neste canal"
            + (f" no idioma {language}." if language else "."),
            code="template_not_found",
            field="template",
        )
    return template


def message_send_template(
    *, actor: Actor, channel: Channel | int, to: str | ContactHandle, template: str,
    language: str = "", values: TemplateValues | None = None,
    variables: Sequence[Any] | Mapping[str, Any] = (), **options: Any,
) -> Message:  # fmt: skip
    """An approved template (HSM) with its variables checked against the template first.
    `variables` is a shortcut for the body's placeholders; `values` covers header and buttons."""
    resolved = _resolve_channel(actor, channel)
    found = template_find(channel=resolved, name=template, language=language)
    values = values or TemplateValues(body=variables)
    message = template_fill(
        name=found.name, language=found.language, category=found.category,
        components=found.components, values=values,
        provider_template_id=found.provider_template_id,
    )  # fmt: skip
    body = template_render(components=found.components, message=message).as_text()
    outgoing = Outgoing(message, Message.Kind.TEMPLATE, body, template=found)
    return message_send(actor=actor, channel=resolved, to=to, outgoing=outgoing, **options)


def choices_outgoing(
    *, channel: Channel, body: str, choices: Iterable[Choice | tuple | dict], header: str = "",
    footer: str = "", button: str = "", mode: str = "auto", page: int = 1,
) -> Outgoing:  # fmt: skip
    normalized = choice_rules.choices_normalize(choices)
    content = choice_rules.choices_render(
        body=body, choices=normalized, interactive=channel.supports_interactive, header=header,
        footer=footer, button=button, mode=mode, page=page,
    )  # fmt: skip
    if isinstance(content, NumberedChoices):
        kind = Message.Kind.CHOICES_TEXT
    else:
        kind = Message.Kind.BUTTONS if content.style == "button" else Message.Kind.LIST
    return Outgoing(content, kind, choice_rules.content_text(content))


def message_send_choices(
    *, actor: Actor, channel: Channel | int, to: str | ContactHandle, body: str,
    choices: Iterable[Choice | tuple | dict], header: str = "", footer: str = "",
    button: str = "", mode: str = "auto", **options: Any,
) -> Message:  # fmt: skip
    """A question with options: reply buttons (1-3), a list (4-10), paged lists (more), or
    numbered text (long titles, SMS). The client's answer arrives as an inbound message whose
    `choice_id` is the id of the option picked."""
    resolved = _resolve_channel(actor, channel)
    outgoing = choices_outgoing(
        channel=resolved, body=body, choices=choices, header=header, footer=footer,
        button=button, mode=mode,
    )  # fmt: skip
    return message_send(actor=actor, channel=resolved, to=to, outgoing=outgoing, **options)


def message_send_media(
    *, actor: Actor, channel: Channel | int, to: str | ContactHandle, kind: str, data: bytes,
    filename: str, mime_type: str, caption: str = "", **options: Any,
) -> Message:  # fmt: skip
    """An image, audio, video, sticker or document, checked against WhatsApp's limits."""
    resolved = _resolve_channel(actor, channel)
    mime_type = media_rules.base_mime(mime_type)
    problem = media_rules.media_check(kind=kind, mime_type=mime_type, size=len(data))
    if not problem and media_rules.sniff_mismatch(kind=kind, mime_type=mime_type, content=data):
        problem = "media_type"
    if problem:
        raise InvalidContent(error_explanation(problem), code=problem, field="file")
    if len(caption) > CAPTION_MAX:
        raise InvalidContent("A legenda passa de 1.024 caracteres.", code="caption_too_long")
    with transaction.atomic():
        attachment = _attachment_create(
            None, kind, filename, mime_type, data, tenant=resolved.tenant
        )
        attachment.caption = caption
        attachment.save(update_fields=["caption"])
        content = Media(
            kind=kind, attachment_id=attachment.pk, caption=caption, filename=filename,
            mime_type=mime_type,
        )  # fmt: skip
        body = caption or f"[{dict(Message.Kind.choices)[kind]}: {filename}]"
        outgoing = Outgoing(content, kind, body)
        try:
            return message_send(actor=actor, channel=resolved, to=to, outgoing=outgoing, **options)
        except ApplicationError:
            attachment.file.delete(save=False)  # the row rolls back; the stored file must go too
            raise


def message_send_email(
    *, actor: Actor, channel: Channel | int, to: str | ContactHandle, subject: str, text: str,
    html: str = "", files: Sequence[tuple[str, str, bytes]] = (), **options: Any,
) -> Message:  # fmt: skip
    """An e-mail through the channel's sender and Django's EMAIL_BACKEND. `files` are
    (filename, mime type, bytes)."""
    subject, text = (subject or "").strip(), (text or "").strip()
    if not subject or not text:
        raise InvalidContent("Informe assunto e texto do e-mail.", code="body_empty")
    total = sum(len(f[2]) for f in files)
    if total > settings.CONVERSATION_EMAIL_MAX_BYTES:
        raise InvalidContent("Os anexos passam do limite de tamanho do e-mail.", code="too_large")
    outgoing = Outgoing(Email(subject=subject, text=text, html=html), Message.Kind.EMAIL,
                        f"{subject}\n\n{text}")  # fmt: skip
    return message_send(
        actor=actor, channel=channel, to=to, outgoing=outgoing, attachments=files, **options
    )
