"""Another tenant's cases, clients, calculations, documents, charges and credits are 404 on
every page, action and API operation of the cases (generated from the URL configuration and
the OpenAPI document, so a new one is covered the day it is added), with valid bodies — and
nothing of tenant A changes. Also the ids inside bodies, and a Pix webhook of tenant B that
names A's charge."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.test import Client
from django.urls import reverse

from formaliza.accounts.roles import Role
from formaliza.cases.models import (
    Calculation,
    Case,
    CaseClient,
    CaseNotification,
    CaseStatus,
    ClientDocument,
)
from formaliza.cases.services import calculation_run, case_charge
from formaliza.cases.tests.helpers import agent_of, calc_input, case_at
from formaliza.core.testing import run_queued_tasks
from formaliza.core.testing_urls import named_routes
from formaliza.payments import services as payments
from formaliza.payments.models import Charge, CreditEntry, CreditWallet, PixPayment
from formaliza.payments.testing import account_for, webhook_post

pytestmark = pytest.mark.django_db
VALID_CNJ = "0058967-77.2016.8.19.0000"
# Plausible, valid form data for every action: a refusal must be about the tenant, not the body.
FORM = {
    "note": "Decisão tomada pela outra empresa", "quantity": "1", "reason": "Documento ilegível",
    "decision": "reject", "protocol_number": VALID_CNJ, "reference": "E12345678202612041200abcdefghijk",
    "name": "Outro Nome", "email": "outro@example.com",
}  # fmt: skip
API_BODY = {
    "note": "Decisão tomada pela outra empresa", "quantity": 1, "decision": "reject",
    "reason": "Documento ilegível", "protocol_number": VALID_CNJ, "name": "Outro Nome",
    "client_id": 1,
}  # fmt: skip


@pytest.fixture
def world_a(kit, channels, pix_account, psp):
    """Tenant A: a case awaiting payment with documents and a flagged Pix charge, a draft
    calculation, an agent's wallet with credits and a credit purchase."""
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    charge = case_charge(case=case)
    psp.pay(charge.txid, valor="10.00")
    assert webhook_post(psp.collected[-1]).status_code == 200
    run_queued_tasks()
    draft = calculation_run(
        tenant=kit.tenant, agent=agent_of(kit), data=calc_input(label="Rascunho")
    )
    wallet = payments.wallet_for(tenant=kit.tenant, owner=agent_of(kit))
    payments.credit_add(wallet=wallet, quantity=2, kind="grant", reference="inicial")
    purchase = payments.credit_purchase_start(wallet=wallet, quantity=1, buyer=agent_of(kit))
    return {
        "case_id": case.pk, "client_id": case.client_id, "calculation_id": str(draft.pk),
        "document_id": ClientDocument.objects.filter(client=case.client).first().pk,
        "txid": Charge.objects.get(pk=charge.pk, status=Charge.Status.FLAGGED).txid,
        "agent_id": agent_of(kit).pk, "purchase": purchase.txid, "case_calculation": str(case.calculation_id),
    }  # fmt: skip


def snapshot(tenant) -> dict:
    return {
        "cases": list(Case.objects.filter(tenant=tenant).values_list("pk", "status", "protocol_number", "payment_reference")),
        "clients": list(CaseClient.objects.filter(tenant=tenant).values_list("pk", "name", "email")),
        "documents": list(ClientDocument.objects.filter(tenant=tenant).values_list("pk", "status", "rejection_reason")),
        "calculations": list(Calculation.objects.filter(tenant=tenant).values_list("pk", "saved_at", "discarded_at")),
        "charges": list(Charge.objects.filter(tenant=tenant).values_list("txid", "status", "resolved_at", "flag_reason")),
        "wallets": list(CreditWallet.objects.filter(tenant=tenant).values_list("pk", "balance")),
        "entries": CreditEntry.objects.filter(tenant=tenant).count(),
        "notifications": CaseNotification.objects.filter(tenant=tenant).count(),
    }  # fmt: skip


def _values(world_a, param: str):
    assert param in world_a, (
        f"path parameter {param!r} of a cases route has no tenant-A value in this test: add it "
        "to world_a so the route is checked"
    )
    return world_a[param]


