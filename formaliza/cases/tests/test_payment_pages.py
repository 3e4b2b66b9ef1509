"""The payment on the pages: the client's Pix QR code and copia-e-cola, the agent's "Comprar
caso" (charge the client, use a credit), the staff's confirmation of a static BR Code."""

from __future__ import annotations

import pytest
from django.test import Client

from formaliza.cases.models import CaseStatus
from formaliza.cases.services import client_access_url
from formaliza.cases.tests.helpers import agent_of, case_at
from formaliza.core.testing import run_queued_tasks
from formaliza.payments import services as payments
from formaliza.payments.models import Charge, PixAccount
from formaliza.payments.testing import webhook_post

pytestmark = pytest.mark.django_db


def _client_page(case) -> Client:
    browser = Client()
    browser.get(client_access_url(client=case.client))
    return browser


def test_the_client_sees_the_pix_qr_code_and_pays_it(kit, pix_account, psp):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    browser = _client_page(case)
    page = browser.get("/c/documentos/").content.decode()
    charge = Charge.objects.get(subject_kind="case", subject_id=case.pk)
    assert 'id="payment-qr"' in page and "<svg" in page
    assert charge.copia_e_cola in page
    psp.pay(charge.txid)
    webhook_post(psp.collected[0])
    run_queued_tasks()
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    assert Charge.objects.filter(subject_id=case.pk).count() == 1  # reopening made no new one
    assert "Pagamento por Pix" not in browser.get("/c/documentos/").content.decode()


def test_without_a_pix_account_the_client_gets_the_agents_instructions(kit):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    page = _client_page(case).get("/c/documentos/").content.decode()
    assert "as instruções chegam pelo seu agente" in page
    assert Charge.objects.count() == 0


def test_the_agent_uses_a_credit(kit):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    agent = agent_of(kit)
    browser = Client()
    browser.force_login(agent)
    page = browser.get(f"/casos/{case.pk}/").content.decode()
    assert "Usar crédito (saldo: 0)" in page
    response = browser.post(f"/casos/{case.pk}/usar-credito/", follow=True)
    assert "Você não tem créditos disponíveis" in response.content.decode()
    wallet = payments.wallet_for(tenant=kit.tenant, owner=agent)
    payments.credit_add(wallet=wallet, quantity=2, kind="grant", reference="bonus")
    browser.post(f"/casos/{case.pk}/usar-credito/")
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    wallet.refresh_from_db()
    assert wallet.balance == 1


def test_a_static_br_code_is_paid_only_when_staff_confirm(kit):
    PixAccount.objects.create(
        tenant=kit.tenant, provider="static", chave="12345678000195",
        merchant_name="Advocacia", merchant_city="Recife",
    )  # fmt: skip
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    page = _client_page(case).get("/c/documentos/").content.decode()
    charge = Charge.objects.get(subject_id=case.pk)
    assert charge.kind == "static" and "0014br.gov.bcb.pix011412345678000195" in charge.copia_e_cola
    assert "a confirmação é feita pela equipe" in page
    agent = Client()
    agent.force_login(agent_of(kit))
    assert agent.post(f"/casos/{case.pk}/confirmar-pix/", {"reference": "E1"}).status_code == 403
    staff = kit.client_for("operator")
    staff.post(
        f"/casos/{case.pk}/confirmar-pix/", {"reference": "E12345678202612031200abcdefghijk"}
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    assert case.payment_reference == charge.txid


def test_another_tenants_case_is_404_for_payment_actions(kit, other_kit):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    agent, operator = other_kit.client_for("agent"), other_kit.client_for("operator")
    for browser, action in (
        (agent, "usar-credito"),
        (agent, "cobrar-cliente"),
        (operator, "confirmar-pix"),
    ):
        assert browser.post(f"/casos/{case.pk}/{action}/").status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_PAYMENT
