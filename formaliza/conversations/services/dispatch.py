"""Handing queued messages to providers (run by workers).

Order of a dispatch: wait for earlier messages to the same recipient; reserve a pacing slot (per
recipient) and a throughput slot (per number); claim the message under a row lock, re-checking
the gates and recording the attempt — committed before the call; call the provider; record the
outcome. A worker killed during the call leaves the message `sending` with an attempt in flight:
recovery never calls the provider again for it. If the provider's status webhook (which carries
our message id) shows it was accepted, the receipt completes it; if no receipt comes within the
grace period, it is failed as `dispatch_interrupted` for a person to decide.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from formaliza.conversations import limiter
from formaliza.conversations.adapters import provider_for
from formaliza.conversations.content import Email, Media, content_from_dict
from formaliza.conversations.errors import error_explanation
from formaliza.conversations.models import (
    STATUS_RANK,
    Attachment,
    Channel,
    ContactHandle,
    DispatchAttempt,
    Message,
    MessageStatus,
    Receipt,
    Template,
)
from formaliza.conversations.ports import OutboundFile, OutboundRequest, ProviderError, SendResult
from formaliza.conversations.services.gates import gate_refusal
from formaliza.conversations.services.hooks import status_handlers_enqueue
from formaliza.conversations.services.receipts import receipt_apply
from formaliza.conversations.services.turns import dispatch_enqueue, next_turn_enqueue
from formaliza.core import clock
from formaliza.core.tasks import backoff_delay

logger = logging.getLogger(__name__)

S = MessageStatus
PENDING = (S.QUEUED, S.SENDING)
MEDIA_ID_TTL = dt.timedelta(days=29)  # Meta keeps uploaded media 30 days
CLAIM_MARGIN_SECONDS = 30


def message_dispatch(*, message_id: int) -> str:
    message = (
        Message.objects.select_related("channel", "channel__tenant", "handle")
        .filter(pk=message_id, direction=Message.Direction.OUTBOUND)
        .first()
    )
    if message is None:
        return "missing"
    now = clock.now()
    if message.status == S.SENDING:
        return _recover(message, now)
    if message.status != S.QUEUED:
        return "done"
    if message.next_attempt_at and message.next_attempt_at > now + dt.timedelta(seconds=1):
        return "not_due"  # a duplicate task woke early; the scheduled one will run
    if Message.objects.filter(
        handle_id=message.handle_id, direction=Message.Direction.OUTBOUND,
        status__in=PENDING, id__lt=message.pk,
    ).exists():  # fmt: skip
        return "waiting_turn"  # the earlier message's completion enqueues this one
    channel = message.channel
    max_wait = settings.CONVERSATION_LIMITER_MAX_WAIT_SECONDS
    pace = limiter.pacing_reserve(
        handle_id=message.handle_id, interval=channel.pacing_interval_seconds,
        burst=channel.pacing_burst, max_wait=max_wait,
    )  # fmt: skip
    if not pace.granted:
        return _postpone(message, pace.wait, "paced")
    slot = limiter.throughput_reserve(
        channel_id=channel.pk, per_second=channel.throughput_per_second, max_wait=max_wait
    )
    if not slot.granted:
        return _postpone(message, slot.wait, "throttled")
    claimed = _claim(message_id, max(pace.wait, slot.wait))
    if isinstance(claimed, str):
        return claimed
    message, attempt = claimed
    time.sleep(max(pace.wait, slot.wait))
    started = time.monotonic()
    try:
        result = provider_for(message.channel).send(_request(message))
    except ProviderError as exc:
        return _after_error(message.pk, attempt.pk, exc, started)
    return _after_success(message.pk, attempt.pk, result, started)


def _postpone(message: Message, seconds: float, outcome: str) -> str:
    at = clock.now() + dt.timedelta(seconds=seconds)
    Message.objects.filter(pk=message.pk, status=S.QUEUED).update(next_attempt_at=at)
    dispatch_enqueue(message_id=message.pk, at=at)
    return outcome


def _claim(message_id: int, wait: float) -> tuple[Message, DispatchAttempt] | str:
    now = clock.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("channel", "channel__tenant", "handle")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.status != S.QUEUED:
            return "skipped"
        template = None
        if message.kind == Message.Kind.TEMPLATE:
            template = Template.objects.filter(
                channel=message.channel, name=message.content.get("name"),
                language=message.content.get("language"),
            ).first()  # fmt: skip
        refusal = gate_refusal(
            channel=message.channel, handle=message.handle, outgoing_kind=message.kind,
            template=template, bypass_consent=message.consent_action == "bypass", at=now,
        )  # fmt: skip
        if refusal:
            _fail(message, code=refusal, title=error_explanation(refusal))
            return "refused"
        message.status = S.SENDING
        message.attempts += 1
        message.claimed_until = now + dt.timedelta(
            seconds=wait + settings.CONVERSATION_HTTP_TIMEOUT_SECONDS * 2 + CLAIM_MARGIN_SECONDS
        )
        message.save(update_fields=["status", "attempts", "claimed_until"])
        attempt = DispatchAttempt.objects.create(
            message=message, number=message.attempts, started_at=now
        )
    return message, attempt


def _recipient(message: Message) -> str:
    handle = message.handle
    if message.channel.kind == Channel.Kind.EMAIL:
        return handle.address
    if message.channel.is_whatsapp and handle.wa_id:
        return handle.wa_id
    return handle.address.lstrip("+")


def _request(message: Message) -> OutboundRequest:
    content = content_from_dict(message.content)
    files: list[OutboundFile] = []
    if isinstance(content, Media):
        content = dataclasses.replace(content, media_id=_media_id(message, content))
    elif isinstance(content, Email):
        for attachment in Attachment.objects.filter(pk__in=content.attachment_ids):
            with attachment.file.open("rb") as fh:
                files.append(OutboundFile(attachment.filename, attachment.mime_type, fh.read()))
    return OutboundRequest(
        to=_recipient(message),
        content=content,
        callback_data=str(message.public_id),
        reply_to_provider_id=message.reply_to_provider_id,
        files=files,
    )


def _media_id(message: Message, content: Media) -> str:
    """Upload the file once; reuse its provider id while the provider keeps it."""
    attachment = Attachment.objects.get(pk=content.attachment_id)
    fresh = (
        attachment.provider_media_id
        and attachment.provider_media_uploaded_at
        and clock.now() - attachment.provider_media_uploaded_at < MEDIA_ID_TTL
    )
    if fresh:
        return attachment.provider_media_id
    with attachment.file.open("rb") as fh:
        data = fh.read()
    media_id = provider_for(message.channel).upload_media(
        content=data, mime_type=attachment.mime_type, filename=attachment.filename
    )
    Attachment.objects.filter(pk=attachment.pk).update(
        provider_media_id=media_id, provider_media_uploaded_at=clock.now()
    )
    return media_id


def _advance(message: Message, status: str) -> bool:
    if STATUS_RANK[status] > STATUS_RANK[message.status]:
        message.status = status
        return True
    return False


def _locked(message_id: int) -> Message:
    """The message row, locked for the rest of the caller's transaction."""
    return (
        Message.objects.select_for_update(of=("self",))
        .select_related("channel", "handle")
        .get(pk=message_id)
    )


