from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from formaliza.core.errors import Conflict
from formaliza.payments import services
from formaliza.payments.models import CreditEntry, CreditWallet

pytestmark = pytest.mark.django_db


def _wallet(kit, balance: int) -> CreditWallet:
    wallet = services.wallet_for(tenant=kit.tenant, owner=kit.users["agent"])
    if balance:
        services.credit_add(wallet=wallet, quantity=balance, kind="grant", reference="inicial")
    return wallet


def test_spending_debits_one_and_the_same_reference_is_the_same_entry(kit):
    wallet = _wallet(kit, 2)
    first = services.credit_spend(wallet=wallet, reference="case:1")
    assert services.credit_spend(wallet=wallet, reference="case:1") == first
    wallet.refresh_from_db()
    assert (wallet.balance, first.balance_after, first.delta) == (1, 1, -1)


def test_no_credit_left_is_refused_and_nothing_is_written(kit):
    wallet = _wallet(kit, 0)
    with pytest.raises(Conflict) as caught:
        services.credit_spend(wallet=wallet, reference="case:1")
    assert caught.value.code == "insufficient_credits"
    assert CreditEntry.objects.count() == 0


def test_the_database_refuses_a_negative_balance(kit):
    wallet = _wallet(kit, 0)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditWallet.objects.filter(pk=wallet.pk).update(balance=-1)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_100_concurrent_purchases_on_a_wallet_of_10_exactly_10_succeed(kit):
    """PostgreSQL: 100 threads with their own connections spend at once; the conditional
    UPDATE under the row lock lets exactly 10 through. SQLite (one writer at a time): the same
    100 purchases serialized."""
    wallet = _wallet(kit, 10)
    ok, refused, errors = [], [], []
    barrier = threading.Barrier(20)

    def buy(n: int, wait: bool):
        try:
            if wait:
                barrier.wait()
            services.credit_spend(wallet=wallet, reference=f"case:{n}")
            ok.append(n)
        except Conflict:
            refused.append(n)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            if wait:
                connection.close()

    if connection.vendor == "postgresql":
        for batch in range(5):
            threads = [threading.Thread(target=buy, args=(batch * 20 + i, True)) for i in range(20)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    else:
        for n in range(100):
            buy(n, False)
    assert errors == []
    assert (len(ok), len(refused)) == (10, 90)
    wallet.refresh_from_db()
    assert wallet.balance == 0
    spends = CreditEntry.objects.filter(wallet=wallet, kind="spend")
    assert spends.count() == 10
    assert sorted(spends.values_list("balance_after", flat=True)) == list(range(10))
