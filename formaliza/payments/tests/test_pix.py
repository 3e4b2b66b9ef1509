"""Charges through the Pix API adapter against the fake PSP, and the `pix` webhook."""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client

from formaliza.core.testing import run_queued_tasks
from formaliza.payments import services
from formaliza.payments.models import Charge, CreditEntry, PixNotification, PixPayment
from formaliza.payments.testing import account_for, webhook_post

pytestmark = pytest.mark.django_db


def _charge(kit, subject_id=1, amount="150.00", **extra) -> Charge:
    return services.charge_create(
        tenant=kit.tenant, subject_kind="test", subject_id=subject_id, amount=Decimal(amount),
        description="Caso 1", payer_name="Maria", payer_document="52998224725", **extra,
    )  # fmt: skip


_post = webhook_post


def test_a_cob_is_created_on_the_psp_with_its_copia_e_cola(kit, account, psp):
    charge = _charge(kit)
    assert charge.kind == Charge.Kind.COB
    assert psp.charges[charge.txid]["valor"] == {"original": "150.00"}
    assert psp.charges[charge.txid]["devedor"] == {"cpf": "52998224725", "nome": "Maria"}
    assert charge.copia_e_cola.startswith("000201010212")
    assert charge.location in charge.copia_e_cola
    assert _charge(kit) == charge  # the same active charge, not a second one


def test_a_cobv_has_a_due_date(kit, account, psp):
    charge = _charge(kit, due_date=dt.date(2030, 1, 10))
    assert charge.kind == Charge.Kind.COBV
    assert psp.charges[charge.txid]["calendario"]["dataDeVencimento"] == "2030-01-10"
    state = services.provider_for(account).charge_get(charge.txid, kind="cobv")
    assert state.status == "ATIVA"


def test_paying_on_the_psp_calls_the_webhook_and_the_charge_is_paid(kit, account, psp):
    charge = _charge(kit)
    psp.pay(charge.txid)
    (delivery,) = psp.collected
    assert json.loads(delivery.body)["pix"][0]["txid"] == charge.txid
    assert _post(delivery).status_code == 200
    run_queued_tasks()
    charge.refresh_from_db()
    assert charge.status == Charge.Status.PAID
    assert charge.end_to_end_id == json.loads(delivery.body)["pix"][0]["endToEndId"]
    assert services.provider_for(account).charge_get(charge.txid, kind="cob").status == "CONCLUIDA"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Pix-Signature": None},
        {"X-Pix-Signature": "sha256=" + "0" * 64},
        {"X-Pix-Signature": "x"},
    ],
    ids=["unsigned", "forged", "malformed"],
)
def test_an_unsigned_or_forged_webhook_is_refused_and_changes_nothing(kit, account, psp, headers):
    charge = _charge(kit)
    psp.pay(charge.txid)
    response = _post(psp.collected[0], **headers)
    assert response.status_code == 401
    assert response.json()["error"] == "webhook_unauthenticated"
    run_queued_tasks()
    assert PixNotification.objects.count() == 0
    charge.refresh_from_db()
    assert charge.status == Charge.Status.ACTIVE


def test_a_body_signed_with_another_tenants_secret_is_refused(kit, other_kit, account, psp):
    other = account_for(other_kit.tenant, psp)
    charge = _charge(kit)
    psp.keys[account.chave].secret = other.webhook_secret
    psp.pay(charge.txid)
    assert _post(psp.collected[0]).status_code == 401


def test_an_unknown_webhook_token_is_404(kit, account, psp):
    charge = _charge(kit)
    psp.pay(charge.txid)
    delivery = psp.collected[0]
    delivery.url = delivery.url.replace(account.webhook_token, "nao-existe")
    assert _post(delivery).status_code == 404


def test_mtls_verdict_of_the_proxy_is_required_when_configured(kit, account, psp, settings):
    settings.PAYMENT_PIX_MTLS_HEADER = "X-SSL-Client-Verify"
    charge = _charge(kit)
    psp.pay(charge.txid)
    assert _post(psp.collected[0]).status_code == 401
    assert (
        _post(psp.collected[0], **{"X-SSL-Client-Verify": "FAILED:self signed"}).status_code == 401
    )
    assert _post(psp.collected[0], **{"X-SSL-Client-Verify": "SUCCESS"}).status_code == 200


def test_url_secret_scheme_for_psps_that_do_not_sign(kit, psp):
    account = account_for(kit.tenant, psp, webhook_auth="url_secret")
    charge = _charge(kit)
    psp.pay(charge.txid)
    delivery = psp.collected[0]
    assert "hmac=" in delivery.url
    assert _post(delivery, **{"X-Pix-Signature": None}).status_code == 200
    delivery.url = delivery.url.replace(account.webhook_secret, "adivinhado")
    assert _post(delivery, **{"X-Pix-Signature": None}).status_code == 401


def test_the_same_paid_webhook_five_times_shuffled_is_one_payment(kit, account, psp):
    first, second = _charge(kit, 1), _charge(kit, 2)
    psp.pay(first.txid)
    psp.pay(second.txid)
    deliveries = psp.collected * 5
    random.Random(7).shuffle(deliveries)
    for delivery in deliveries:
        assert _post(delivery).status_code == 200
    run_queued_tasks()
    assert PixPayment.objects.count() == 2
    assert Charge.objects.filter(status=Charge.Status.PAID).count() == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_pix_applied_concurrently_is_one_payment(kit, account, psp):
    """On PostgreSQL five threads apply the same Pix at once (the charge row lock and the
    unique endToEndId decide); on SQLite, whose writes are serialized anyway, the same five
    deliveries run one after the other in shuffled order."""
    charge = _charge(kit)
    psp.pay(charge.txid)
    pix = services.provider_for(account).webhook_parse(psp.collected[0].body)[0]
    results, errors = [], []
    barrier = threading.Barrier(5)

    def apply(wait: bool):
        try:
            if wait:
                barrier.wait()
            results.append(services.pix_apply(account=account, pix=pix).pk)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            if wait:
                connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=apply, args=(True,)) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for _ in range(5):
            apply(False)
    assert errors == []
    assert len(set(results)) == 1
    assert PixPayment.objects.count() == 1
    charge.refresh_from_db()
    assert charge.status == Charge.Status.PAID


