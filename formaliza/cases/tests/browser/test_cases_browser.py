"""The agent's and the client's path in a real browser: the agent calculates and saves the
case, sends the self-service link; the client, on a 360×740 phone, calculates, registers with
the e-mail the agent entered (code by e-mail), sends the documents; the agent rejects one (the
client is told and sends it again) and approves; the client's page shows the Pix QR code, the
client pays on the fake PSP (a real HTTP server speaking the Pix API), whose signed webhook
marks the case paid; atermação; staff record the protocol (an invalid number first); the
notifications are in the outbox."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from formaliza.accounts.roles import Role
from formaliza.cases.models import Case, CaseClient, CaseStatus, ClientDocument
from formaliza.cases.tests.helpers import CPF, agent_of, history, pdf_bytes, photo
from formaliza.conversations.models import Message
from formaliza.core.testing import run_queued_tasks
from formaliza.payments.fake_psp import FakePixPsp, key_of
from formaliza.payments.models import PixAccount, PixPayment

pytestmark = pytest.mark.browser
VALID = "0058967-77.2016.8.19.0000"
REQUIRED = ["rg_cnh", "residencia", "cnis", "carta_concessao", "procuracao", "hipossuficiencia"]


def _fill_calculation(page, *, label: str):
    import datetime as dt

    page.fill("#id_label", label)
    page.select_option("#id_rule", "ec103_aposentadoria")
    page.fill("#id_dib", "15/03/2021")
    page.fill("#id_first_payment", "10/04/2021")
    page.fill("#id_granted_rmi", "1.800,00")
    page.fill("#id_birth_date", "02/05/1958")
    page.select_option("#id_sex", "F")
    page.fill("#id_contribution_years", "30")
    page.fill("#id_history", history(end=dt.date(2021, 2, 1)))
    page.get_by_role("button", name="Calcular").click()


def _upload(page, code: str, *, image: bool = False):
    page.select_option("#id_doc_type", label=None, value=str(_type_id(code)))
    payload = (
        {"name": f"{code}.jpg", "mimeType": "image/jpeg", "buffer": photo()}
        if image
        else {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.set_input_files("#id_file", payload)
    page.get_by_role("button", name=re.compile("Enviar documento|Anexar")).click()
    expect(page.locator(f'[data-slot="{code}"] .badge').first).to_have_text(
        re.compile("Pendente|Aprovado")
    )


def _type_id(code: str) -> int:
    from formaliza.cases.models import DocumentType

    return DocumentType.objects.get(code=code).pk


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_agent_and_client_from_calculation_to_protocol(
    kit, channels, phone, desk, live_server, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    psp = FakePixPsp(mode="http")
    settings.FAKE_PIX_PSP_URL = psp.start(port=0)
    account = PixAccount.objects.create(
        tenant=kit.tenant, provider="pix_api", api_url=psp.url, token_url=f"{psp.url}/oauth/token",
        client_id="navegador", client_secret="segredo-navegador",
        chave="pix@example.com", merchant_name="Advocacia Teste", merchant_city="Recife",
    )  # fmt: skip
    psp.key_register(key_of(account))
    try:
        _whole_path(kit, phone, desk, agent_of(kit), psp, settings)
    finally:
        psp.stop()


def _whole_path(kit, phone, desk, agent_user, psp, settings):
    agent = desk(agent_user)

    # The agent calculates and saves the case (a draft is listed until then).
    agent.goto("/casos/calculo/")
    _fill_calculation(agent, label="Maria da Silva")
    expect(agent.locator(".outcome")).to_have_text("Revisão com diferença a favor do cliente")
    expect(agent.locator(".synthetic")).to_contain_text("SINTÉTICA")
    agent.goto("/casos/")
    expect(agent.locator("#drafts")).to_contain_text("Maria da Silva")
    agent.locator("#drafts").get_by_role("link", name="Abrir e salvar").click()
    agent.get_by_role("button", name="Salvar caso").click()
    expect(agent.locator("#case-status")).to_have_text("Calculado")
    case = Case.objects.get()

    # Meus clientes > editar: the e-mail the client will register with.
    agent.goto(f"/casos/clientes/{case.client_id}/editar/")
    agent.fill("#id_email", "maria@example.com")
    agent.get_by_role("button", name="Salvar").click()
    expect(agent.get_by_text("Cadastro salvo.")).to_be_visible()

    # The agent's self-service link (and WhatsApp for the protocol notice).
    agent.goto("/casos/meu-link/")
    agent.fill("#id_phone", "(21) 99876-5432")
    agent.get_by_role("button", name="Salvar", exact=True).click()
    link = agent.locator("#signup-link").inner_text().strip()

    # The client, on the phone: calculation, personal data, e-mail code.
    page = phone
    page.goto(link)
    _fill_calculation(page, label="Maria da Silva")
    expect(page.locator(".outcome")).to_have_text("Revisão com diferença a favor do cliente")
    _fits(page)
    page.get_by_role("link", name="Continuar: meus dados").click()
    for field, value in {"name": "Maria da Silva", "cpf": CPF, "email": "MARIA@example.com", "phone": "(11) 98765-4321",
                         "birth_date": "02/05/1958", "cep": "01310-100", "street": "Av. Paulista", "number": "1000",
                         "city": "São Paulo"}.items():  # fmt: skip
        page.fill(f"#id_{field}", value)
    page.select_option("#id_sex", "F")
    page.select_option("#id_uf", "SP")
    page.get_by_role("button", name="Salvar e continuar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirme seu e-mail")
    code = re.search(r"\b(\d{6})\b", Message.objects.get(kind="email").body).group(1)
    page.fill("#id_code", code)
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seus documentos")
    assert CaseClient.objects.count() == 1  # joined the agent's record, no duplicate
    _fits(page)
    _upload(page, "rg_cnh", image=True)
    for code_name in REQUIRED[1:]:
        _upload(page, code_name)
    expect(page.locator("#case-status")).to_have_text("Documentos em análise")

    # The agent: Meus clientes > documentos "pendente para análise" > reject one, approve the rest.
    agent.goto("/casos/clientes/")
    agent.locator("#clients").get_by_role("link", name=re.compile("pendentes para análise")).click()
    residence = agent.locator('[data-slot="residencia"] .document').first
    residence.get_by_label("Motivo da rejeição").fill("Comprovante com mais de 3 meses")
    residence.get_by_role("button", name="Rejeitar").click()
    rejection = (
        Message.objects.filter(reference=f"case:{case.pk}").exclude(kind="email").latest("pk")
    )
    assert "Comprovante com mais de 3 meses" in rejection.body and "/c/acesso/" in rejection.body

    # The client sends it again (the page shows why it was refused).
    page.reload()
    expect(page.locator('[data-slot="residencia"]')).to_contain_text(
        "Comprovante com mais de 3 meses"
    )
    _upload(page, "residencia")

    agent.reload()
    while agent.get_by_role("button", name="Aprovar").count():
        agent.get_by_role("button", name="Aprovar").first.click()
        agent.wait_for_load_state()
    assert not ClientDocument.objects.filter(status="pending").exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_PAYMENT
    page.reload()
    expect(page.locator("#case-status")).to_have_text("Aguardando pagamento")

    # Payment: the client's page shows the Pix QR code and copia-e-cola; paid on the fake PSP,
    # its signed webhook reaches our endpoint and the worker marks the case paid.
    expect(page.locator("#payment-qr svg")).to_be_visible()
    expect(page.locator("#copia-e-cola")).to_have_value(
        re.compile(r"^000201010212.*br\.gov\.bcb\.pix")
    )
    _fits(page)
    page.locator("#fake-pay").click()
    page.get_by_role("button", name="Pagar com Pix").click()
    expect(page.locator("#resultado")).to_contain_text("Pagamento enviado")
    for _ in range(100):
        if psp.delivered:
            break
        page.wait_for_timeout(50)
    assert [status for _, status in psp.delivered] == [200]
    run_queued_tasks()
    assert PixPayment.objects.get().outcome == "applied"
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID and case.payment_source == "pix"
    page.goto(f"{settings.PUBLIC_BASE_URL}/c/documentos/")
    expect(page.locator("#case-status")).to_have_text("Pago")
    agent.goto(f"/casos/{case.pk}/")
    expect(agent.locator("#notifications")).to_contain_text("payment_confirmed")
    agent.get_by_role("button", name="Solicitar atermação").click()
    expect(agent.locator("#case-status")).to_have_text("Atermação solicitada")

    # Staff: the queue, an invalid number first, then the real one.
    staff = desk(kit.users[Role.OPERATOR])
    staff.goto("/casos/atermacoes/")
    field = staff.get_by_label(f"Número do processo do caso {case.number}")
    field.fill("0058967-78.2016.8.19.0000")
    staff.get_by_role("button", name="Registrar").click()
    expect(staff.get_by_role("alert")).to_contain_text("dígitos verificadores 78 não conferem")
    staff.get_by_label(f"Número do processo do caso {case.number}").fill(VALID)
    staff.get_by_role("button", name="Registrar").click()
    expect(staff.locator("#protocol")).to_contain_text(VALID)

    agent.goto(f"/casos/{case.pk}/")
    expect(agent.locator("#case-status")).to_have_text("Protocolado")
    expect(agent.locator("#notifications")).to_contain_text("protocol_recorded")
    notified = Message.objects.filter(body__contains=VALID)
    assert sorted(m.kind for m in notified) == ["email", "email", "template", "template"]
    page.reload()
    expect(page.get_by_text(VALID)).to_be_visible()
