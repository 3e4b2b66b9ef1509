"""Charges that need an operator: listed, accepted (paid, handlers run) or closed with a note;
a decision once; a new Pix on a closed charge reopens it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from formaliza.core import clock
from formaliza.core.errors import ApplicationError, Conflict
from formaliza.core.testing import queued_tasks, run_queued_tasks
from formaliza.payments import services
from formaliza.payments.models import Charge, CreditEntry
from formaliza.payments.ports import PixReceived
from formaliza.payments.selectors import charges_for_review
from formaliza.payments.testing import webhook_post

pytestmark = pytest.mark.django_db


def _charge(kit, subject_id=1) -> Charge:
    return services.charge_create(
        tenant=kit.tenant, subject_kind="test", subject_id=subject_id, amount=Decimal("150.00"),
        description="Caso 1", payer_name="Maria",
    )  # fmt: skip


def _paid(psp, charge, valor=None) -> Charge:
    psp.collected.clear()
    psp.pay(charge.txid, valor=valor)
    for delivery in psp.collected:
        assert webhook_post(delivery).status_code == 200
    run_queued_tasks()
    charge.refresh_from_db()
    return charge


def test_a_flagged_charge_is_listed_and_accepting_pays_it_and_runs_the_handlers(kit, account, psp):
    charge = _paid(psp, _charge(kit), valor="140.00")
    assert charge.status == Charge.Status.FLAGGED
    assert list(charges_for_review(tenant=kit.tenant)) == [charge]
    operator = kit.users["operator"]

    accepted = services.charge_accept(
        charge=charge, user=operator, note="Cliente pagou a menos; ok."
    )

    assert (accepted.status, accepted.resolution, accepted.resolved_by) == (
        "paid",
        "accepted",
        operator,
    )
    assert accepted.end_to_end_id and accepted.metadata["accepted_amount"] == "140.00"
    assert [t.args_kwargs["args"][0] for t in queued_tasks("credit_purchase_paid")] == [charge.pk]
    assert list(charges_for_review(tenant=kit.tenant)) == []
    assert list(charges_for_review(tenant=kit.tenant, resolved=True)) == [accepted]
    with pytest.raises(Conflict) as caught:
        services.charge_dismiss(charge=accepted, user=operator, note="de novo, não")
    assert caught.value.code == "charge_already_resolved"


def test_an_accepted_credit_purchase_adds_the_credits_once(kit, account, psp):
    agent = kit.users["agent"]
    wallet = services.wallet_for(tenant=kit.tenant, owner=agent)
    charge = _paid(
        psp, services.credit_purchase_start(wallet=wallet, quantity=3, buyer=agent), valor="1.00"
    )
    assert charge.status == Charge.Status.FLAGGED
    services.charge_accept(charge=charge, user=kit.users["operator"], note="Aceito pelo gerente.")
    run_queued_tasks()
    run_queued_tasks()
    wallet.refresh_from_db()
    assert wallet.balance == 3
    assert CreditEntry.objects.filter(wallet=wallet, kind="purchase").count() == 1


def test_a_decision_needs_a_note_and_a_paid_charge_cannot_be_accepted(kit, account, psp):
    charge = _paid(psp, _charge(kit))
    assert charge.status == Charge.Status.PAID
    with pytest.raises(ApplicationError) as caught:
        services.charge_dismiss(charge=charge, user=None, note="ok")
    assert caught.value.fields[0].code == "note_required"
    # Another Pix with the same txid (the payer's bank repeated it): an extra Pix on a paid one.
    services.pix_apply(account=account, pix=PixReceived(
        end_to_end_id="E00000000202612041200extrapix01", txid=charge.txid,
        amount=Decimal("150.00"), paid_at=clock.now(), raw={},
    ))  # fmt: skip
    assert list(charges_for_review(tenant=kit.tenant)) == [charge]
    with pytest.raises(Conflict) as caught:
        services.charge_accept(charge=charge, user=None, note="Pix a mais")
    assert caught.value.code == "charge_not_acceptable"
    charge.refresh_from_db()
    assert charge.status == Charge.Status.PAID and charge.resolved_at is None


def test_a_new_pix_on_a_closed_charge_reopens_it(kit, account, psp):
    charge = _paid(psp, _charge(kit), valor="10.00")
    services.charge_dismiss(charge=charge, user=None, note="Devolvido ao pagador.")
    assert list(charges_for_review(tenant=kit.tenant)) == []
    _paid(psp, charge, valor="150.00")
    charge.refresh_from_db()
    assert charge.status == Charge.Status.FLAGGED and charge.resolved_at is None
    assert list(charges_for_review(tenant=kit.tenant)) == [charge]


def test_a_paid_charge_its_subject_refused_goes_to_the_list(kit, account, psp):
    charge = _paid(psp, _charge(kit))
    services.charge_dismiss(charge=charge, user=None, note="primeira decisão")
    services.charge_flag(charge=charge, reason="O caso já foi pago por crédito.")
    charge.refresh_from_db()
    assert charge.resolved_at is None and charge.flag_reason.startswith("O caso")
    assert list(charges_for_review(tenant=kit.tenant)) == [charge]
