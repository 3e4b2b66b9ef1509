"""Workers' entry points of the cases app."""

from __future__ import annotations

from django_tasks import task

from formaliza.cases import services
from formaliza.payments.models import Charge


@task(queue_name="default")
def case_charge_paid(charge_id: int) -> None:
    """PAYMENT_CONFIRMED_HANDLERS: a paid charge of a case marks it paid."""
    services.case_charge_paid(charge=Charge.objects.get(pk=charge_id))