def test_every_cases_page_and_action_is_404_for_another_tenants_objects(kit, other_kit, world_a):
    before = snapshot(kit.tenant)
    leaks, checked = [], 0
    for role in (Role.ADMIN, Role.MANAGER, Role.OPERATOR, Role.AGENT):
        browser = other_kit.client_for(role)
        for route, _ in named_routes():
            if not route.name.startswith("cases:") or not route.params:
                continue
            url = reverse(route.name, kwargs={p: _values(world_a, p) for p in route.params})
            got = browser.get(url).status_code
            posted = browser.post(url, FORM).status_code
            checked += 1
            allowed = {404} if role == Role.ADMIN else {403, 404}  # admin has every permission
            if got not in allowed | {405} or posted not in allowed | {405}:
                leaks.append(f"{role} {url} ({route.name}): GET {got}, POST {posted}")
    assert checked >= 4 * 15, checked
    assert not leaks, "\n".join(leaks)
    assert snapshot(kit.tenant) == before


def test_every_cases_api_operation_is_404_for_another_tenants_objects(kit, other_kit, world_a):
    before = snapshot(kit.tenant)
    browser, headers = Client(), other_kit.api_headers()
    leaks, checked = [], 0
    for path, operations in browser.get("/api/openapi.json").json()["paths"].items():
        if not path.startswith("/api/v1/cases/") or "{" not in path:
            continue
        for method, operation in operations.items():
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            url = path.format(**{p: _values(world_a, p) for p in params})
            if method == "get":
                response = browser.get(url, **headers)
            elif "multipart/form-data" in json.dumps(operation.get("requestBody", {})):
                response = browser.post(url, {"doc_type": "rg_cnh", "file": b"x"}, **headers)
            else:
                response = getattr(browser, method)(
                    url, data=json.dumps(API_BODY), content_type="application/json", **headers
                )
            checked += 1
            code = response.json().get("error", {}).get("code", "") if response.content else ""
            if response.status_code != 404 or not code.endswith("not_found"):
                leaks.append(f"{method.upper()} {url} → {response.status_code} {code}")
    assert checked >= 15, checked
    assert not leaks, "\n".join(leaks)
    assert snapshot(kit.tenant) == before


def test_ids_inside_bodies_are_404_too(client, kit, other_kit, world_a):
    before = snapshot(kit.tenant)
    headers = other_kit.api_headers()

    def post(path, body):
        return client.post(
            path, data=json.dumps(body, default=str), content_type="application/json", **headers
        )

    assert (
        post("/api/v1/cases/clients", {"agent_id": world_a["agent_id"], "name": "X"}).status_code
        == 404
    )
    data = calc_input().__dict__ | {"agent_id": world_a["agent_id"]}
    assert post("/api/v1/cases/calculations", data).status_code == 404
    own_agent = agent_of(other_kit)
    own = calculation_run(tenant=other_kit.tenant, agent=own_agent, data=calc_input())
    saved = post(f"/api/v1/cases/calculations/{own.pk}/case", {"client_id": world_a["client_id"]})
    assert saved.status_code == 404 and saved.json()["error"]["code"] == "client_not_found"
    assert snapshot(kit.tenant) == before


def test_another_tenants_webhook_cannot_pay_or_flag_our_charge(kit, other_kit, world_a, psp):
    account_b = account_for(other_kit.tenant, psp)
    purchase = world_a["purchase"]
    before = snapshot(kit.tenant)
    body = json.dumps({"pix": [{"endToEndId": "E99999999202612041200crosstenant", "txid": purchase,
                                "valor": "120.00", "horario": "2026-12-04T12:00:00Z"}]}).encode()  # fmt: skip
    signature = hmac.new(account_b.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    response = Client().post(
        reverse("payments:pix_webhook", args=[account_b.webhook_token]), data=body,
        content_type="application/json", headers={"X-Pix-Signature": f"sha256={signature}"},
    )  # fmt: skip
    assert response.status_code == 200
    run_queued_tasks()
    assert PixPayment.objects.get(account=account_b).outcome == "unknown_charge"
    assert snapshot(kit.tenant) == before
    assert Charge.objects.get(txid=purchase).status == Charge.Status.ACTIVE


def test_another_tenants_agent_sees_neither_our_credits_nor_our_charges(kit, other_kit, world_a):
    agent_b = other_kit.client_for(Role.AGENT)
    page = agent_b.get("/casos/creditos/").content.decode()
    assert 'id="credit-balance">0<' in page and world_a["purchase"] not in page
    staff_b = other_kit.client_for(Role.OPERATOR)
    listed = staff_b.get("/casos/cobrancas/").content.decode()
    assert world_a["txid"] not in listed
    assert world_a["txid"] not in staff_b.get("/casos/cobrancas/?resolvidas=1").content.decode()
    assert Client().get("/api/v1/cases/charges", **other_kit.api_headers()).json() == []
