"""The scheduler seen by the operator: the 30-minute escalation (the rules run with a clock
moved 31 minutes on) puts the order at the top of its list as a call task; "Enviar mensagem"
sends the list's template; the manager edits the templates (an unknown variable refused)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from formaliza.conversations.models import Message
from formaliza.conversations.tests.helpers import sms_channel
from formaliza.core import clock
from formaliza.triage.models import MessageTemplate
from formaliza.triage.services import triage_rules_run
from formaliza.triage.tests.helpers import make_order

pytestmark = pytest.mark.browser


def test_thirty_minutes_without_reply_puts_a_call_task_on_top(new_page, kit):
    sms_channel(kit.tenant)
    older = make_order(kit.tenant, "agendar", client_name="Olga Antiga", client_phone="")
    order = make_order(kit.tenant, "agendar", client_name="Nina Nova")
    assert triage_rules_run().acted == {"agendar_message": 2}
    # Olga has no phone: no message possible, a call task at once. Nina got the SMS.
    assert Message.objects.get().body.startswith("Olá, verificamos que o pagamento")
    page = new_page("desktop", user=kit.users["operator"])
    page.goto("/triagem/listas/agendar/")
    rows = page.locator("#orders tbody tr")
    expect(rows.nth(1)).to_contain_text("Nina Nova")
    expect(rows.nth(1)).to_contain_text("Ligar para confirmar agendamento")
    expect(rows.nth(1)).not_to_contain_text("Tarefa de ligação")

    later = clock.now() + dt.timedelta(minutes=31)
    assert triage_rules_run(now=later).acted == {"agendar_escalate": 1}
    assert triage_rules_run(now=later).acted == {}
    page.reload()
    expect(rows.nth(0)).to_contain_text(older.client_name)
    expect(rows.nth(1)).to_contain_text("Tarefa de ligação")
    rows.nth(1).get_by_role("link", name="Nina Nova").click()
    expect(page.locator("#next-step")).to_have_text("Ligar agora (tarefa de ligação)")
    expect(page.locator("#next-step-card")).to_contain_text(
        "sem resposta à mensagem de agendamento em 30 minutos."
    )
    expect(page.locator("#attempts")).to_contain_text("Mensagem (sms) · enviada")
    page.get_by_role("button", name="Ligar para o cliente").click()
    page.select_option("#id_outcome", "sem_resposta")
    page.get_by_role("button", name="Registrar resultado").click()
    expect(page.get_by_text("Resultado registrado.")).to_be_visible()
    order.refresh_from_db()
    assert order.call_task_at is None and Message.objects.count() == 1


def test_send_message_button_and_template_editing(new_page, kit):
    sms_channel(kit.tenant)
    make_order(kit.tenant, "pagamentos", client_name="Paula Pagamento",
               payment_link="https://pag.example.com/b/1")  # fmt: skip
    manager = new_page("desktop", user=kit.users["manager"])
    manager.goto("/triagem/modelos/")
    section = manager.locator('[data-worklist="pagamentos"]')
    expect(section.locator("textarea")).to_contain_text("boleto")
    section.locator("textarea").fill("Oi {nome}, segue o pagamento: {boleto}")
    manager.get_by_role("button", name="Salvar modelos").click()
    expect(section).to_contain_text("Variável desconhecida: {boleto}.")
    assert not MessageTemplate.objects.exists()
    section.locator("textarea").fill("Oi {nome}, segue o pagamento: {dados_pagamento}")
    manager.get_by_role("button", name="Salvar modelos").click()
    expect(manager.get_by_text("Modelos salvos.")).to_be_visible()

    page = new_page("desktop", user=kit.users["operator"])
    page.goto("/triagem/listas/pagamentos/")
    page.get_by_role("link", name="Paula Pagamento").click()
    page.get_by_role("button", name="Enviar mensagem").click()
    expect(page.get_by_text("Mensagem enviada por sms.")).to_be_visible()
    expect(page.locator("#next-step")).to_have_text("Ligar para reforçar a cobrança")
    assert Message.objects.get().body == "Oi Paula, segue o pagamento: https://pag.example.com/b/1"


def test_ask_the_accountant_by_email(new_page, kit):
    from formaliza.conversations.services import ChannelInput, channel_create

    channel_create(tenant=kit.tenant, data=ChannelInput(
        name="E-mail", kind="email", provider="email", sender_id="Triagem <t@example.com>"))  # fmt: skip
    make_order(kit.tenant, "documentos", client_name="Davi Empresa",
               accountant_email="contabil@example.com")  # fmt: skip
    page = new_page("desktop", user=kit.users["operator"])
    page.goto("/triagem/listas/documentos/")
    page.get_by_role("link", name="Davi Empresa").click()
    page.get_by_role("button", name="Solicitar à contabilidade").click()
    expect(
        page.get_by_text("E-mail enviado à contabilidade (contabil@example.com).")
    ).to_be_visible()
    expect(page.locator("#attempts")).to_contain_text("Contabilidade (email)")
    expect(page.get_by_role("button", name="Ligar para o cliente")).to_be_visible()  # not blocked
    message = Message.objects.get()
    assert message.channel.kind == "email" and "Davi Empresa" in message.body