def _after_success(message_id: int, attempt_id: int, result: SendResult, started: float) -> str:
    now = clock.now()
    with transaction.atomic():
        message = _locked(message_id)
        DispatchAttempt.objects.filter(pk=attempt_id).update(
            outcome=DispatchAttempt.Outcome.ACCEPTED, finished_at=now, http_status=200,
            duration_ms=int((time.monotonic() - started) * 1000),
        )  # fmt: skip
        if not message.provider_message_id:
            message.provider_message_id = result.provider_message_id
        message.accepted_at = message.accepted_at or now
        message.claimed_until = None
        # E-mail has no later receipts: the server accepting it is all we will know.
        final = S.SENT if message.channel.kind == Channel.Kind.EMAIL else S.ACCEPTED
        if final == S.SENT:
            message.sent_at = message.sent_at or now
        advanced = _advance(message, final)
        message.save()
        if result.recipient_id and message.channel.is_whatsapp:
            _remember_wa_id(message, result.recipient_id)
        if advanced:
            status_handlers_enqueue(message_id=message.pk, status=message.status)
        _link_orphan_receipts(message)
        next_turn_enqueue(message=message)
    return "accepted"


def _remember_wa_id(message: Message, wa_id: str) -> None:
    ContactHandle.objects.filter(pk=message.handle_id).exclude(wa_id=wa_id).update(wa_id=wa_id)


