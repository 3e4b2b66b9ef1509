"""Portal de Envio on a correspondent's phone: a number without the area code rule refused in
pt-BR (nothing sent), then the approved template sent by hand, its receipts on its page, and
the send in the "Relatório Portal de Envios" with its filters."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from formaliza.conversations.models import Message
from formaliza.conversations.services import TemplateInput, template_save
from formaliza.conversations.tests.helpers import deliver
from formaliza.core.testing import run_queued_tasks
from formaliza.core.testing_browser import page_overflow
from formaliza.history.models import PortalSend

pytestmark = pytest.mark.browser
BODY = "Olá {{1}}, sou a VIC e vou ajudar você com a assinatura do seu contrato! Responda SIM."


@pytest.fixture
def template(kit, fake_api, channel):
    components = [{"type": "BODY", "text": BODY}]
    saved = template_save(tenant=kit.tenant, channel_id=channel.pk, data=TemplateInput(
        name="convite_formalizacao", language="pt_BR", category="utility", components=components,
    ))  # fmt: skip
    fake_api.register_template(channel.business_account_id, {
        "name": "convite_formalizacao", "language": "pt_BR", "category": "UTILITY",
        "components": components,
    })  # fmt: skip
    return saved


def test_a_template_sent_by_hand_and_its_report(new_page, kit, fake_api, template):
    page = new_page("phone", user=kit.users["correspondent"])
    page.goto("/historico/portal/")
    page.get_by_label("Telefone (com DDD, sem o zero)").fill("011 98765-4321")
    page.get_by_label("Mensagem (modelo aprovado)").select_option(str(template.pk))
    page.get_by_label("Valores das variáveis (uma por linha, na ordem)").fill("Maria Santos")
    page.get_by_role("button", name="Enviar mensagem").click()
    expect(page.get_by_text("Informe o DDD sem o zero")).to_be_visible()
    assert not Message.objects.exists()

    page.get_by_label("Telefone (com DDD, sem o zero)").fill("(11) 98765-4321")
    page.get_by_role("button", name="Enviar mensagem").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mensagem enviada pelo portal")
    expect(page.locator(".chat")).to_contain_text("Olá Maria Santos, sou a VIC")
    expect(page.locator(".chat")).to_contain_text("Na fila")
    assert page_overflow(page) == 0

    run_queued_tasks()  # the worker sends it through the fake Graph API
    deliver(fake_api)  # which posts sent, delivered and read receipts to our webhook
    run_queued_tasks()
    page.reload()
    expect(page.locator(".chat")).to_contain_text("Lida")
    expect(page.get_by_text("Atualizando os recibos")).to_have_count(0)

    page.get_by_role("link", name="Relatório", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Relatório Portal de Envios")
    row = page.locator("#sent tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("(11) 98765-4321")
    expect(row).to_contain_text("convite_formalizacao")
    expect(row).to_contain_text("Lida")
    expect(row).to_contain_text(kit.users["correspondent"].display_name)
    assert page_overflow(page) == 0

    page.get_by_label("Situação").select_option("failed")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.locator("#sent tbody")).to_contain_text("Nenhum envio no período")
    page.get_by_label("Situação").select_option("read")
    page.get_by_role("button", name="Filtrar").click()
    page.locator("#sent").get_by_role("link", name="Detalhes").click()
    sent = PortalSend.objects.get()
    expect(page).to_have_url(
        f"{page.url.split('/historico/')[0]}/historico/portal/envios/{sent.pk}/"
    )
