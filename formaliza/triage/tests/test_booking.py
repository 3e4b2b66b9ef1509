"""Built-in scheduling: slots with capacity, booked from the order's signed link."""

from __future__ import annotations

import datetime as dt

import pytest

from formaliza.core import clock
from formaliza.core.errors import ApplicationError, NotFound
from formaliza.triage.models import Booking, Slot
from formaliza.triage.services.booking import booking_token, order_for_token, slot_book
from formaliza.triage.tests.helpers import make_order


def _slots(tenant, *capacities):
    start = clock.now().replace(microsecond=0) + dt.timedelta(hours=1)
    return [
        Slot.objects.create(
            tenant=tenant, starts_at=start + dt.timedelta(minutes=30 * i), capacity=c
        )
        for i, c in enumerate(capacities)
    ]


def test_a_booking_moves_the_order_out_of_its_list(kit):
    order = make_order(kit.tenant, "reagendar")
    slot = _slots(kit.tenant, 1)[0]
    slot_book(order=order, slot_id=slot.pk)
    order.refresh_from_db()
    assert (
        order.appointment_at == slot.starts_at and order.attendance == "" and order.worklist == ""
    )
    assert order.events.filter(kind="booked").get().author_label.startswith("Cliente:")


def test_a_full_slot_is_refused_with_the_next_free_ones(kit):
    full, _no_places, spare = _slots(kit.tenant, 1, 0, 2)
    first = make_order(kit.tenant, "agendar")
    second = make_order(kit.tenant, "agendar")
    slot_book(order=first, slot_id=full.pk)
    with pytest.raises(ApplicationError) as caught:
        slot_book(order=second, slot_id=full.pk)
    assert caught.value.code == "triage_slot_full"
    assert caught.value.extra["next_free"] == [spare.starts_at.isoformat()]
    assert "acabou de lotar. Próximos livres:" in caught.value.message
    second.refresh_from_db()
    assert second.appointment_at is None and Booking.objects.count() == 1


def test_the_token_is_the_orders_and_a_forged_one_is_not_found(kit):
    order = make_order(kit.tenant, "agendar")
    assert order_for_token(booking_token(order)) == order
    with pytest.raises(NotFound):
        order_for_token(booking_token(order)[:-2] + "xx")
