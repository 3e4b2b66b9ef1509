"""Sending the client's messages through the ClientMessenger port, with retries.

The notification row is claimed (committed) before the provider is called, so no lock is held
across the call; a worker that dies mid-call leaves the row pending and the sweep requeues it.
Delivery is at least once: a crash between the provider's answer and our commit sends again.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction

from formaliza.core import clock
from formaliza.core.tasks import backoff_delay, enqueue
from formaliza.journeys.models import Journey, JourneyNotification
from formaliza.journeys.ports import (
    CompletionMessage,
    LinkMessage,
    MessengerError,
    SendResult,
    messenger,
)
from formaliza.journeys.services._common import SYSTEM, link_url, record
from formaliza.journeys.services.history import journey_conversations_key

JOURNEY_NOTIFICATION_SEND_TASK = "formaliza.journeys.tasks.journey_notification_send"

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 60
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_MAX_SECONDS = 3600.0


def _claim(notification_id: Any) -> JourneyNotification | None:
    now = clock.now()
    with transaction.atomic():
        notification = (
            # Only this row is locked ("self"): PostgreSQL refuses FOR UPDATE across the
            # outer join to the nullable link.
            JourneyNotification.objects.select_for_update(of=("self",))
            .select_related("journey", "journey__tenant", "journey__request", "link")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.status != JourneyNotification.Status.PENDING:
            return None
        if notification.next_attempt_at and notification.next_attempt_at > now:
            return None  # not due yet, or another worker holds the claim
        notification.attempts += 1
        notification.next_attempt_at = now + dt.timedelta(seconds=CLAIM_SECONDS)
        notification.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
    return notification


def _obsolete(notification: JourneyNotification) -> str:
    """Why a queued message must not go out any more ("" when it still must)."""
    journey = notification.journey
    if notification.kind == JourneyNotification.Kind.LINK:
        if journey.status != Journey.Status.ACTIVE:
            return "A jornada não está mais em andamento."
        link = notification.link
        if link is None or link.revoked_at is not None:
            return "O link foi substituído antes do envio."
        if link.is_expired():
            return "O link expirou antes do envio."
    return ""


def _send(notification: JourneyNotification) -> SendResult:
    journey = notification.journey
    common = {
        "tenant_id": journey.tenant_id,
        "tenant_name": journey.tenant.name,
        "journey_id": str(journey.pk),
        "formalization_number": journey.request.number,
        "phone": journey.phone,
        "client_name": journey.client_name,
    }
    if notification.kind == JourneyNotification.Kind.LINK:
        link = notification.link
        return messenger().send_link(
            LinkMessage(
                **common, link_url=link_url(link.token), expires_at=link.expires_at,
                reason=notification.reason,
            )
        )  # fmt: skip
    numbers = tuple(c.proposal.number for c in journey.contracts.select_related("proposal"))
    return messenger().send_completion(
        CompletionMessage(**common, proposal_numbers=numbers, signed_at=journey.signed_at)
    )


def journey_notification_send(*, notification_id: Any) -> str:
    notification = _claim(notification_id)
    if notification is None:
        return "skipped"
    obsolete = _obsolete(notification)
    result, error = None, None
    if not obsolete:
        try:
            result = _send(notification)
        except MessengerError as exc:
            error = exc
    with transaction.atomic():
        notification = JourneyNotification.objects.select_for_update().get(pk=notification.pk)
        journey = (
            Journey.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .get(pk=notification.journey_id)
        )
        if obsolete:
            _finish_failed(notification, journey, obsolete, record_event=False)
        elif result is not None:
            _finish_sent(notification, journey, result)
        else:
            _finish_error(notification, journey, error)
    return notification.status


def _finish_sent(notification: JourneyNotification, journey: Journey, result: SendResult) -> None:
    now = clock.now()
    notification.status = JourneyNotification.Status.SENT
    notification.sent_at = now
    notification.next_attempt_at = None
    notification.provider = result.provider[:40]
    notification.provider_message_id = result.message_id[:120]
    notification.save()
    if notification.kind == JourneyNotification.Kind.LINK and journey.first_sent_at is None:
        journey.first_sent_at = now
        journey.save(update_fields=["first_sent_at", "updated_at"])
    if notification.kind == JourneyNotification.Kind.COMPLETION:
        journey.completion_sent_at = now
        journey.save(update_fields=["completion_sent_at", "updated_at"])
    # The conversation it went to (a new one, if the last was closed) is found in the history
    # by the journey's CPF, contracts, proposals... from now on, not only once signed.
    journey_conversations_key(journey)
    record(
        journey, "message.sent", actor=SYSTEM,
        data={"kind": notification.kind, "reason": notification.reason,
              "link": notification.link_id, "provider": result.provider,
              "message_id": result.message_id, "attempt": notification.attempts,
              "phone": journey.phone},
    )  # fmt: skip


def _finish_failed(
    notification: JourneyNotification, journey: Journey, error: str, *, record_event: bool
) -> None:
    notification.status = JourneyNotification.Status.FAILED
    notification.next_attempt_at = None
    notification.last_error = error[:300]
    notification.save()
    if record_event:
        record(
            journey, "message.failed", actor=SYSTEM,
            data={"kind": notification.kind, "reason": notification.reason,
                  "link": notification.link_id, "error": error[:300],
                  "attempts": notification.attempts},
        )  # fmt: skip


def _finish_error(
    notification: JourneyNotification, journey: Journey, error: MessengerError
) -> None:
    retry = error.retryable and notification.attempts < settings.JOURNEY_MESSAGE_MAX_ATTEMPTS
    if not retry:
        _finish_failed(notification, journey, str(error), record_event=True)
        logger.warning("journey message %s failed for good: %s", notification.pk, error)
        return
    delay = backoff_delay(notification.attempts, base=BACKOFF_BASE_SECONDS, cap=BACKOFF_MAX_SECONDS)
    notification.next_attempt_at = clock.now() + dt.timedelta(seconds=delay)
    notification.last_error = str(error)[:300]
    notification.save()
    enqueue(
        JOURNEY_NOTIFICATION_SEND_TASK,
        str(notification.pk),
        queue_name="messages",
        run_after=notification.next_attempt_at,
    )
