"""Background work of the conversation layer; each task runs the service it is named after and
is safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from formaliza.conversations.services import conversations, dispatch, inbound, media, receipts


@task(queue_name="messages")
def inbound_event_process(event_id: int) -> str:
    return inbound.inbound_event_process(event_id=event_id)


@task(queue_name="messages")
def message_dispatch(message_id: int) -> str:
    return dispatch.message_dispatch(message_id=message_id)


@task(queue_name="media")
def attachment_fetch(attachment_id: int) -> str:
    return media.attachment_fetch(attachment_id=attachment_id)


@task(queue_name="default")
def conversations_sweep() -> dict:
    """Lost tasks and dead workers: re-enqueue overdue dispatches and pending events, link
    receipts that came early, close idle atendimentos."""
    return {
        "messages": dispatch.messages_sweep(),
        "events": inbound.inbound_events_sweep(),
        "receipts": receipts.receipts_link_orphans(),
        "closed": conversations.conversations_close_idle(
            idle_hours=settings.CONVERSATION_IDLE_CLOSE_HOURS
        ),
        "pruned": inbound.inbound_events_prune(
            older_than_days=settings.CONVERSATION_RAW_EVENT_RETENTION_DAYS
        ),
    }
