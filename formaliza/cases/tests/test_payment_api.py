from __future__ import annotations

import pytest

from formaliza.cases.models import CaseStatus
from formaliza.cases.tests.helpers import agent_of, case_at
from formaliza.core.testing import run_queued_tasks
from formaliza.payments.testing import webhook_post

pytestmark = pytest.mark.django_db


def test_charge_pay_on_psp_and_credits_through_the_api(client, kit, pix_account, psp):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    response = client.post(f"/api/v1/cases/{case.pk}/charge", **kit.api_headers())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "active" and body["amount"] == "150.00"
    psp.pay(body["txid"])
    webhook_post(psp.collected[0])
    run_queued_tasks()
    assert client.get(f"/api/v1/cases/{case.pk}", **kit.api_headers()).json()["status"] == "paid"

    agent = agent_of(kit)
    bought = client.post(
        f"/api/v1/cases/credits/{agent.pk}/purchases", {"quantity": 2},
        content_type="application/json", **kit.api_headers(),
    )  # fmt: skip
    assert bought.status_code == 201 and bought.json()["amount"] == "240.00"
    psp.pay(bought.json()["txid"])
    webhook_post(psp.collected[-1])
    run_queued_tasks()
    credits = client.get(f"/api/v1/cases/credits/{agent.pk}", **kit.api_headers()).json()
    assert credits["balance"] == 2 and credits["entries"][0]["kind"] == "purchase"


def test_pay_with_credit_without_credit_is_409(client, kit):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    response = client.post(f"/api/v1/cases/{case.pk}/pay-with-credit", **kit.api_headers())
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_credits"


def test_another_tenants_case_and_agent_are_404(client, kit, other_kit):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    assert (
        client.post(f"/api/v1/cases/{case.pk}/charge", **other_kit.api_headers()).status_code == 404
    )
    url = f"/api/v1/cases/credits/{agent_of(kit).pk}"
    assert client.get(url, **other_kit.api_headers()).status_code == 404
