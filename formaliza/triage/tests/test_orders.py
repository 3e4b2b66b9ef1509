"""Orders: upsert by external id, the list each status puts them in, the timeline."""

from __future__ import annotations

import dataclasses

import pytest

from formaliza.core.errors import ValidationFailed
from formaliza.triage import selectors
from formaliza.triage.models import CertificateOrder, OrderEvent
from formaliza.triage.services import order_assign, order_upsert
from formaliza.triage.tests.helpers import IN_LIST, SYSTEM, make_order, order_input


@pytest.mark.parametrize("worklist", list(IN_LIST))
def test_each_status_puts_the_order_in_its_list(kit, worklist):
    order = make_order(kit.tenant, worklist)
    assert order.worklist == worklist
    event = order.events.get(kind=OrderEvent.Kind.LIST_CHANGED)
    assert event.to_list == worklist and event.author_label == "Sistema (teste)"


def test_scheduled_emitted_or_cancelled_orders_are_in_no_list(kit):
    scheduled = make_order(
        kit.tenant, "agendar", appointment_at=IN_LIST["reagendar"]["appointment_at"]
    )
    emitted = make_order(kit.tenant, "reagendar", emitted_at=IN_LIST["reagendar"]["appointment_at"])
    assert scheduled.worklist == "" and emitted.worklist == ""


def test_the_same_upsert_twice_is_one_order_and_no_new_event(kit):
    data = order_input(**IN_LIST["documentos"])
    first, created = order_upsert(tenant=kit.tenant, data=data, who=SYSTEM)
    events = first.events.count()
    again, created_again = order_upsert(tenant=kit.tenant, data=data, who=SYSTEM)
    assert created and not created_again and again.pk == first.pk
    assert again.events.count() == events
    assert CertificateOrder.objects.filter(tenant=kit.tenant).count() == 1


def test_an_update_is_an_event_with_the_change_and_moves_the_list(kit):
    data = order_input(**IN_LIST["documentos"])
    order, _ = order_upsert(tenant=kit.tenant, data=data, who=SYSTEM)
    order, _ = order_upsert(
        tenant=kit.tenant, data=dataclasses.replace(data, documents_status="received"), who=SYSTEM
    )
    assert order.worklist == "agendar"
    update = order.events.get(kind=OrderEvent.Kind.UPDATED)
    assert update.text == "documentos: Pendentes → Recebidos"
    moved = order.events.filter(kind=OrderEvent.Kind.LIST_CHANGED).last()
    assert (moved.from_list, moved.to_list) == ("documentos", "agendar")


def test_the_same_external_id_in_two_tenants_is_two_orders(kit, other_kit):
    data = order_input()
    mine, _ = order_upsert(tenant=kit.tenant, data=data, who=SYSTEM)
    theirs, created = order_upsert(tenant=other_kit.tenant, data=data, who=SYSTEM)
    assert created and mine.pk != theirs.pk


def test_bad_fields_are_named_in_pt_br_and_nothing_is_written(kit):
    data = order_input(
        external_id="", client_document="111.111.111-11", client_phone="123",
        payment_status="talvez", client_email="x@",
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        order_upsert(tenant=kit.tenant, data=data, who=SYSTEM)
    fields = {f.field: f.message for f in caught.value.fields}
    assert fields["external_id"] == "Informe o código do pedido."
    assert fields["client_document"] == "CPF ou CNPJ inválido."
    assert fields["client_phone"].startswith("Celular inválido")
    assert fields["payment_status"].startswith("Valor inválido: use pending (Pendente)")
    assert fields["client_email"] == "E-mail inválido."
    assert not CertificateOrder.objects.exists() and not OrderEvent.objects.exists()


def test_counts_per_list_in_one_query(kit, django_assert_num_queries):
    operator = kit.users["operator"]
    for worklist, n in (("reagendar", 2), ("documentos", 1), ("pagamentos", 3)):
        for _ in range(n):
            make_order(kit.tenant, worklist)
    order_assign(
        order=CertificateOrder.objects.filter(worklist="pagamentos").first(), user=operator,
        who=SYSTEM,
    )  # fmt: skip
    with django_assert_num_queries(1):
        counts = {
            c.worklist: c for c in selectors.worklist_counts(tenant=kit.tenant, user=operator)
        }
    assert [counts[w].total for w in ("reagendar", "documentos", "pagamentos", "agendar")] == [
        2,
        1,
        3,
        0,
    ]
    assert counts["pagamentos"].mine == 1 and counts["pagamentos"].unassigned == 2


def test_assignment_to_another_tenants_user_or_a_non_operator_is_refused(kit, other_kit):
    order = make_order(kit.tenant, "agendar")
    from formaliza.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as other:
        order_assign(order=order, user=other_kit.users["operator"], who=SYSTEM)
    with pytest.raises(ApplicationError) as agent:
        order_assign(order=order, user=kit.users["agent"], who=SYSTEM)
    assert other.value.code == "triage_assignee_invalid"
    assert agent.value.code == "triage_assignee_not_operator"
    assert not order.events.filter(kind=OrderEvent.Kind.ASSIGNED).exists()