def _after_error(message_id: int, attempt_id: int, exc: ProviderError, started: float) -> str:
    now = clock.now()
    with transaction.atomic():
        message = _locked(message_id)
        retry = exc.retryable and message.attempts < settings.CONVERSATION_MAX_ATTEMPTS
        DispatchAttempt.objects.filter(pk=attempt_id).update(
            outcome=DispatchAttempt.Outcome.RETRY if retry else DispatchAttempt.Outcome.FAILED,
            finished_at=now, http_status=exc.http_status, error_code=exc.code[:40],
            error_title=exc.title[:300], duration_ms=int((time.monotonic() - started) * 1000),
        )  # fmt: skip
        if message.status != S.SENDING:
            return "superseded"  # a receipt already told us more than this answer
        message.error_code, message.error_title = exc.code[:40], exc.title[:300]
        message.error_detail = exc.detail
        message.claimed_until = None
        if retry:
            delay = backoff_delay(
                message.attempts,
                base=settings.CONVERSATION_BACKOFF_BASE_SECONDS,
                cap=settings.CONVERSATION_BACKOFF_MAX_SECONDS,
            )
            message.status = S.QUEUED
            message.next_attempt_at = now + dt.timedelta(seconds=delay)
            message.save()
            dispatch_enqueue(message_id=message.pk, at=message.next_attempt_at)
            return "retry"
        if exc.retryable:  # retryable, but out of attempts
            message.error_code = "max_attempts"
            message.error_detail = f"Último erro: {exc.code} {exc.title}".strip()
        _fail(
            message, code=message.error_code, title=message.error_title, detail=message.error_detail
        )
    return "failed"


def _fail(message: Message, *, code: str, title: str = "", detail: str = "") -> None:
    """Mark a message failed (inside the caller's transaction, message row locked)."""
    now = clock.now()
    message.status = S.FAILED
    message.failed_at = message.failed_at or now
    message.error_code, message.error_title = code[:40], (title or error_explanation(code))[:300]
    message.error_detail = detail
    message.claimed_until = None
    message.next_attempt_at = None
    message.save()
    if code == "131050":
        ContactHandle.objects.filter(
            pk=message.handle_id, marketing_blocked_at__isnull=True
        ).update(marketing_blocked_at=now)
    elif code == "twilio_21610":  # the client texted STOP to Twilio: honour it here too
        ContactHandle.objects.filter(pk=message.handle_id, opted_out_at__isnull=True).update(
            opted_out_at=now, opt_out_source="STOP (Twilio 21610)"
        )
    status_handlers_enqueue(message_id=message.pk, status=S.FAILED)
    next_turn_enqueue(message=message)


def _link_orphan_receipts(message: Message) -> None:
    """Receipts that arrived before we knew the provider's id for this message."""
    orphans = Receipt.objects.filter(
        channel_id=message.channel_id, message__isnull=True
    ).filter(
        Q(provider_message_id=message.provider_message_id) | Q(callback_data=str(message.public_id))
    )  # fmt: skip
    for receipt in orphans:
        receipt.message = message
        receipt.save(update_fields=["message"])
        receipt_apply(message=message, receipt=receipt)


def _recover(message: Message, now: dt.datetime) -> str:
    """A message left `sending`: in flight elsewhere, or its worker died during the call."""
    if message.claimed_until and message.claimed_until > now:
        return "in_flight"
    attempt = message.dispatches.order_by("-number").first()
    started = attempt.started_at if attempt else now
    grace_until = started + dt.timedelta(seconds=settings.CONVERSATION_UNCERTAIN_GRACE_SECONDS)
    if now < grace_until:
        # Look again once a receipt has had time to come.
        dispatch_enqueue(message_id=message.pk, at=grace_until)
        return "awaiting_receipt"
    with transaction.atomic():
        locked = (
            Message.objects.select_for_update(of=("self",))
            .select_related("handle")
            .get(pk=message.pk)
        )
        if locked.status != S.SENDING:
            return "done"
        if attempt is not None:
            DispatchAttempt.objects.filter(pk=attempt.pk).update(
                outcome=DispatchAttempt.Outcome.INTERRUPTED, finished_at=now
            )
        logger.warning("message %s: dispatch interrupted, no receipt; not resent", message.pk)
        _fail(locked, code="dispatch_interrupted")
    return "interrupted"


def messages_sweep(*, older_than_seconds: int = 120, limit: int = 1000) -> int:
    """Re-enqueue messages whose task was lost (due long ago but still queued) and messages
    left `sending` by a dead worker. Duplicate tasks are harmless: the claim decides."""
    now = clock.now()
    cutoff = now - dt.timedelta(seconds=older_than_seconds)
    overdue = Message.objects.filter(status=S.QUEUED, next_attempt_at__lt=cutoff)
    stuck = Message.objects.filter(status=S.SENDING, claimed_until__lt=now)
    ids = list(overdue.values_list("pk", flat=True)[:limit])
    ids += list(stuck.values_list("pk", flat=True)[:limit])
    for pk in ids:
        dispatch_enqueue(message_id=pk)
    return len(ids)
