"""The port through which the journey talks to the client (WhatsApp in production).

The journeys app never knows the channel: it hands a dataclass to the `ClientMessenger` named by
settings.JOURNEY_MESSENGER and records the returned message id as evidence. Adapters live in
`adapters/` (the WhatsApp one sits over the conversations layer); tests use
`adapters.fake.FakeMessenger`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class LinkMessage:
    """Send the journey link to the client. `reason` tells the adapter why, so it can pick the
    right wording or template: initial (first message, may need the invitation template outside
    the 24-hour window), resend (same link again), renew (a new link; the old one no longer
    works), requested (the client asked for a new link on an expired link's page)."""

    tenant_id: int
    tenant_name: str
    journey_id: str
    formalization_number: str
    phone: str  # E.164
    client_name: str
    link_url: str
    expires_at: dt.datetime
    reason: str


@dataclass(frozen=True)
class CompletionMessage:
    """Tell the client the contracts were signed."""

    tenant_id: int
    tenant_name: str
    journey_id: str
    formalization_number: str
    phone: str
    client_name: str
    proposal_numbers: tuple[str, ...]
    signed_at: dt.datetime


@dataclass(frozen=True)
class SendResult:
    provider: str  # e.g. "whatsapp", "console", "fake"
    message_id: str  # the provider's id, kept as evidence


class MessengerError(Exception):
    """A message could not be sent. `retryable` (timeouts, 5xx, rate limits) is tried again with
    backoff; a terminal failure (invalid number, opted out) is shown to the operators.

    Not an `ApplicationError`, on purpose: it is the port's report to the notification worker
    (services/messages.py), which retries it or records it as the notification's last error and
    a `message.failed` evidence event. No request of a person or the API is answered with it."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class ClientMessenger(Protocol):
    def send_link(self, message: LinkMessage) -> SendResult: ...

    def send_completion(self, message: CompletionMessage) -> SendResult: ...


@cache
def _messenger_class(path: str) -> type:
    return import_string(path)


def messenger() -> ClientMessenger:
    """The configured adapter (settings.JOURNEY_MESSENGER)."""
    return _messenger_class(settings.JOURNEY_MESSENGER)()
