"""Meus créditos (buy credits by Pix, the ledger) and Cobranças com divergência (an operator
accepts or closes a flagged charge), on the pages and over the API."""

from __future__ import annotations

import json

import pytest

from formaliza.accounts.roles import Role
from formaliza.cases.models import CaseStatus
from formaliza.cases.services import case_charge
from formaliza.cases.tests.helpers import agent_of, case_at
from formaliza.core.testing import run_queued_tasks
from formaliza.payments.models import Charge, CreditWallet
from formaliza.payments.testing import webhook_post

pytestmark = pytest.mark.django_db


def _deliver(psp):
    for delivery in psp.collected:
        assert webhook_post(delivery).status_code == 200
    psp.collected.clear()
    run_queued_tasks()


def _flagged_case_charge(kit, psp):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    charge = case_charge(case=case)
    psp.pay(charge.txid, valor="15.00")
    _deliver(psp)
    charge.refresh_from_db()
    assert charge.status == Charge.Status.FLAGGED
    return case, charge


def test_the_agent_buys_credits_pays_by_pix_and_sees_the_ledger(kit, pix_account, psp):
    browser = kit.client_for(Role.AGENT)
    page = browser.get("/casos/creditos/").content.decode()
    assert 'id="credit-balance">0<' in page and "Nenhum movimento ainda." in page

    for quantity, message in [("abc", "Informe um número inteiro de créditos."),
                              ("0", "Compre de 1 a 100 créditos."), ("", "Informe quantos créditos comprar.")]:  # fmt: skip
        response = browser.post("/casos/creditos/comprar/", {"quantity": quantity})
        assert response.status_code == 422 and message in response.content.decode(), quantity
    assert not Charge.objects.exists()

    response = browser.post("/casos/creditos/comprar/", {"quantity": "3"})
    charge = Charge.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#compra-{charge.txid}")
    page = browser.get("/casos/creditos/").content.decode()
    assert f'id="compra-{charge.txid}"' in page and "<svg" in page and charge.copia_e_cola in page
    assert (charge.amount, charge.subject_kind) == (360, "credits")

    psp.pay(charge.txid)
    _deliver(psp)
    page = browser.get("/casos/creditos/").content.decode()
    assert 'id="credit-balance">3<' in page and "Compra" in page and "+3" in page

    # A second purchase after a paid one is a new charge (a wallet is not paid "once").
    assert browser.post("/casos/creditos/comprar/", {"quantity": "2"}).status_code == 302
    second = Charge.objects.exclude(pk=charge.pk).get()
    psp.pay(second.txid)
    _deliver(psp)
    assert 'id="credit-balance">5<' in browser.get("/casos/creditos/").content.decode()


def test_without_a_pix_account_the_purchase_says_why(kit):
    response = kit.client_for(Role.AGENT).post("/casos/creditos/comprar/", {"quantity": "2"})
    assert response.status_code == 422
    assert "O Pix desta empresa não está configurado." in response.content.decode()


def test_an_agent_sees_only_their_own_credits_and_not_the_operators_list(kit, pix_account):
    other = kit.users[Role.ADMIN]
    CreditWallet.objects.create(tenant=kit.tenant, owner=other, balance=7)
    browser = kit.client_for(Role.AGENT)
    assert 'id="credit-balance">0<' in browser.get("/casos/creditos/").content.decode()
    assert browser.get("/casos/cobrancas/").status_code == 403
    assert browser.post("/casos/cobrancas/x/aceitar/", {"note": "xxxxxx"}).status_code == 403