def test_an_amount_differing_from_the_charge_is_flagged_not_paid(kit, account, psp):
    charge = _charge(kit)
    psp.pay(charge.txid, valor="149.99")
    assert _post(psp.collected[0]).status_code == 200
    run_queued_tasks()
    charge.refresh_from_db()
    assert charge.status == Charge.Status.FLAGGED
    assert "149.99" in charge.flag_reason
    assert PixPayment.objects.get().outcome == PixPayment.Outcome.AMOUNT_MISMATCH


def test_an_expired_charge_cannot_be_paid_and_a_late_pix_is_flagged(kit, account, psp):
    charge = _charge(kit)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)):
        with pytest.raises(Exception, match="prazo"):
            psp.pay(charge.txid)
        found = services.charge_for_subject(tenant=kit.tenant, subject_kind="test", subject_id=1)
    assert found.status == Charge.Status.EXPIRED
    late = psp.delivery_for(account.chave, [{
        "endToEndId": "E99999008202612031200abcdefghijk", "txid": charge.txid,
        "valor": "150.00", "horario": "2099-01-01T00:00:00Z",
    }])  # fmt: skip
    assert _post(late).status_code == 200
    run_queued_tasks()
    assert PixPayment.objects.get().outcome == PixPayment.Outcome.NOT_ACTIVE
    charge.refresh_from_db()
    assert charge.status == Charge.Status.EXPIRED


def test_a_pix_after_the_expiration_of_an_active_charge_is_flagged(kit, account, psp):
    charge = _charge(kit)
    late = psp.delivery_for(account.chave, [{
        "endToEndId": "E99999008202612031200abcdefghijk", "txid": charge.txid,
        "valor": "150.00", "horario": "2099-01-01T00:00:00Z",
    }])  # fmt: skip
    assert _post(late).status_code == 200
    run_queued_tasks()
    charge.refresh_from_db()
    assert charge.status == Charge.Status.FLAGGED
    assert PixPayment.objects.get().outcome == PixPayment.Outcome.EXPIRED


def test_invalid_payload_is_400(kit, account, psp):
    delivery = psp.delivery_for(account.chave, [])
    delivery.body = b'{"sem":"pix"}'
    import hashlib
    import hmac

    signature = hmac.new(account.webhook_secret.encode(), delivery.body, hashlib.sha256)
    delivery.headers["X-Pix-Signature"] = "sha256=" + signature.hexdigest()
    assert _post(delivery).status_code == 400


def test_psp_refusing_the_charge_is_a_clear_error(kit, account, psp):
    psp.keys[account.chave].chave = "outra"  # the PSP no longer knows our key
    psp.keys["outra"] = psp.keys.pop(account.chave)
    with pytest.raises(Exception, match="banco não gerou"):
        _charge(kit)
    assert Charge.objects.count() == 0


def test_credits_bought_by_pix_are_added_once(kit, account, psp):
    agent = kit.users["agent"]
    wallet = services.wallet_for(tenant=kit.tenant, owner=agent)
    charge = services.credit_purchase_start(wallet=wallet, quantity=3, buyer=agent)
    assert charge.amount == Decimal("360.00")
    psp.pay(charge.txid)
    _post(psp.collected[0])
    _post(psp.collected[0])
    run_queued_tasks()
    wallet.refresh_from_db()
    assert wallet.balance == 3
    assert CreditEntry.objects.get().kind == CreditEntry.Kind.PURCHASE


def test_wrong_client_credentials_are_refused_by_the_psp(kit, account, psp):
    from formaliza.payments.adapters import pix_api

    pix_api._tokens.clear()
    account.client_secret = "errado"
    account.save()
    with pytest.raises(Exception, match="token recusado"):
        _charge(kit)
    assert Charge.objects.count() == 0


def test_a_static_account_refuses_every_webhook(kit, psp):
    from formaliza.payments.models import PixAccount

    static = PixAccount.objects.create(
        tenant=kit.tenant, provider="static", chave="+5511999990000", merchant_name="Loja",
        merchant_city="Recife",
    )  # fmt: skip
    charge = _charge(kit)
    from formaliza.payments.brcode import brcode_parse

    fields = brcode_parse(charge.copia_e_cola)  # the CRC checks
    assert charge.kind == Charge.Kind.STATIC and fields["54"] == "150.00"
    body = json.dumps({"pix": [{"endToEndId": "E1", "txid": charge.txid, "valor": "150.00",
                                "horario": "2026-12-03T12:00:00Z"}]}).encode()  # fmt: skip
    import hashlib
    import hmac

    signature = hmac.new(static.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    response = Client().post(
        f"/pagamentos/pix-webhook/{static.webhook_token}/pix", data=body,
        content_type="application/json", headers={"X-Pix-Signature": f"sha256={signature}"},
    )  # fmt: skip
    assert response.status_code == 401
    charge.refresh_from_db()
    assert charge.status == Charge.Status.ACTIVE
