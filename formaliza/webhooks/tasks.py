from __future__ import annotations

from django_tasks import task

from formaliza.webhooks import services


@task(queue_name="webhooks")
def webhook_delivery_attempt(delivery_id: str) -> str:
    return services.webhook_delivery_attempt(delivery_id=delivery_id)


@task(queue_name="default")
def webhook_deliveries_sweep() -> int:
    return services.webhook_deliveries_sweep()
