"""Flows in a real browser: importing a file with problems shows the pt-BR problem list and
imports nothing; a valid file is drawn (the diagram's cards, its warnings); the trigger is
edited on the page (a trigger another flow holds is refused next to the field); the draft is
published; after a second version, rolling back on the versions page makes version 1 live
again and the draft (checked on the page and in the database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from formaliza.accounts.roles import Role
from formaliza.core.testing_browser import page_overflow
from formaliza.flows import format as flow_format
from formaliza.flows.models import Flow, FlowVersion
from formaliza.flows.services.definitions import flow_import, flow_trigger_set
from formaliza.flows.testing import card, flow

pytestmark = pytest.mark.browser


def greeting(text: str = "Olá, {{cliente}}!") -> dict:
    return flow(
        card("oi", "message", "desc", text=text),
        card("desc", "description", "fim"),
        card("fim", "end", text="Obrigado."),
        key="boas-vindas",
    )


def paste_and_import(page, data) -> None:
    page.goto("/fluxos/importar/json/")
    page.get_by_label("ou cole o JSON").fill(data if isinstance(data, str) else json.dumps(data))
    page.get_by_role("button", name="Importar").click()


def test_import_with_problems_then_draw_trigger_publish_and_rollback(new_page, kit):
    manager = kit.users[Role.MANAGER]
    page = new_page("desktop", user=manager)

    # A file with problems: the list in pt-BR, nothing imported.
    broken = greeting()
    broken["cards"][0]["next"] = "nao-existe"
    broken["cards"].append({"id": "x", "type": "tipo-inventado"})
    paste_and_import(page, broken)
    alert = page.get_by_role("alert").filter(has_text="nada foi importado")
    expect(alert).to_be_visible()
    expect(alert.locator("li")).not_to_have_count(0)
    expect(alert).to_contain_text("tipo-inventado")
    assert not Flow.objects.filter(tenant=kit.tenant).exists()
    paste_and_import(page, "{isto não é json")
    expect(page.get_by_role("alert").filter(has_text="nada foi importado")).to_be_visible()
    assert not Flow.objects.filter(tenant=kit.tenant).exists()

    # A valid file: created, and drawn.
    paste_and_import(page, greeting())
    expect(page.get_by_text("criado.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("rascunho")
    diagram = page.get_by_role("region", name="Diagrama")
    for card_id in ("oi", "desc", "fim"):
        expect(diagram.locator(f"#card-{card_id}")).to_be_visible()
    created = Flow.objects.get(tenant=kit.tenant, key="boas-vindas")
    assert created.live is None

    # The trigger: another flow already has "new conversations" — refused next to the field.
    holder = flow_import(
        tenant=kit.tenant, actor=kit.actor(Role.MANAGER), data={**greeting(), "key": "outro"}
    ).flow
    flow_trigger_set(flow=holder, actor=kit.actor(Role.MANAGER), trigger="inbound")
    trigger = page.get_by_label("Início", exact=True)
    trigger.select_option("inbound")
    page.get_by_role("button", name="Salvar início").click()
    expect(page.locator(".has-error .error")).to_contain_text("já é o fluxo de")
    created.refresh_from_db()
    assert created.trigger == "manual"
    # Free it, and this flow takes it.
    flow_trigger_set(flow=holder, actor=kit.actor(Role.MANAGER), trigger="manual")
    page.get_by_label("Início", exact=True).select_option("inbound")
    page.get_by_role("button", name="Salvar início").click()
    expect(
        page.get_by_text("Início do fluxo: Novo atendimento iniciado pelo cliente.")
    ).to_be_visible()
    expect(page.get_by_text("ainda não foi publicado")).to_be_visible()
    created.refresh_from_db()
    assert created.trigger == "inbound"
    expect(page.locator(".kv")).to_contain_text("Novo atendimento iniciado pelo cliente")

    # Publish v1.
    page.get_by_label("Observação (opcional)").fill("primeira")
    page.get_by_role("button", name="Publicar nova versão").click()
    expect(page.get_by_text("Versão 1 publicada e em uso.")).to_be_visible()
    created.refresh_from_db()
    assert created.live.number == 1 and created.live.note == "primeira"

    # A new draft (update over the same key), published as v2.
    paste_and_import(page, greeting(text="Versão dois"))
    expect(page.get_by_text("Já existe um fluxo com a chave")).to_be_visible()
    page.get_by_label("Atualizar o rascunho do fluxo existente com esta chave").check()
    page.get_by_role("button", name="Importar").click()
    expect(page.get_by_text("atualizado (rascunho)")).to_be_visible()
    page.get_by_role("button", name="Publicar nova versão").click()
    expect(page.get_by_text("Versão 2 publicada e em uso.")).to_be_visible()

    # Roll back to v1 on the versions page.
    page.get_by_role("link", name="Versões").click()
    row1 = page.locator("tbody tr", has_text="v1")
    row2 = page.locator("tbody tr", has_text="v2")
    expect(row2).to_contain_text("em uso")
    row1.get_by_role("button", name="Voltar para esta versão").click()
    expect(page.get_by_text("A versão 1 voltou a ser usada")).to_be_visible()
    expect(page.locator("tbody tr", has_text="v1")).to_contain_text("em uso")
    expect(page.locator("tbody tr", has_text="v2").get_by_text("em uso")).to_have_count(0)
    created.refresh_from_db()
    v1 = FlowVersion.objects.get(flow=created, number=1)
    assert created.live == v1 and created.draft == v1.document
    assert created.draft["cards"][0]["settings"]["text"] == "Olá, {{cliente}}!"
    assert FlowVersion.objects.filter(flow=created).count() == 2

    # The draft's export is v1's document; publishing it changes nothing.
    page.get_by_role("link", name="Rascunho e diagrama").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Exportar rascunho").click()
    exported = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert flow_format.checksum(exported) == v1.checksum
    page.get_by_role("button", name="Publicar nova versão").click()
    expect(page.get_by_text("nada foi publicado")).to_be_visible()
    assert FlowVersion.objects.filter(flow=created).count() == 2


def test_flow_pages_on_a_phone_and_read_only_for_an_operator(new_page, kit):
    created = flow_import(tenant=kit.tenant, actor=kit.actor(Role.MANAGER), data=greeting()).flow
    page = new_page("phone", user=kit.users[Role.OPERATOR])
    page.goto(f"/fluxos/{created.key}/")
    expect(page.get_by_role("region", name="Diagrama")).to_be_visible()
    assert page_overflow(page) == 0
    # No manage forms for an operator (view permission only).
    expect(page.get_by_role("button", name="Salvar início")).to_have_count(0)
    expect(page.get_by_role("button", name="Publicar nova versão")).to_have_count(0)
