"""Meus créditos and Cobranças com divergência in a real browser. The agent buys credits
(a quantity out of range first), pays the Pix on the fake PSP (a real HTTP server whose signed
webhook reaches our endpoint), sees the balance and the ledger, and pays a case with a credit.
An operator finds a case whose client paid another amount, tries to decide without a note,
then accepts the Pix: the case is paid."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from formaliza.accounts.roles import Role
from formaliza.cases.models import CaseStatus
from formaliza.cases.services import case_charge
from formaliza.cases.tests.helpers import agent_of, case_at
from formaliza.core.testing import run_queued_tasks
from formaliza.core.testing_browser import page_overflow
from formaliza.payments.fake_psp import FakePixPsp, key_of
from formaliza.payments.models import Charge, PixAccount

pytestmark = pytest.mark.browser


@pytest.fixture
def live_psp(kit, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    psp = FakePixPsp(mode="http")
    settings.FAKE_PIX_PSP_URL = psp.start(port=0)
    account = PixAccount.objects.create(
        tenant=kit.tenant, provider="pix_api", api_url=psp.url, token_url=f"{psp.url}/oauth/token",
        client_id="navegador", client_secret="segredo-navegador",
        chave="pix@example.com", merchant_name="Advocacia Teste", merchant_city="Recife",
    )  # fmt: skip
    psp.key_register(key_of(account))
    yield psp
    psp.stop()


def _webhook_arrived(page, psp, count: int) -> None:
    for _ in range(200):
        if len(psp.delivered) >= count:
            break
        page.wait_for_timeout(50)
    assert [status for _, status in psp.delivered] == [200] * count
    run_queued_tasks()


def test_the_agent_buys_credits_pays_them_and_pays_a_case_with_one(
    kit, channels, new_page, live_psp
):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    agent = new_page("desktop", user=agent_of(kit))
    agent.goto("/casos/creditos/")  # the menu entry is checked by the roles' menu test
    expect(agent.get_by_role("heading", level=1)).to_have_text("Meus créditos")
    expect(agent.locator("#credit-balance")).to_have_text("0")

    agent.get_by_label("Quantidade de créditos").fill("500")
    agent.get_by_role("button", name="Gerar cobrança Pix").click()
    expect(agent.get_by_text("Compre de 1 a 100 créditos.")).to_be_visible()
    agent.get_by_label("Quantidade de créditos").fill("2")
    agent.get_by_role("button", name="Gerar cobrança Pix").click()
    expect(agent.get_by_text("Cobrança Pix de R$ 240.00 gerada")).to_be_visible()
    charge = Charge.objects.get(subject_kind="credits")
    purchase = agent.locator(f"#compra-{charge.txid}")
    expect(purchase.get_by_label("QR Code Pix da compra").locator("svg")).to_be_visible()
    expect(purchase.locator("textarea")).to_have_value(charge.copia_e_cola)

    # Paid on the PSP (the payer's bank), whose signed webhook reaches our endpoint.
    purchase.get_by_role("link", name="Pagar no banco de teste").click()
    agent.get_by_role("button", name="Pagar com Pix").click()
    expect(agent.locator("#resultado")).to_contain_text("Pagamento enviado")
    _webhook_arrived(agent, live_psp, 1)
    agent.goto("/casos/creditos/")
    expect(agent.locator("#credit-balance")).to_have_text("2")
    expect(agent.locator("#ledger tbody tr").first).to_contain_text("Compra")
    expect(purchase.locator("[data-status]")).to_have_text("Paga")

    # Usar crédito on the case awaiting payment.
    agent.goto(f"/casos/{case.pk}/")
    agent.get_by_role("button", name="Usar crédito (saldo: 2)").click()
    expect(agent.locator("#case-status")).to_have_text("Pago")
    agent.goto("/casos/creditos/")
    expect(agent.locator("#credit-balance")).to_have_text("1")
    expect(agent.locator("#ledger tbody tr").first).to_contain_text(f"Caso {case.number}")
    expect(agent.locator("#ledger tbody tr").first).to_contain_text("-1")

    phone = new_page("phone", user=agent_of(kit))
    phone.goto("/casos/creditos/")
    expect(phone.locator("#credit-balance")).to_have_text("1")
    assert page_overflow(phone) == 0


def test_the_operator_accepts_a_pix_of_another_amount(kit, channels, new_page, live_psp):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    charge = case_charge(case=case)
    staff = new_page("desktop", user=kit.users[Role.OPERATOR])
    live_psp.pay(charge.txid, valor="15.00")  # the client's bank sends another amount
    _webhook_arrived(staff, live_psp, 1)
    charge.refresh_from_db()
    assert charge.status == Charge.Status.FLAGGED

    staff.goto("/casos/cobrancas/")
    row = staff.locator(f'#charges tr[data-txid="{charge.txid}"]')
    expect(row).to_contain_text(f"Caso {case.number}")
    expect(row).to_contain_text("Pago R$ 15.00, cobrado R$ 150.00.")
    row.get_by_role("button", name="Aceitar o Pix como pagamento").click()
    expect(staff.get_by_text("Escreva o que foi decidido (ao menos 5 caracteres).")).to_be_visible()

    row = staff.locator(f'#charges tr[data-txid="{charge.txid}"]')
    row.get_by_label(f"Nota da decisão sobre {charge.txid}").fill("Cliente pagou a menos; aceito.")
    row.get_by_role("button", name="Aceitar o Pix como pagamento").click()
    expect(staff.get_by_text(f"Pix aceito como pagamento: Caso {case.number}")).to_be_visible()
    expect(staff.locator("#charges")).to_contain_text("Nenhuma cobrança aguardando decisão.")
    run_queued_tasks()
    staff.get_by_role("link", name="Ver as já resolvidas").click()
    expect(staff.locator("#charges")).to_contain_text("Cliente pagou a menos; aceito.")
    staff.goto(f"/casos/{case.pk}/")
    expect(staff.locator("#case-status")).to_have_text("Pago")
    staff_phone = new_page("phone", user=kit.users[Role.OPERATOR])
    staff_phone.goto("/casos/cobrancas/?resolvidas=1")
    assert page_overflow(staff_phone) == 0
