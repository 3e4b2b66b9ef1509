"""Background work of the system cards: a group notice by e-mail, and bulk sends."""

from __future__ import annotations

from django_tasks import task

from formaliza.flows.services import system


@task(queue_name="default")
def notify_email_send(group_id: int, text: str) -> int:
    return system.notify_email_send(group_id=group_id, text=text)


@task(queue_name="messages")
def bulk_send_process(bulk_id: int) -> dict:
    return system.bulk_send_process(bulk_id=bulk_id)
