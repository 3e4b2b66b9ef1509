"""Paying one case twice at once. On PostgreSQL the pays run in threads with their own
connections behind a barrier (the row locks decide); on SQLite, one writer at a time, the same
calls run one after the other and the same invariants hold."""

from __future__ import annotations

import pytest

from formaliza.cases.models import Case, CaseEvent, CaseNotification, CaseStatus
from formaliza.cases.services import case_charge, case_charge_paid, case_pay_with_credit
from formaliza.cases.tests.helpers import (
    agent_of,
    approve_all,
    case_at,
    registered_input,
    saved_case,
)
from formaliza.core.errors import Conflict
from formaliza.payments import services as payments
from formaliza.payments.models import Charge, CreditEntry, CreditWallet, PixNotification
from formaliza.payments.testing import concurrently, webhook_post

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _wallet(kit, balance: int) -> CreditWallet:
    wallet = payments.wallet_for(tenant=kit.tenant, owner=agent_of(kit))
    payments.credit_add(wallet=wallet, quantity=balance, kind="grant", reference="inicial")
    return wallet


def test_two_pays_of_one_case_at_once_spend_one_credit(kit, channels):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    wallet = _wallet(kit, 5)
    agent = agent_of(kit)
    stale = [Case.objects.get(pk=case.pk) for _ in range(2)]  # both pages read "aguardando"

    results = concurrently([lambda c=c: case_pay_with_credit(case=c, user=agent) for c in stale])

    paid = [r for r in results if isinstance(r, Case)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(paid), len(refused)) == (1, 1)
    assert refused[0].code == "case_not_awaiting_payment"
    assert CreditWallet.objects.get(pk=wallet.pk).balance == 4
    spend = CreditEntry.objects.get(wallet=wallet, kind="spend")
    assert (spend.delta, spend.balance_after, spend.reference) == (-1, 4, f"case:{case.pk}")
    case.refresh_from_db()
    assert (case.status, case.payment_source, case.payment_reference) == (
        CaseStatus.PAID, "credito", f"credit:{spend.pk}",
    )  # fmt: skip
    assert CaseEvent.objects.filter(case=case, to_status=CaseStatus.PAID).count() == 1
    notes = CaseNotification.objects.filter(case=case, kind="payment_confirmed")
    assert len({(n.recipient, n.channel_kind) for n in notes}) == notes.count() > 0


def test_two_cases_at_once_on_a_wallet_of_one_pay_one(kit, channels):
    first = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    other = registered_input(name="João Souza", email="joao@example.com", cpf="11144477735")
    second = approve_all(kit, saved_case(kit, client_data=other))
    assert second.status == CaseStatus.AWAITING_PAYMENT
    wallet = _wallet(kit, 1)
    agent = agent_of(kit)

    results = concurrently(
        [lambda c=c: case_pay_with_credit(case=c, user=agent) for c in (first, second)]
    )

    assert sorted(type(r).__name__ for r in results) == ["Case", "Conflict"]
    assert next(r for r in results if isinstance(r, Conflict)).code == "insufficient_credits"
    assert CreditWallet.objects.get(pk=wallet.pk).balance == 0
    assert CreditEntry.objects.filter(wallet=wallet, kind="spend").count() == 1
    statuses = sorted(
        Case.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    )
    assert statuses == sorted([CaseStatus.PAID, CaseStatus.AWAITING_PAYMENT])


def test_a_credit_and_the_clients_pix_at_once_pay_the_case_once(kit, channels, pix_account, psp):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    wallet = _wallet(kit, 3)
    charge = case_charge(case=case)
    psp.pay(charge.txid)
    assert webhook_post(psp.collected[0]).status_code == 200
    # The webhook's processing marks the charge paid; its case handler is what races below.
    payments.pix_notification_process(notification_id=PixNotification.objects.get().pk)
    paid_charge = Charge.objects.get(pk=charge.pk)
    assert paid_charge.status == Charge.Status.PAID

    results = concurrently([
        lambda: case_pay_with_credit(case=Case.objects.get(pk=case.pk), user=agent_of(kit)),
        lambda: case_charge_paid(charge=paid_charge),
    ])  # fmt: skip

    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    spends = CreditEntry.objects.filter(wallet=wallet, kind="spend")
    paid_charge.refresh_from_db()
    if case.payment_source == "pix":  # the Pix won: the credit was refused, nothing debited
        assert isinstance(results[0], Conflict) and results[0].code == "case_not_awaiting_payment"
        assert (spends.count(), CreditWallet.objects.get(pk=wallet.pk).balance) == (0, 3)
        assert paid_charge.flag_reason == ""
    else:  # the credit won: one debit, and the Pix charge is flagged for the operator
        assert case.payment_source == "credito" and results[1] is None
        assert (spends.count(), CreditWallet.objects.get(pk=wallet.pk).balance) == (1, 2)
        assert "já foi pago" in paid_charge.flag_reason
    assert CaseEvent.objects.filter(case=case, to_status=CaseStatus.PAID).count() == 1
