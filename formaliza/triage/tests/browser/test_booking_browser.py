"""The client books a videoconference slot from the link on a 360×740 phone; a slot that filled
meanwhile is refused with the next free slots."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from formaliza.core import clock
from formaliza.core.testing_browser import page_overflow
from formaliza.triage.models import Slot
from formaliza.triage.services.booking import booking_token, slot_book
from formaliza.triage.tests.helpers import make_order

pytestmark = pytest.mark.browser


def test_booking_from_the_link_and_a_full_slot(phone, kit):
    start = clock.local(clock.now()).replace(microsecond=0, second=0) + dt.timedelta(hours=2)
    first = Slot.objects.create(tenant=kit.tenant, starts_at=start, capacity=1)
    spare = Slot.objects.create(
        tenant=kit.tenant, starts_at=start + dt.timedelta(hours=1), capacity=3
    )
    order = make_order(kit.tenant, "reagendar", client_name="Rita Reagenda")
    rival = make_order(kit.tenant, "agendar")
    phone.goto(f"/t/agendar/{booking_token(order)}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Agende sua videoconferência")
    expect(phone.locator("#slots button")).to_have_count(2)
    assert page_overflow(phone) == 0
    slot_book(order=rival, slot_id=first.pk)  # someone else takes the last place meanwhile
    phone.locator("#slots button").first.click()
    expect(phone.locator("#refused")).to_contain_text("acabou de lotar. Próximos livres:")
    expect(phone.locator("#refused")).to_contain_text(
        clock.local(spare.starts_at).strftime("%d/%m %H:%M")
    )
    expect(phone.locator("#slots button")).to_have_count(1)
    phone.locator("#slots button").first.click()
    expect(phone.locator("#booked")).to_contain_text("Agendado para")
    order.refresh_from_db()
    assert order.appointment_at == spare.starts_at and order.worklist == ""


def test_a_forged_link_is_not_found(phone, kit):
    response = phone.goto("/t/agendar/nao-e-um-token/")
    assert response.status == 404
    expect(phone.get_by_text("Link de agendamento não encontrado.")).to_be_visible()
