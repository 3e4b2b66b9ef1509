"""Duplicates delivered at once: the same paid webhook over HTTP, its processing by racing
workers, the credit handler run twice, the same purchase clicked twice. On PostgreSQL the
calls run in threads with their own connections behind a barrier; on SQLite (one writer at a
time) the same calls run one after the other, and the same invariants are asserted."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from formaliza.core.testing import queued_tasks, run_queued_tasks
from formaliza.payments import services
from formaliza.payments.models import Charge, CreditEntry, CreditWallet, PixNotification, PixPayment
from formaliza.payments.testing import concurrently, webhook_post

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_the_same_paid_webhooks_five_times_shuffled_and_at_once_are_one_payment_and_entry(
    kit, account, psp
):
    agent = kit.users["agent"]
    wallet = services.wallet_for(tenant=kit.tenant, owner=agent)
    credits = services.credit_purchase_start(wallet=wallet, quantity=2, buyer=agent)
    other = services.charge_create(
        tenant=kit.tenant, subject_kind="test", subject_id=1, amount=Decimal("150.00"),
        description="Caso 1", payer_name="Maria", payer_document="52998224725",
    )  # fmt: skip
    psp.pay(credits.txid)
    psp.pay(other.txid)
    deliveries = psp.collected * 5
    random.Random(15).shuffle(deliveries)

    statuses = concurrently([lambda d=d: webhook_post(d).status_code for d in deliveries])
    assert statuses == [200] * 10
    notifications = list(PixNotification.objects.values_list("pk", flat=True))
    assert len(notifications) == 10  # every delivery kept, for the record
    random.Random(16).shuffle(notifications)
    concurrently(
        [lambda n=n: services.pix_notification_process(notification_id=n) for n in notifications]
    )
    assert PixPayment.objects.count() == 2
    assert set(PixPayment.objects.values_list("outcome", flat=True)) == {"applied"}
    assert Charge.objects.filter(status=Charge.Status.PAID).count() == 2
    announced = [t.args_kwargs["args"][0] for t in queued_tasks("credit_purchase_paid")]
    assert sorted(announced) == sorted([credits.pk, other.pk])  # each paid charge once

    # The credit handler delivered more than once (a retried worker) still adds once.
    paid = Charge.objects.get(pk=credits.pk)
    entries = concurrently([lambda: services.credit_purchase_settle(charge=paid)] * 5)
    run_queued_tasks()
    assert len({e.pk for e in entries}) == 1
    entry = CreditEntry.objects.get()
    assert (entry.kind, entry.delta, entry.balance_after) == (CreditEntry.Kind.PURCHASE, 2, 2)
    wallet.refresh_from_db()
    assert wallet.balance == 2


def test_the_same_purchase_clicked_at_once_debits_one_credit(kit):
    wallet = services.wallet_for(tenant=kit.tenant, owner=kit.users["agent"])
    services.credit_add(wallet=wallet, quantity=5, kind="grant", reference="inicial")
    entries = concurrently([lambda: services.credit_spend(wallet=wallet, reference="case:1")] * 10)
    assert len({e.pk for e in entries}) == 1
    assert CreditEntry.objects.filter(kind="spend").count() == 1
    assert CreditWallet.objects.get(pk=wallet.pk).balance == 4
