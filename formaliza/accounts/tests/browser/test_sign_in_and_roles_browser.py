"""Signing in and roles in a real browser: the login form (wrong password, the page asked
for, signing out), what each role's menu offers, and every page outside it refused in pt-BR."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from conftest import PASSWORD
from formaliza.core.navigation import navigation_groups
from formaliza.core.testing_browser import sign_in
from formaliza.core.tests.browser.menu import menu_of

pytestmark = pytest.mark.browser

MENUS = {
    "admin": {
        "Formalização": ["Esteira", "Nova proposta", "Formalizações", "Jornadas", "Pendências",
                         "Conferência facial", "Documentos selados"],
        "Contatos": ["Base de contatos"],
        "Triagem": ["Conferência geral", "Importar pedidos", "Modelos da triagem"],
        "Atendimento": ["Caixa de atendimento", "Conversas", "Simulador"],
        "Histórico e envio": ["Histórico", "Portal de Envio", "Status de finalização"],
        "Casos": ["Meus casos", "Meus clientes", "Novo cálculo", "Meu link de cadastro",
                  "Meus créditos", "Atermações", "Cobranças com divergência",
                  "Documentos de casos"],
        "Fluxos": ["Fluxos", "Configurações dos fluxos"],
        "Configuração": ["Canais", "Modelos de mensagem", "Termos e contratos", "Webhooks",
                         "Chaves de API", "Usuários"],
    },
    "manager": {
        "Formalização": ["Esteira", "Nova proposta", "Formalizações", "Jornadas", "Pendências",
                         "Conferência facial", "Documentos selados"],
        "Contatos": ["Base de contatos"],
        "Triagem": ["Conferência geral", "Importar pedidos", "Modelos da triagem"],
        "Atendimento": ["Caixa de atendimento", "Conversas", "Simulador"],
        "Histórico e envio": ["Histórico", "Portal de Envio", "Status de finalização"],
        "Casos": ["Meus casos", "Meus clientes", "Atermações", "Cobranças com divergência",
                  "Documentos de casos"],
        "Fluxos": ["Fluxos", "Configurações dos fluxos"],
        "Configuração": ["Modelos de mensagem", "Termos e contratos", "Webhooks"],
    },
    "correspondent": {
        "Formalização": ["Esteira", "Nova proposta", "Formalizações"],
        "Atendimento": ["Conversas"],
        "Histórico e envio": ["Histórico", "Portal de Envio"],
    },
    "operator": {
        "Formalização": ["Esteira", "Formalizações", "Jornadas", "Pendências"],
        "Contatos": ["Base de contatos"],
        "Triagem": ["Conferência geral"],
        "Atendimento": ["Caixa de atendimento", "Conversas"],
        "Histórico e envio": ["Histórico", "Portal de Envio"],
        "Casos": ["Meus casos", "Meus clientes", "Atermações", "Cobranças com divergência"],
        "Fluxos": ["Fluxos"],
    },
    "attendant": {"Atendimento": ["Caixa de atendimento", "Conversas"]},
    "agent": {"Casos": ["Meus casos", "Meus clientes", "Novo cálculo", "Meu link de cadastro",
                        "Meus créditos"]},
}  # fmt: skip


def every_entry() -> dict[str, str]:
    """Every page of the whole menu: {label: url}."""
    return {
        label: reverse(url_name)
        for _, entries in navigation_groups(settings.NAVIGATION)
        for label, url_name, _ in entries
    }


def test_signing_in_with_a_wrong_password_then_the_right_one_opens_the_page_asked_for(desktop, kit):
    page = desktop
    page.goto("/historico/")
    expect(page).to_have_url(f"{page.url.split('/conta/')[0]}/conta/entrar/?next=/historico/")
    page.get_by_label("E-mail").fill(kit.users["correspondent"].email)
    page.get_by_label("Senha").fill("senha-errada")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("alert")).to_have_text("E-mail ou senha incorretos.")
    expect(page.get_by_role("link", name="Histórico")).to_have_count(0)  # still signed out

    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Histórico")
    expect(page.locator(".who")).to_contain_text("Correspondente")

    page.get_by_role("button", name="Sair").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entrar no Formaliza")
    page.goto("/historico/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Entrar no Formaliza")


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_sees_its_menu_and_every_other_page_is_refused(new_page, kit, role):
    page = new_page("desktop")
    sign_in(page, email=kit.users[role].email, password=PASSWORD)
    menu = MENUS[role]
    first = next(iter(menu.values()))[0]
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith(every_entry()[first])  # lands on the first page of its menu
    assert menu_of(page) == menu

    offered = {label for labels in menu.values() for label in labels}
    statuses = {label: page.request.get(url).status for label, url in every_entry().items()}
    assert {label for label, status in statuses.items() if status == 200} == offered
    refused = {label for label, status in statuses.items() if status == 403}
    assert refused == set(every_entry()) - offered
    if refused:
        page.goto(every_entry()[sorted(refused)[0]])
        expect(page.get_by_role("heading", level=1)).to_have_text("Acesso negado")
        expect(page.get_by_text("Seu papel não permite acessar esta página.")).to_be_visible()
