"""Extension points for the layers above (flows, journeys), which this app cannot import.

Settings list dotted paths of tasks; they are enqueued in the same transaction as the change
they react to (explicit, greppable, transactional — not a signal):

- CONVERSATION_INBOUND_HANDLERS: `task(message_id: int)` for each new inbound message (never for
  a duplicate or replay, nor for consent commands and "more options" page turns).
- CONVERSATION_STATUS_HANDLERS: `task(message_id: int, status: str)` each time an outbound
  message's status advances (accepted, sent, delivered, read, failed).
"""

from __future__ import annotations

from django.conf import settings

from formaliza.core.tasks import enqueue


def inbound_handlers_enqueue(*, message_id: int) -> None:
    for path in settings.CONVERSATION_INBOUND_HANDLERS:
        enqueue(path, message_id)


def status_handlers_enqueue(*, message_id: int, status: str) -> None:
    for path in settings.CONVERSATION_STATUS_HANDLERS:
        enqueue(path, message_id, status)
