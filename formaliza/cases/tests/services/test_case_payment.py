"""The case's payment: a Pix charge to the client paid on the fake PSP, or an agent's credit."""

from __future__ import annotations

import pytest

from formaliza.cases.models import CaseNotification, CaseStatus
from formaliza.cases.services import case_charge, case_pay_with_credit
from formaliza.cases.tests.helpers import agent_of, case_at
from formaliza.core.errors import Conflict
from formaliza.core.testing import run_queued_tasks
from formaliza.payments import services as payments
from formaliza.payments.models import Charge, CreditEntry
from formaliza.payments.testing import webhook_post

pytestmark = pytest.mark.django_db


def test_the_pix_paid_on_the_psp_marks_the_case_paid_and_notifies(kit, channels, pix_account, psp):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    charge = case_charge(case=case)
    assert case_charge(case=case) == charge
    psp.pay(charge.txid)
    for _ in range(3):  # redelivered: one payment, one set of notifications
        assert webhook_post(psp.collected[0]).status_code == 200
    run_queued_tasks()
    case.refresh_from_db()
    assert (case.status, case.payment_source, case.payment_reference) == (
        CaseStatus.PAID, "pix", charge.txid,
    )  # fmt: skip
    notes = CaseNotification.objects.filter(case=case, kind="payment_confirmed")
    assert {(n.recipient, n.channel_kind) for n in notes} >= {
        ("client", "email"), ("client", "whatsapp"), ("agent", "email"),
    }  # fmt: skip
    assert all(n.message_id for n in notes)
    assert len({(n.recipient, n.channel_kind) for n in notes}) == notes.count()


def test_a_case_not_awaiting_payment_gets_no_charge(kit, pix_account):
    case = case_at(kit, CaseStatus.PAID)
    with pytest.raises(Conflict) as caught:
        case_charge(case=case)
    assert caught.value.code == "case_not_awaiting_payment"
    assert Charge.objects.count() == 0


def test_a_flagged_amount_leaves_the_case_awaiting(kit, pix_account, psp):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    charge = case_charge(case=case)
    psp.pay(charge.txid, valor="1.00")
    webhook_post(psp.collected[0])
    run_queued_tasks()
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_PAYMENT


def test_using_a_credit_pays_the_case_once(kit, channels):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    agent = agent_of(kit)
    wallet = payments.wallet_for(tenant=kit.tenant, owner=agent)
    payments.credit_add(wallet=wallet, quantity=1, kind="grant", reference="bonus")
    paid = case_pay_with_credit(case=case, user=agent)
    assert paid.status == CaseStatus.PAID and paid.payment_source == "credito"
    wallet.refresh_from_db()
    assert wallet.balance == 0
    assert CreditEntry.objects.filter(kind="spend").count() == 1
    with pytest.raises(Conflict):
        case_pay_with_credit(case=paid, user=agent)


def test_without_credit_the_case_stays_awaiting(kit):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    with pytest.raises(Conflict) as caught:
        case_pay_with_credit(case=case, user=agent_of(kit))
    assert caught.value.code == "insufficient_credits"
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_PAYMENT
