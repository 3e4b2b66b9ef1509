"""Processing stored webhook events (run by workers): every message, status and error in them.

Inbound records and hands on: a client's message is stored first, in its own savepoint, and then
handed to replies.py, which answers it; nothing that happens to a reply can undo the stored
message. Statuses are receipts (receipts.py); channel errors become alerts.

Idempotent: a message already stored (same provider id on the channel) is skipped before any
side effect, and the unique constraint settles concurrent duplicates; statuses are receipts
recorded once and applied monotonically. Each item runs in its own savepoint, so one bad item
does not lose the others.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q

from formaliza.conversations import choices as choice_rules
from formaliza.conversations.adapters import provider_for
from formaliza.conversations.content import Choice
from formaliza.conversations.models import (
    Attachment,
    Channel,
    ChannelAlert,
    ContactHandle,
    Conversation,
    InboundEvent,
    Message,
    MessageStatus,
)
from formaliza.conversations.ports import (
    ChannelErrorEvent,
    InboundMessage,
    StatusUpdate,
    WebhookRejected,
)
from formaliza.conversations.services.conversations import (
    conversation_for,
    conversation_touch,
    handle_for_inbound,
)
from formaliza.conversations.services.receipts import status_record
from formaliza.conversations.services.replies import inbound_message_answer
from formaliza.core import clock
from formaliza.core.tasks import enqueue

logger = logging.getLogger(__name__)

LAST_WEBHOOK_RESOLUTION = dt.timedelta(minutes=1)
PROCESS_TASK = "formaliza.conversations.tasks.inbound_event_process"
FETCH_TASK = "formaliza.conversations.tasks.attachment_fetch"


def inbound_event_process(*, event_id: int) -> str:
    with transaction.atomic():
        event = (
            InboundEvent.objects.select_for_update(of=("self",))
            .select_related("channel", "channel__tenant")
            .filter(pk=event_id)
            .first()
        )
        if event is None or event.status != InboundEvent.Status.PENDING:
            return "skipped"
        channel = event.channel
        try:
            items = provider_for(channel).parse_webhook(body=bytes(event.body))
        except WebhookRejected as exc:
            _finish(event, InboundEvent.Status.FAILED, f"Corpo não reconhecido: {exc}")
            return "rejected"
        errors = []
        for item in sorted(items, key=_lock_order):
            try:
                with transaction.atomic():
                    _apply(channel, item)
            except OperationalError:
                raise  # transient (lock timeout): the whole event is retried later
            except Exception:  # one broken item must not lose the others; kept for review
                logger.exception("inbound event %s: item failed", event.pk)
                errors.append(traceback.format_exc(limit=3))
        status = InboundEvent.Status.FAILED if errors else InboundEvent.Status.PROCESSED
        _finish(event, status, "\n".join(errors)[:4000])
        _touch_channel(channel)
    return status


def _lock_order(item) -> tuple:
    """Process items in one global order (sender, time, id): two workers handling overlapping
    replays then take their row locks in the same order and never deadlock; a client's
    messages in one POST still go in the order they were written."""
    if isinstance(item, InboundMessage):
        return (0, item.sender, item.timestamp.timestamp(), item.provider_message_id)
    if isinstance(item, StatusUpdate):
        return (1, item.provider_message_id, item.timestamp.timestamp(), item.status)
    return (2, "", 0.0, "")


def _finish(event: InboundEvent, status: str, error: str = "") -> None:
    event.status, event.error, event.processed_at = status, error, clock.now()
    event.save(update_fields=["status", "error", "processed_at"])


def _touch_channel(channel: Channel) -> None:
    now = clock.now()
    Channel.objects.filter(pk=channel.pk).filter(
        Q(last_webhook_at__isnull=True) | Q(last_webhook_at__lt=now - LAST_WEBHOOK_RESOLUTION)
    ).update(last_webhook_at=now)


def inbound_event_reprocess(*, tenant, event_id: int) -> None:
    """Try a failed event again (its items are idempotent)."""
    updated = InboundEvent.objects.filter(
        pk=event_id, channel__tenant=tenant, status=InboundEvent.Status.FAILED
    ).update(status=InboundEvent.Status.PENDING, error="")
    if updated:
        enqueue(PROCESS_TASK, event_id)


def _apply(channel: Channel, item) -> None:
    if isinstance(item, InboundMessage):
        inbound_message_record(channel=channel, item=item)
    elif isinstance(item, StatusUpdate):
        if _addressed_elsewhere(channel, item.channel_address):
            return
        status_record(channel=channel, update=item)
    elif isinstance(item, ChannelErrorEvent):
        ChannelAlert.objects.create(
            channel=channel, code=item.code[:40], title=item.title[:300], detail=item.detail,
            occurred_at=item.timestamp,
        )  # fmt: skip


def _addressed_elsewhere(channel: Channel, address: str) -> bool:
    """A webhook for another number of the same app reached this channel's URL: ignore it."""
    expected = channel.phone_number_id if channel.is_whatsapp else channel.sender_id
    return bool(address and expected and address != expected)


