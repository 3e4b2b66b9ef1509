"""The history in a real browser: the seed's filters (period, CPF; wrong input refused in
pt-BR), the transcript and its downloads, and the result list exported as CSV and XLSX (small
lists at once, large ones in the background with a progress bar) whose rows are the rows the
page listed."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from formaliza.core.testing import run_queued_tasks
from formaliza.history.tests.conftest import at

pytestmark = pytest.mark.browser
CPF = "52998224725"


@pytest.fixture
def chats(corpus, kit):
    maria = corpus.conversation(
        opened_at=at("2026-03-10", "09:15"), name="Maria Santos", cpf=CPF,
        keys=[("contract", "CTR-778899")], finalization="assinado", department="Formalização",
    )  # fmt: skip
    corpus.message(maria, "Oi, recebi o link do contrato.", at=at("2026-03-10", "09:15"))
    corpus.message(maria, "Olá, Maria! Pode assinar pelo link.", inbound=False,
                   at=at("2026-03-10", "09:16"))  # fmt: skip
    joao = corpus.conversation(
        opened_at=at("2026-03-12", "14:00"), name="João Pereira", phone="+5521998765432",
        department="Suporte",
    )  # fmt: skip
    corpus.message(joao, "Quero falar com um atendente.", at=at("2026-03-12", "14:00"))
    corpus.conversation(opened_at=at("2026-01-05"), name="Fora do Período", phone="+5511900001111")
    return maria, joao


def search(page, **fields) -> list[str]:
    """Fill the filters (label: value), search, and return the listed protocols."""
    page.goto("/historico/")
    for label, value in {
        "Período (de)": "2026-03-01",
        "Período (a)": "2026-03-20",
        **fields,
    }.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Histórico")
    return [t.strip() for t in page.locator("#results tbody tr td:nth-child(7)").all_inner_texts()]


def download(page, button) -> bytes:
    with page.expect_download() as info:
        button.click()
    return Path(info.value.path()).read_bytes()


def test_filters_find_the_conversations_and_refuse_bad_input(new_page, kit, chats):
    maria, joao = chats
    page = new_page("desktop", user=kit.users["correspondent"])
    assert search(page) == [joao.protocol, maria.protocol]
    expect(page.locator("#labels")).to_contain_text("Assinado 1")
    assert search(page, **{"CPF (completo)": CPF}) == [maria.protocol]
    assert search(page, **{"Número do contrato (completo)": "CTR-778899"}) == [maria.protocol]
    assert search(page, **{"Número (com DDD)": "(21) 99876-5432"}) == [joao.protocol]

    assert search(page, **{"CPF (completo)": "529.982"}) == []
    expect(page.get_by_text("CPF inválido: informe os 11 dígitos")).to_be_visible()
    assert search(page, **{"Período (a)": "2026-05-20"}) == []
    expect(page.locator("#history-filters")).to_contain_text("30 dias")


def test_the_transcript_and_its_text_and_pdf_downloads(new_page, kit, chats):
    maria, _ = chats
    page = new_page("desktop", user=kit.users["correspondent"])
    search(page, **{"CPF (completo)": CPF})
    page.locator("#results").get_by_role("link", name="Visualizar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Atendimento {maria.protocol}")
    expect(page.get_by_text("Sessão iniciada em 10/03/2026 09:15:00")).to_be_visible()
    bubbles = page.locator("#chat li")
    expect(bubbles).to_have_count(2)
    expect(bubbles.first).to_contain_text("Cliente")
    expect(bubbles.first).to_contain_text("Oi, recebi o link do contrato.")
    expect(bubbles.last).to_contain_text("Auto")

    text = download(page, page.get_by_role("link", name="Baixar texto")).decode()
    assert f"Atendimento {maria.protocol}" in text
    assert "[10/03/2026 09:15:00] Cliente: Oi, recebi o link do contrato." in text
    assert "[10/03/2026 09:16:00] Auto: Olá, Maria! Pode assinar pelo link." in text
    pdf = download(page, page.get_by_role("link", name="Baixar PDF"))
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert maria.protocol in words and "recebi o link do contrato" in words


def test_the_exported_lists_hold_the_rows_the_page_listed(new_page, kit, chats, settings):
    page = new_page("desktop", user=kit.users["correspondent"])
    listed = search(page)
    data = download(page, page.get_by_role("button", name="Baixar histórico (CSV)"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Protocolo", "Iniciado em"]
    assert [r[0] for r in rows[1:]] == listed
    assert rows[-1][1:2] == ["10/03/2026 09:15:00"] and rows[-1][3] == "Assinado"

    search(page)
    book = load_workbook(io.BytesIO(download(
        page, page.get_by_role("button", name="Baixar histórico (XLSX)")
    )))  # fmt: skip
    assert [r[0] for r in book.active.iter_rows(min_row=2, values_only=True)] == listed

    # A list larger than the immediate limit is made in the background, with a progress bar.
    settings.HISTORY_EXPORT_SYNC_MAX_ROWS = 1
    search(page)
    page.get_by_role("button", name="Baixar histórico (CSV)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exportação do histórico (CSV)")
    run_queued_tasks()
    expect(page.locator("#export-text")).to_contain_text("Pronto — 2 de 2 atendimentos")
    later = download(page, page.get_by_role("link", name="Baixar arquivo"))
    assert later == data
