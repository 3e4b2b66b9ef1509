"""The manual template send (Envios em massa) in a real browser: invalid phones are refused in
pt-BR next to the field; a valid list goes to the queue and its report page follows the work
(the page polls): sent, failed (an opted-out client) with the reason, and the replies routed
through each contact's flow, in pt-BR labels, on a 360-pixel phone too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from formaliza.accounts.roles import Role
from formaliza.conversations.services import TemplateInput, consent_opt_out, template_save
from formaliza.conversations.services.conversations import handle_for_inbound
from formaliza.core.testing_browser import page_overflow
from formaliza.flows.models import BulkRecipient, BulkSend
from formaliza.flows.services import runtime
from formaliza.flows.services.system import bulk_send_process
from formaliza.flows.testing import card, flow
from formaliza.flows.tests.runtime_helpers import channel_of, client_writes, publish

pytestmark = pytest.mark.browser

CAMPAIGN = flow(
    card("t", "bulk_template", "c", template="renovacao", variables=["{{cliente}}"]),
    card("c", "condition", {"true": "sim", "false": "nao"}, kind="answer", values=["renovar"]),
    card("sim", "end", text="Ótimo! Um consultor vai falar com você."),
    card("nao", "end", text="Tudo bem, obrigado."),
    key="campanha",
)


@pytest.fixture
def campaign(kit):
    channel = channel_of(kit.tenant)
    template_save(
        tenant=kit.tenant, channel_id=channel.pk,
        data=TemplateInput(name="renovacao", language="pt_BR", category="utility", components=[
            {"type": "BODY", "text": "Olá, {{1}}! Seu contrato pode ser renovado."},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Quero renovar"},
                                            {"type": "QUICK_REPLY", "text": "Agora não"}]},
        ]),
    )  # fmt: skip
    consent_opt_out(handle=handle_for_inbound(channel=channel, sender="5521998765432"), source="t")
    return channel, publish(kit.tenant, CAMPAIGN)


def test_send_refuses_bad_phones_then_reports_results_and_replies(new_page, kit, campaign):
    channel, flow_ = campaign
    page = new_page("desktop", user=kit.users[Role.MANAGER])
    page.goto("/fluxos/sistema/envios/")
    page.get_by_label("Fluxo", exact=True).select_option(label=flow_.name)
    page.get_by_label("Canal", exact=True).select_option(label=channel.name)
    phones = page.get_by_label("Telefones (um por linha, com DDD)")
    phones.fill("(11) 98765-4321\n123")
    page.get_by_role("button", name="Enviar").click()
    expect(page.locator(".has-error .error")).to_contain_text("Telefones inválidos: 123")
    assert not BulkSend.objects.exists()

    page.get_by_label("Telefones (um por linha, com DDD)").fill(
        "(11) 98765-4321\n(11) 91234-5678\n(21) 99876-5432"
    )
    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_text("Envio para 3 contatos na fila.")).to_be_visible()
    bulk = BulkSend.objects.get()
    summary = page.locator("#bulk-summary")
    expect(summary).to_have_text("0 enviados, 0 falhas, 0 respostas de 3")

    # The worker sends; the page, polling, shows the results without a reload.
    assert bulk_send_process(bulk_id=bulk.pk) == {"sent": 2, "failed": 1}
    expect(summary).to_have_text("2 enviados, 1 falhas, 0 respostas de 3")
    expect(page.locator("#bulk-status")).to_have_text("Concluído")
    failed = page.locator("#bulk-rows tr", has_text="+5521998765432")
    expect(failed).to_contain_text("Falhou")
    assert BulkRecipient.objects.get(phone="+5521998765432").error
    expect(failed.locator("td").nth(3)).not_to_be_empty()  # the reason is shown

    # Ana taps "Quero renovar": her flow answers and the report shows the reply.
    reply = client_writes(
        channel, kind="template_reply", reply_id="renovar", reply_title="Quero renovar",
        sender="5511987654321",
    )  # fmt: skip
    assert runtime.inbound_message_handle(message_id=reply.pk) == "step"
    page.reload()
    ana = page.locator("#bulk-rows tr", has_text="+5511987654321")
    expect(ana).to_contain_text("Respondeu")
    expect(ana).to_contain_text("renovar")
    expect(summary).to_have_text("2 enviados, 1 falhas, 1 respostas de 3")
    expect(page.locator("#bulk-rows tr", has_text="+5511912345678")).to_contain_text("Enviado")

    # The same report on a phone: readable, no sideways scroll.
    phone = new_page("phone", user=kit.users[Role.MANAGER])
    phone.goto(f"/fluxos/sistema/envios/{bulk.pk}/")
    expect(phone.locator("#bulk-rows tr", has_text="+5511987654321")).to_contain_text("Respondeu")
    assert page_overflow(phone) == 0