def inbound_message_record(*, channel: Channel, item: InboundMessage) -> Message | None:
    """Store one inbound message, then hand it on to be answered; None for a duplicate."""
    stored = _message_store(channel, item)
    if stored is None:
        return None
    message, opened = stored
    try:
        with transaction.atomic():
            inbound_message_answer(message=message, opened=opened)
    except OperationalError:
        raise  # transient (lock timeout): the whole event is retried later
    except Exception:  # the client's message is kept whatever happens to its answer
        logger.exception("inbound message %s: answering failed", message.pk)
    return message


def _message_store(channel: Channel, item: InboundMessage) -> tuple[Message, bool] | None:
    """The stored message and whether it opened a new atendimento; None for a duplicate."""
    if _addressed_elsewhere(channel, item.channel_address):
        logger.warning("channel %s: message for %s ignored", channel.pk, item.channel_address)
        return None
    if Message.objects.filter(
        channel=channel, provider_message_id=item.provider_message_id
    ).exists():
        return None
    handle = handle_for_inbound(channel=channel, sender=item.sender, profile_name=item.profile_name)
    conversation, opened = conversation_for(
        handle=handle, origin=Conversation.Origin.CLIENT, at=item.timestamp
    )
    message = _message_build(channel, handle, conversation, item)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return None  # the same message, stored concurrently by another worker
    ContactHandle.objects.filter(pk=handle.pk).filter(
        Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=item.timestamp)
    ).update(last_inbound_at=item.timestamp)
    handle.last_inbound_at = max(filter(None, [handle.last_inbound_at, item.timestamp]))
    conversation_touch(conversation_id=conversation.pk, at=item.timestamp)
    if item.media is not None:
        _attachment_expect(message, item)
    return message, opened


def _message_build(channel, handle, conversation, item: InboundMessage) -> Message:
    reply_to = None
    if item.context_id:
        reply_to = Message.objects.filter(
            channel=channel, provider_message_id=item.context_id
        ).first()
    content = {"text": item.text, **item.data}
    if item.reply_id:
        content.update({"reply_id": item.reply_id, "reply_title": item.reply_title})
    message = Message(
        tenant_id=channel.tenant_id, channel=channel, conversation=conversation, handle=handle,
        contact_id=handle.contact_id, direction=Message.Direction.INBOUND, kind=item.kind,
        body=item.text, content=content, provider_payload=item.raw,
        status=MessageStatus.RECEIVED, provider_message_id=item.provider_message_id,
        reply_to=reply_to, reply_to_provider_id=item.context_id, created_at=clock.now(),
        provider_timestamp=item.timestamp,
    )  # fmt: skip
    message.choice_id = _choice_id(conversation, item, reply_to)
    return message


def _choice_id(conversation: Conversation, item: InboundMessage, reply_to: Message | None) -> str:
    """Taps carry the id we sent; typed answers are matched to the last choices offered."""
    if item.kind in (
        Message.Kind.BUTTON_REPLY,
        Message.Kind.LIST_REPLY,
        Message.Kind.TEMPLATE_REPLY,
    ):
        return item.reply_id[:256]
    if item.kind != Message.Kind.TEXT or not item.text:
        return ""
    offer = (
        Message.objects.filter(
            conversation=conversation,
            direction=Message.Direction.OUTBOUND,
            kind__in=[Message.Kind.BUTTONS, Message.Kind.LIST, Message.Kind.CHOICES_TEXT],
        )
        .order_by("-id")
        .first()
    )
    if offer is None:
        return ""
    offered = [Choice(**c) for c in offer.content.get("choices", [])]
    numbered = offer.kind == Message.Kind.CHOICES_TEXT
    return choice_rules.choice_resolve(answer=item.text, choices=offered, numbered=numbered)


def _attachment_expect(message: Message, item: InboundMessage) -> None:
    media = item.media
    attachment = Attachment.objects.create(
        tenant_id=message.tenant_id, message=message, kind=media.kind,
        provider_media_id=media.media_id, source_url=media.url[:1000],
        mime_type=media.mime_type[:120], declared_sha256=media.sha256[:100],
        filename=media.filename[:255], caption=media.caption, created_at=clock.now(),
    )  # fmt: skip
    enqueue(FETCH_TASK, attachment.pk)


def inbound_events_sweep(*, older_than_seconds: int = 120, limit: int = 1000) -> int:
    """Re-enqueue stored events still pending long after they arrived (their task was lost)."""
    cutoff = clock.now() - dt.timedelta(seconds=older_than_seconds)
    pending = list(
        InboundEvent.objects.filter(
            status=InboundEvent.Status.PENDING, received_at__lt=cutoff
        ).values_list("pk", flat=True)[:limit]
    )
    for event_id in pending:
        enqueue(PROCESS_TASK, event_id)
    return len(pending)


def inbound_events_prune(*, older_than_days: int, limit: int = 5000) -> int:
    """Raw bodies of processed events are kept for a while (audit, reprocessing) and then
    deleted; what they said lives on in messages, receipts and alerts. Failed events stay."""
    cutoff = clock.now() - dt.timedelta(days=older_than_days)
    ids = list(
        InboundEvent.objects.filter(
            status=InboundEvent.Status.PROCESSED, received_at__lt=cutoff
        ).values_list("pk", flat=True)[:limit]
    )
    return InboundEvent.objects.filter(pk__in=ids).delete()[0]