def test_the_operator_accepts_a_flagged_pix_and_the_case_is_paid(kit, channels, pix_account, psp):
    case, charge = _flagged_case_charge(kit, psp)
    staff = kit.client_for(Role.OPERATOR)
    page = staff.get("/casos/cobrancas/").content.decode()
    assert charge.txid in page and f"Caso {case.number}" in page and "Pago R$ 15.00" in page

    staff.post(f"/casos/cobrancas/{charge.txid}/aceitar/", {"note": "ok"})
    charge.refresh_from_db()
    assert charge.status == Charge.Status.FLAGGED  # no note, no decision
    page = staff.get("/casos/cobrancas/").content.decode()
    assert "Escreva o que foi decidido (ao menos 5 caracteres)." in page

    note = "Cliente pagou a menos; a diferença foi perdoada."
    staff.post(f"/casos/cobrancas/{charge.txid}/aceitar/", {"note": note})
    run_queued_tasks()
    case.refresh_from_db()
    charge.refresh_from_db()
    assert (case.status, case.payment_reference) == (CaseStatus.PAID, charge.txid)
    assert (charge.status, charge.resolution, charge.resolved_by) == (
        "paid",
        "accepted",
        kit.users[Role.OPERATOR],
    )
    assert charge.txid not in staff.get("/casos/cobrancas/").content.decode()
    resolved = staff.get("/casos/cobrancas/?resolvidas=1").content.decode()
    assert charge.txid in resolved and note in resolved


def test_a_pix_for_a_case_already_paid_by_credit_is_listed_for_the_operator(
    kit, channels, pix_account, psp
):
    from formaliza.cases.services import case_pay_with_credit
    from formaliza.payments import services as payments

    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    charge = case_charge(case=case)
    wallet = payments.wallet_for(tenant=kit.tenant, owner=agent_of(kit))
    payments.credit_add(wallet=wallet, quantity=1, kind="grant", reference="bonus")
    case_pay_with_credit(case=case, user=agent_of(kit))
    psp.pay(charge.txid)
    _deliver(psp)
    charge.refresh_from_db()
    assert charge.status == Charge.Status.PAID and "já foi pago" in charge.flag_reason
    staff = kit.client_for(Role.MANAGER)
    page = staff.get("/casos/cobrancas/").content.decode()
    assert charge.txid in page and "Aceitar o Pix como pagamento" not in page
    staff.post(f"/casos/cobrancas/{charge.txid}/encerrar/", {"note": "Pix devolvido ao cliente."})
    charge.refresh_from_db()
    assert (charge.resolution, charge.resolution_note) == ("dismissed", "Pix devolvido ao cliente.")


def test_the_charges_api_lists_accepts_and_refuses_with_stable_codes(
    client, kit, channels, pix_account, psp
):
    case, charge = _flagged_case_charge(kit, psp)
    headers = kit.api_headers()
    listed = client.get("/api/v1/cases/charges", **headers).json()
    assert [(c["txid"], c["case_id"], c["acceptable"]) for c in listed] == [
        (charge.txid, case.pk, True)
    ]
    assert listed[0]["pix"][0]["outcome"] == "amount_mismatch"

    def post(path, body):
        return client.post(path, data=json.dumps(body), content_type="application/json", **headers)

    short = post(f"/api/v1/cases/charges/{charge.txid}/accept", {"note": "ok"})
    assert (
        short.status_code == 422 and short.json()["error"]["fields"][0]["code"] == "note_required"
    )
    accepted = post(
        f"/api/v1/cases/charges/{charge.txid}/accept", {"note": "Aceito pelo integrador."}
    )
    assert accepted.status_code == 200 and accepted.json()["resolution"] == "accepted"
    again = post(f"/api/v1/cases/charges/{charge.txid}/dismiss", {"note": "Outra decisão"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "charge_already_resolved"
    run_queued_tasks()
    assert client.get(f"/api/v1/cases/{case.pk}", **headers).json()["status"] == "paid"
    assert client.get("/api/v1/cases/charges", **headers).json() == []
    assert [
        c["txid"] for c in client.get("/api/v1/cases/charges?resolved=true", **headers).json()
    ] == [charge.txid]
    missing = client.get("/api/v1/cases/charges/naoexiste", **headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "charge_not_found"


def test_the_credits_api_lists_the_purchases(client, kit, pix_account):
    agent = agent_of(kit)
    bought = client.post(f"/api/v1/cases/credits/{agent.pk}/purchases", {"quantity": 2},
                         content_type="application/json", **kit.api_headers())  # fmt: skip
    credits = client.get(f"/api/v1/cases/credits/{agent.pk}", **kit.api_headers()).json()
    assert [p["txid"] for p in credits["purchases"]] == [bought.json()["txid"]]
