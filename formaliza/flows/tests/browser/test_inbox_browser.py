"""The attendants' inbox in a real browser, on a 360-pixel phone (where an attendant may well
work) and on a desktop: a conversation the triage flow transferred waits in its department's
queue; the attendant takes it, answers, transfers it to another department (with a note), the
other attendant takes it and finishes it. Each step is checked on the page and in the database.
Also: the formalization assistant waiting on a conversation the attendant holds is started
from the inbox by the attendant's decision."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from formaliza.accounts.roles import Role
from formaliza.conversations.models import (
    Conversation,
    ConversationNote,
    Department,
    FinalizationStatus,
    Message,
)
from formaliza.conversations.services import inbox
from formaliza.core.testing_browser import page_overflow
from formaliza.flows.models import Flow, FlowRun
from formaliza.flows.services import runtime
from formaliza.flows.testing import card, flow
from formaliza.flows.tests.runtime_helpers import channel_of, client_writes, publish

pytestmark = pytest.mark.browser

TRIAGE = flow(
    card("d", "description", "t", text="Conte o que precisa."),
    card("t", "transfer", department="Financeiro", note="Cliente pediu boleto"),
    key="triagem",
)


@pytest.fixture
def queued(kit):
    channel = channel_of(kit.tenant)
    Department.objects.create(tenant=kit.tenant, name="Financeiro")
    Department.objects.create(tenant=kit.tenant, name="Suporte")
    FinalizationStatus.objects.create(tenant=kit.tenant, name="Resolvido")
    publish(kit.tenant, TRIAGE, trigger=Flow.Trigger.INBOUND)
    first = client_writes(channel, "oi")
    runtime.inbound_message_handle(message_id=first.pk)
    second = client_writes(channel, "Quero a segunda via do boleto")
    runtime.inbound_message_handle(message_id=second.pk)
    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert conversation.handler == "queue"
    return conversation


def in_chat(page, text):
    return page.locator("div.text", has_text=text)


def in_notes(page, text):
    return page.locator("ul.notes li", has_text=text)


def no_sideways_scroll(page):
    assert page_overflow(page) == 0, f"{page.url} scrolls sideways"


def test_take_answer_transfer_and_finish_on_a_phone(new_page, kit, queued):
    attendant = kit.users[Role.ATTENDANT]
    page = new_page("phone", user=attendant)

    page.goto("/atendimento/")
    page.get_by_role("link", name="Financeiro").click()
    row = page.locator("tbody tr", has_text=queued.protocol)
    expect(row).to_contain_text("aguardando")
    no_sideways_scroll(page)
    row.get_by_role("link", name=queued.protocol).click()
    expect(in_chat(page, "Quero a segunda via do boleto")).to_be_visible()
    expect(in_notes(page, "Cliente pediu boleto")).to_be_visible()  # the flow's note
    no_sideways_scroll(page)

    # Take.
    page.get_by_role("button", name="Assumir atendimento").click()
    expect(page.get_by_text("Atendimento assumido.")).to_be_visible()
    queued.refresh_from_db()
    assert (queued.handler, queued.assignee_id) == ("agent", attendant.pk)
    expect(page.get_by_role("button", name="Assumir atendimento")).to_have_count(0)

    # Answer (inside the 24-hour window: free text).
    page.get_by_label("Mensagem", exact=True).fill("Claro! Vou gerar a segunda via agora.")
    page.get_by_role("button", name="Enviar", exact=True).click()
    expect(
        page.locator(".chat, main").get_by_text("Vou gerar a segunda via agora.")
    ).to_be_visible()
    sent = Message.objects.filter(conversation=queued, direction=Message.Direction.OUTBOUND)
    assert sent.filter(body="Claro! Vou gerar a segunda via agora.").exists()
    no_sideways_scroll(page)

    # Transfer to Suporte with a note: back in a queue, nobody holds it.
    page.get_by_label("Setor", exact=True).select_option(label="Suporte")
    page.get_by_label("Observação para o setor").fill("Boleto vencido, verificar juros")
    page.get_by_role("button", name="Transferir").click()
    expect(page.get_by_text("Atendimento transferido.")).to_be_visible()
    queued.refresh_from_db()
    assert (queued.department.name, queued.handler, queued.assignee_id) == (
        "Suporte",
        "queue",
        None,
    )
    note = ConversationNote.objects.filter(conversation=queued, kind="transfer").last()
    assert "Suporte" in note.text and "Boleto vencido, verificar juros" in note.text
    expect(in_notes(page, "Boleto vencido, verificar juros")).to_be_visible()

    # Another attendant takes it from the Suporte queue and finishes it.
    manager = kit.users[Role.MANAGER]
    other = new_page("phone", user=manager)
    other.goto("/atendimento/")
    other.get_by_role("link", name="Suporte").click()
    other.get_by_role("link", name=queued.protocol).click()
    other.get_by_role("button", name="Assumir atendimento").click()
    expect(other.get_by_text("Atendimento assumido.")).to_be_visible()
    other.get_by_label("Status de finalização").select_option(label="Resolvido")
    other.get_by_role("button", name="Finalizar atendimento").click()
    expect(other.get_by_text("Atendimento finalizado.")).to_be_visible()
    queued.refresh_from_db()
    assert queued.status == "closed" and queued.finalization.name == "Resolvido"
    assert queued.finished_by_id == manager.pk
    expect(other.get_by_role("button", name="Enviar", exact=True)).to_have_count(0)
    no_sideways_scroll(other)


def test_two_attendants_cannot_both_take_it(new_page, kit, queued):
    first = new_page("desktop", user=kit.users[Role.ATTENDANT])
    second = new_page("desktop", user=kit.users[Role.MANAGER])
    for page in (first, second):
        page.goto(f"/atendimento/{queued.protocol}/")
    first.get_by_role("button", name="Assumir atendimento").click()
    expect(first.get_by_text("Atendimento assumido.")).to_be_visible()
    second.get_by_role("button", name="Assumir atendimento").click()
    expect(second.get_by_text("Este atendimento já está com")).to_be_visible()
    queued.refresh_from_db()
    assert queued.assignee_id == kit.users[Role.ATTENDANT].pk


def test_the_attendant_starts_the_pending_assistant_on_a_phone(new_page, kit, queued):
    attendant = kit.users[Role.ATTENDANT]
    inbox.inbox_take(actor=kit.actor(Role.ATTENDANT), conversation_id=queued.pk)
    formalization = publish(
        kit.tenant,
        flow(card("oi", "end", text="Olá, sou a assistente de formalização."), key="form-teste"),
        trigger=Flow.Trigger.FORMALIZATION,
    )
    pending = FlowRun.objects.create(
        tenant=kit.tenant, conversation=queued, flow=formalization, version=formalization.live,
        status=FlowRun.Status.PENDING, context={"journey": "j-1", "formalization": "F-1"},
    )  # fmt: skip
    inbox.note_add(
        conversation=queued, kind="note", run_id=pending.pk,
        text="Formalização F-1: o assistente de formalização não foi iniciado.",
    )  # fmt: skip

    page = new_page("phone", user=attendant)
    page.goto(f"/atendimento/{queued.protocol}/")
    expect(in_notes(page, "Formalização F-1: o assistente")).to_be_visible()
    expect(page.get_by_text("está aguardando a sua decisão")).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_role("button", name="Iniciar assistente de formalização").click()

    expect(page.get_by_text("Atendimento passado ao assistente de formalização.")).to_be_visible()
    expect(in_chat(page, "Olá, sou a assistente de formalização.")).to_be_visible()
    expect(page.get_by_role("button", name="Iniciar assistente de formalização")).to_have_count(0)
    queued.refresh_from_db()
    pending.refresh_from_db()
    assert pending.status == "ended"
    started = FlowRun.objects.exclude(pk=pending.pk).get(conversation=queued, flow=formalization)
    assert started.context["journey"] == "j-1" and started.context["started_by"] == attendant.pk
