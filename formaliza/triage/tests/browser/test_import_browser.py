"""Importar pedidos in a real browser: a file with a bad row imports nothing and names row and
column; the corrected file imports; an operator may not import."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from formaliza.core.testing_browser import page_overflow
from formaliza.triage.models import CertificateOrder

pytestmark = pytest.mark.browser

HEADER = "Pedido;Cliente;Produto;Celular;Pagamento;Documentos\n"
ROWS = "C-1;Lia Prado;e-CPF A1;11987654321;pago;pendentes\nC-2;Rui Costa;e-CNPJ A1;11 9123;pendente;recebidos\n"


def _upload(page, text: str):
    page.set_input_files(
        "#id_file", {"name": "pedidos.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    page.get_by_role("button", name="Importar").click()


def test_a_bad_row_imports_nothing_then_the_fixed_file_imports(new_page, kit):
    page = new_page("phone", user=kit.users["manager"])
    page.goto("/triagem/")
    page.get_by_role("link", name="Importar pedidos (CSV/XLSX)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importar pedidos")
    page.get_by_role("button", name="Importar").click()
    expect(page.get_by_text("Escolha o arquivo a importar.")).to_be_visible()

    _upload(page, HEADER + ROWS)
    expect(page.locator("#import-errors [role=alert]")).to_have_text(
        "Nada foi importado: corrija 1 erro(s) no arquivo."
    )
    row = page.locator("#import-errors tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("3")
    expect(row).to_contain_text("Celular")
    expect(row).to_contain_text("Celular inválido: use DDD + número.")
    assert page_overflow(page) == 0
    assert not CertificateOrder.objects.exists()

    _upload(page, HEADER + ROWS.replace("11 9123", "11 97654-3210"))
    expect(page.locator("#import-report")).to_contain_text(
        "2 linhas — 2 pedidos novos, 0 atualizados, 0 sem mudança."
    )
    page.get_by_role("link", name="Ver a conferência geral").click()
    expect(page.locator('[data-worklist="documentos"] [data-count="total"]')).to_have_text("1")
    expect(page.locator('[data-worklist="pagamentos"] [data-count="total"]')).to_have_text("1")


def test_an_operator_may_not_import(new_page, kit):
    page = new_page("desktop", user=kit.users["operator"])
    assert page.goto("/triagem/importar/").status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Acesso negado")
