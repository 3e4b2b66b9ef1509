"""The operators' triage pages in a real browser: the conferência geral with the four lists,
each list, an order with its call (tel: link), the required outcome, a contact recorded by
hand, the assignment, and another tenant's order (404)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from formaliza.core.testing_browser import page_overflow
from formaliza.triage.models import CertificateOrder
from formaliza.triage.tests.helpers import make_order

pytestmark = pytest.mark.browser


def _lists(kit):
    return {
        "reagendar": make_order(kit.tenant, "reagendar", client_name="Rita Reagenda"),
        "documentos": make_order(kit.tenant, "documentos", client_name="Davi Documentos"),
        "pagamentos": make_order(kit.tenant, "pagamentos", client_name="Paula Pagamento"),
        "agendar": make_order(kit.tenant, "agendar", client_name="Ana Agenda"),
    }


def test_conferencia_geral_shows_the_four_lists_and_each_list_opens(new_page, kit):
    _lists(kit)
    make_order(kit.tenant, "pagamentos", client_name="Pedro Pagamento")
    page = new_page("phone", user=kit.users["operator"])
    page.goto("/triagem/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Conferência geral")
    tiles = page.locator("#worklists [data-worklist]")
    expect(tiles).to_have_count(4)
    totals = {
        w: page.locator(f'[data-worklist="{w}"] [data-count="total"]').inner_text()
        for w in ("reagendar", "documentos", "pagamentos", "agendar")
    }
    assert totals == {"reagendar": "1", "documentos": "1", "pagamentos": "2", "agendar": "1"}
    expect(page.locator('[data-worklist="pagamentos"] figcaption')).to_contain_text("entraram (2)")
    assert page_overflow(page) == 0
    for label, name, step in (
        ("Reagendar (não compareceram)", "Rita Reagenda", "Ligar para reagendar"),
        ("Documentos pendentes", "Davi Documentos", "Ligar para solicitar documentos"),
        ("Pagamentos pendentes", "Paula Pagamento", "Enviar mensagem de cobrança cordial"),
        ("Sem agendamento, com pagamento e documentos", "Ana Agenda",
         "Enviar mensagem para agendamento"),
    ):  # fmt: skip
        page.goto("/triagem/")
        page.get_by_role("link", name=label, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(label)
        row = page.locator("#orders tr", has_text=name)
        expect(row).to_contain_text(step)
        expect(row).to_contain_text("nenhum")  # no contact yet
        assert page_overflow(page) == 0


def test_a_call_needs_its_outcome_then_the_order_waits_for_the_follow_up(new_page, kit):
    orders = _lists(kit)
    page = new_page("desktop", user=kit.users["operator"])
    page.goto("/triagem/listas/documentos/")
    page.get_by_role("link", name="Davi Documentos").click()
    expect(page.locator("#next-step")).to_have_text("Ligar para solicitar documentos")
    page.get_by_role("button", name="Ligar para o cliente").click()
    expect(page.locator("#outcome h2")).to_have_text("Registre o resultado do contato")
    expect(page.locator("#dial")).to_have_attribute("href", "tel:+5511987654321")
    expect(page.get_by_role("button", name="Ligar para o cliente")).to_have_count(0)

    page.get_by_role("button", name="Registrar resultado").click()
    expect(page.locator("#outcome-form")).to_contain_text("Escolha o resultado do contato.")
    page.select_option("#id_outcome", "reagendado")
    page.get_by_role("button", name="Registrar resultado").click()
    expect(page.locator("#outcome-form")).to_contain_text(
        "Informe o novo horário combinado com o cliente."
    )
    page.select_option("#id_outcome", "sem_resposta")
    page.get_by_role("button", name="Registrar resultado").click()
    expect(page.get_by_text("Resultado registrado.")).to_be_visible()
    expect(page.locator("#next-step")).to_have_text("Enviar mensagem solicitando documentos")
    expect(page.locator("#follow-up")).to_contain_text("Aguardando retorno")
    expect(page.locator("#events")).to_contain_text("Resultado: Sem resposta / não atendeu.")
    expect(page.locator("#attempts")).to_contain_text("Ligação (phone) · Sem resposta")

    page.goto("/triagem/listas/documentos/")
    expect(page.locator("#orders")).to_contain_text("Nenhum pedido nesta lista")
    page.get_by_label("Aguardando retorno").check()
    page.get_by_role("button", name="Filtrar").click()
    expect(page.locator("#orders tr", has_text="Davi Documentos")).to_contain_text("retorno em")
    order = CertificateOrder.objects.get(pk=orders["documentos"].pk)
    assert order.attempts.get().outcome == "sem_resposta" and order.follow_up_at is not None


def test_a_contact_recorded_by_hand_moves_the_playbook_and_assignment_filters(new_page, kit):
    _lists(kit)
    operator = kit.users["operator"]
    page = new_page("desktop", user=operator)
    page.goto("/triagem/listas/pagamentos/")
    page.get_by_role("link", name="Paula Pagamento").click()
    page.select_option("#id_kind", "message")
    page.select_option("#contact-form #id_outcome", "pendente_pagamento")
    page.fill("#contact-form #id_note", "Enviei o Pix pelo WhatsApp.")
    page.get_by_role("button", name="Registrar contato").click()
    expect(page.get_by_text("Contato e resultado registrados.")).to_be_visible()
    expect(page.locator("#next-step")).to_have_text("Ligar para reforçar a cobrança")
    expect(page.locator("#last-contact")).to_contain_text("há")

    page.select_option("#id_assignee", str(operator.pk))
    page.get_by_role("button", name="Salvar responsável").click()
    expect(page.get_by_text("Responsável atualizado.")).to_be_visible()
    expect(page.locator("#events")).to_contain_text(f"Responsável: {operator.display_name}.")
    page.goto("/triagem/listas/pagamentos/?responsavel=meus")
    expect(page.locator("#orders tbody tr")).to_have_count(1)
    page.goto("/triagem/listas/agendar/?responsavel=meus")
    expect(page.locator("#orders")).to_contain_text("Nenhum pedido nesta lista")


def test_another_tenants_operator_gets_404_and_an_attendant_403(new_page, kit, other_kit):
    order = _lists(kit)["agendar"]
    page = new_page("desktop", user=other_kit.users["operator"])
    response = page.goto(f"/triagem/pedidos/{order.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Não encontrado")
    expect(page.get_by_text("Pedido não encontrado.")).to_be_visible()
    page.goto("/triagem/listas/agendar/")
    expect(page.locator("#orders")).to_contain_text("Nenhum pedido nesta lista")
    attendant = new_page("desktop", user=kit.users["attendant"])
    assert attendant.goto("/triagem/").status == 403
