"""The ERP settings page in a real browser: an admin picks IXC, forgets the token (the pt-BR
error next to the field, nothing saved), fills it, saves, sees which ERP actions exist, tests
the connection against the fake IXC (success), then with the token changed in the ERP (the
failure told); the token never comes back in the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from formaliza.accounts.roles import Role
from formaliza.core.testing_browser import page_overflow
from formaliza.erp.fake.ixc import FakeIxc
from formaliza.erp.models import ErpAccount

pytestmark = pytest.mark.browser


@pytest.fixture
def ixc(kit, settings):
    fake = FakeIxc().start()
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    kit.tenant.outbound_allowlist = ["127.0.0.1"]
    kit.tenant.save()
    yield fake
    fake.stop()


def test_configure_ixc_and_test_the_connection(new_page, kit, ixc):
    page = new_page("desktop", user=kit.users[Role.ADMIN])
    page.goto("/fluxos/sistema/erp/")
    expect(page.locator("#erp-status")).to_contain_text("Nenhum ERP configurado")
    page.get_by_label("Sistema (ERP)").select_option("ixc")
    page.get_by_label("Endereço da API").fill(ixc.url)
    page.get_by_label("Usuário / ID do usuário").fill(ixc.user)
    page.get_by_role("button", name="Salvar").click()
    expect(page.get_by_text("Informe “Token”.")).to_be_visible()
    assert not ErpAccount.objects.filter(tenant=kit.tenant).exists()

    page.get_by_label("Senha / Token / Contra-senha").fill(ixc.token)
    page.get_by_role("button", name="Salvar").click()
    expect(page.get_by_text("ERP salvo.")).to_be_visible()
    expect(page.locator("#erp-status")).to_contain_text("IXC Provedor")
    expect(page.locator("#erp-actions")).to_contain_text("Abrir atendimento: disponível")
    expect(page.locator("#erp-actions")).to_contain_text("Alterar Wi-Fi (ACS): indisponível")
    assert ixc.token not in page.content()

    page.get_by_role("button", name="Testar conexão").click()
    expect(page.get_by_text("Conexão com o IXC Provedor funcionando.")).to_be_visible()
    ixc.token = "trocado-no-ixc"
    page.get_by_role("button", name="Testar conexão").click()
    expect(page.get_by_text("Falha ao testar a conexão (auth)")).to_be_visible()
    assert not page_overflow(page)
