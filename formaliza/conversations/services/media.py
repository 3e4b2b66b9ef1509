"""Inbound media: fetched from the provider (Meta: media id -> short-lived URL -> bytes, with the
token), checked against the declared SHA-256, WhatsApp's type and size limits and the bytes'
real type, then stored through Django STORAGES. Never kept in the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction

from formaliza.conversations import media_rules
from formaliza.conversations.adapters import provider_for
from formaliza.conversations.models import Attachment
from formaliza.conversations.ports import InboundMedia, ProviderError
from formaliza.core import clock
from formaliza.core.tasks import backoff_delay, enqueue

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FETCH_TASK = "formaliza.conversations.tasks.attachment_fetch"


def _reject(attachment: Attachment, code: str, status: str = Attachment.Status.REJECTED) -> str:
    attachment.status, attachment.error = status, code
    attachment.save(update_fields=["status", "error", "attempts", "updated_at"])
    return status


def attachment_fetch(*, attachment_id: int) -> str:
    with transaction.atomic():
        attachment = (
            Attachment.objects.select_for_update(of=("self",))
            .select_related("message__channel__tenant")
            .filter(pk=attachment_id)
            .first()
        )
        if attachment is None or attachment.status != Attachment.Status.PENDING:
            return "skipped"
        attachment.attempts += 1
        attachment.save(update_fields=["attempts"])
    channel = attachment.message.channel
    _, max_bytes = media_rules.LIMITS.get(attachment.kind, (None, 0))
    media = InboundMedia(
        kind=attachment.kind, media_id=attachment.provider_media_id,
        mime_type=attachment.mime_type, sha256=attachment.declared_sha256,
        caption=attachment.caption, filename=attachment.filename, url=attachment.source_url,
    )  # fmt: skip
    try:
        fetched = provider_for(channel).fetch_media(media=media, max_bytes=max_bytes)
    except ProviderError as exc:
        if exc.retryable and attachment.attempts < MAX_ATTEMPTS:
            delay = backoff_delay(attachment.attempts, base=10, cap=1800)
            at = clock.now() + dt.timedelta(seconds=delay)
            enqueue(FETCH_TASK, attachment.pk, run_after=at)
            return "retry"
        status = (
            Attachment.Status.REJECTED
            if exc.code.startswith("media_")
            else Attachment.Status.FAILED
        )
        return _reject(attachment, exc.code, status)
    content = fetched.content
    mime_type = media_rules.base_mime(fetched.mime_type or attachment.mime_type)
    attachment.mime_type = mime_type
    problem = media_rules.media_check(kind=attachment.kind, mime_type=mime_type, size=len(content))
    # The webhook's hash is covered by the provider's signature; the media URL's answer is not.
    declared = (attachment.declared_sha256, fetched.declared_sha256)
    if not problem and not all(media_rules.sha256_matches(content, d) for d in declared):
        problem = "media_hash"
    if not problem and media_rules.sniff_mismatch(
        kind=attachment.kind, mime_type=mime_type, content=content
    ):
        problem = "media_type"
    if problem:
        logger.warning("attachment %s refused: %s", attachment.pk, problem)
        return _reject(attachment, problem)
    name = attachment.filename or f"{attachment.kind}{media_rules.EXTENSIONS.get(mime_type, '')}"
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.sha256 = hashlib.sha256(content).hexdigest()
    attachment.size = len(content)
    attachment.status = Attachment.Status.STORED
    attachment.error = ""
    attachment.save()
    return "stored"
