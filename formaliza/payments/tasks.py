"""Workers' entry points of the payments app."""

from __future__ import annotations

from django_tasks import task

from formaliza.payments import services
from formaliza.payments.models import Charge


@task(queue_name="webhooks")
def pix_notification_process(notification_id: int) -> int:
    return len(services.pix_notification_process(notification_id=notification_id))


@task(queue_name="default")
def credit_purchase_paid(charge_id: int) -> None:
    """A paid charge of subject "credits" adds the credits (other subjects: nothing)."""
    services.credit_purchase_settle(charge=Charge.objects.get(pk=charge_id))
