"""The pipeline in a real browser: a correspondent finds a client's two proposals on the
Esteira, advances each on "Aprovação Manual de Proposta" (a rejection without a reason is
refused), and approving the last one opens ONE formalization for both."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from formaliza.proposals.models import FormalizationRequest, Proposal
from formaliza.proposals.tests.helpers import typed

pytestmark = pytest.mark.browser


def decide(page, number: str, button: str, expected_message: str) -> None:
    page.goto(f"/esteira/{number}/")
    expect(page.get_by_role("heading", name="Aprovação Manual de Proposta")).to_be_visible()
    page.locator("#approval").get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".messages")).to_contain_text(expected_message)


def test_manual_approval_of_both_proposals_opens_one_formalization(new_page, kit, make_input):
    first, second = typed(kit, make_input, count=2)
    page = new_page("desktop", user=kit.users["correspondent"])
    page.goto("/esteira/")
    page.get_by_label("CPF").fill(first.cpf)
    page.get_by_role("button", name="Filtrar").click()
    rows = page.locator("#pipeline tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("DIGITAÇÃO")
    rows.get_by_role("link", name=first.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Proposta {first.number}")

    # A rejection needs its reason: refused, and nothing changes.
    page.locator("#approval").get_by_role("button", name="Reprova").click()
    expect(page.get_by_text("Informe o motivo na observação.")).to_be_visible()
    expect(page.locator("#activity")).to_have_text("DIGITAÇÃO")

    decide(page, first.number, "Aprova", "Proposta em Aprova início fluxo ASS.")
    expect(page.locator("#activity")).to_have_text("APROVA INÍCIO FLUXO ASS")
    decide(page, second.number, "Aprova", "Proposta em Aprova início fluxo ASS.")
    decide(page, first.number, "Aprova", "Aguardando as demais propostas do cliente")
    expect(page.locator("#approval")).to_contain_text(f"{second.number} — aguardando decisão")
    assert FormalizationRequest.objects.count() == 0

    decide(page, second.number, "Aprova", "aberta: o cliente receberá uma única mensagem")
    request = FormalizationRequest.objects.get()
    expect(page.locator(".messages")).to_contain_text(f"Formalização {request.number} aberta")
    expect(page.locator("#activity")).to_have_text("AGUARDA FORMALIZAÇÃO DIGITAL")
    expect(page.locator("#history li").last).to_contain_text(
        kit.users["correspondent"].display_name
    )
    page.get_by_role("link", name=request.number).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Formalização {request.number}")
    listed = page.locator("section.card ul li")
    expect(listed).to_have_count(2)
    expect(listed.first).to_contain_text("Aguarda formalização digital")
    assert set(re.findall(r"\d+", " ".join(listed.all_inner_texts()))) >= {
        first.number,
        second.number,
    }
    assert set(Proposal.objects.values_list("activity", flat=True)) == {
        "AGUARDA_FORMALIZACAO_DIGITAL"
    }
    page.goto("/esteira/formalizacoes/")
    expect(page.locator("table")).to_contain_text(request.number)
