"""AR digital's "Reenviar mensagem" in Chromium: a bounced e-mail resent to a corrected
address (the bad one refused in pt-BR first), the new send in the AR tab, the activity and the
mail server; an SMS resent to its original number; a WhatsApp message offers no resend."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from formaliza.acceptance.models import CertifiedMessage, ContactActivity
from formaliza.acceptance.services import certified_send
from formaliza.acceptance.tests.helpers import email_channel, person, sms_channel
from formaliza.accounts.roles import Role
from formaliza.conversations.models import ContactHandle, Message
from formaliza.conversations.ports import StatusUpdate
from formaliza.conversations.services import ChannelInput, channel_create, status_record
from formaliza.conversations.services.conversations import handle_for_outbound
from formaliza.core import clock
from formaliza.core.testing import run_queued_tasks
from formaliza.evidence.models import EvidenceEvent

pytestmark = pytest.mark.browser


@pytest.fixture
def maria(kit):
    return person(kit.tenant)


def ar_tab(page, contact):
    page.goto(f"/contatos/{contact.public_id}/?aba=ar")
    return page.locator("#tab-ar tr.certified")


def test_resend_a_bounced_email_to_a_corrected_address(new_page, kit, maria):
    email = email_channel(kit.tenant)
    original = certified_send(
        actor=kit.actor(Role.OPERATOR), contact=maria, channel=email, address="maria@exampel.com",
        subject="Aviso de renovação", text="Seu contrato foi renovado até 2027.",
    )  # fmt: skip
    run_queued_tasks()  # handed to the mail server (accepted), then it bounces
    message = Message.objects.get(pk=original.message_id)
    status_record(channel=email, update=StatusUpdate(
        provider_message_id=message.provider_message_id, status="failed", timestamp=clock.now(),
        error_code="not_delivered", error_title="Domínio inexistente (550 5.1.2)",
    ))  # fmt: skip
    mail.outbox.clear()

    page = new_page("desktop", user=kit.users[Role.OPERATOR])
    rows = ar_tab(page, maria)
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Não entregue: Domínio inexistente (550 5.1.2)")
    rows.get_by_role("link", name="Reenviar mensagem").click()
    expect(page.get_by_role("heading", name="Reenviar mensagem")).to_be_visible()
    expect(page.locator("section.card").first).to_contain_text(
        "Seu contrato foi renovado até 2027."
    )
    form = page.locator("#resend-form")
    expect(form.get_by_label("Canal")).to_contain_text("E-mail")
    form.get_by_label("Enviar para").fill("maria@")
    form.get_by_role("button", name="Reenviar").click()
    expect(page.locator("#resend-form [role=alert]")).to_have_text("E-mail inválido.")
    assert CertifiedMessage.objects.count() == 1  # nothing sent

    page.locator("#resend-form").get_by_label("Enviar para").fill("Maria@Example.com")
    page.locator("#resend-form").get_by_role("button", name="Reenviar").click()
    page.wait_for_url(f"**/contatos/{maria.public_id}/?aba=ar")
    expect(page.locator("body")).to_contain_text("Mensagem reenviada para maria@example.com.")
    rows = page.locator("#tab-ar tr.certified")
    expect(rows).to_have_count(2)
    resent_row = rows.filter(has_text="maria@example.com")
    expect(resent_row).to_contain_text("Seu contrato foi renovado até 2027.")
    expect(resent_row).not_to_contain_text("Não entregue")
    expect(resent_row.get_by_role("link", name="Visualizar laudo")).to_be_visible()

    resent = CertifiedMessage.objects.get(resent_from=original)
    assert (resent.channel, resent.address, resent.subject) == (
        "email", "maria@example.com", "Aviso de renovação",
    )  # fmt: skip
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [["maria@example.com"]]
    assert "Seu contrato foi renovado até 2027." in mail.outbox[0].body
    assert mail.outbox[0].subject == "Aviso de renovação"
    assert EvidenceEvent.objects.filter(kind="message.resent").count() == 1
    page.goto(f"/contatos/{maria.public_id}/?aba=atividades")
    expect(page.locator("#tab-atividades")).to_contain_text(
        "Mensagem reenviada por E-mail para maria@example.com"
    )


def test_resend_an_sms_to_its_number_and_no_resend_for_whatsapp(new_page, kit, maria):
    sms = sms_channel(kit.tenant)
    certified_send(actor=kit.actor(Role.OPERATOR), contact=maria, channel=sms,
                   address="11 98765-4321", text="Seu boleto vence amanhã.")  # fmt: skip
    whatsapp = channel_create(tenant=kit.tenant, data=ChannelInput(
        name="WhatsApp", kind="whatsapp", provider="fake", phone_number_id="5511900000000",
        access_token="meta-token", app_secret="meta-secret",
    ))  # fmt: skip
    activity_before = ContactActivity.objects.count()
    page = new_page("desktop", user=kit.users[Role.OPERATOR])
    rows = ar_tab(page, maria)
    rows.filter(has_text="Seu boleto").get_by_role("link", name="Reenviar mensagem").click()
    form = page.locator("#resend-form")
    expect(form.get_by_label("Canal")).to_contain_text("SMS")
    expect(form.get_by_label("Canal").locator("option")).to_have_count(1)  # SMS → SMS only
    form.get_by_label("Enviar para").fill("11 3333-4444")  # a landline
    form.get_by_role("button", name="Reenviar").click()
    expect(page.locator("#resend-form [role=alert]")).to_have_text(
        "Celular inválido: informe DDD e número de um celular."
    )
    page.locator("#resend-form").get_by_label("Enviar para").fill("")  # the original number
    page.locator("#resend-form").get_by_role("button", name="Reenviar").click()
    page.wait_for_url(f"**/contatos/{maria.public_id}/?aba=ar")
    expect(page.locator("body")).to_contain_text("Mensagem reenviada para +5511987654321.")
    expect(page.locator("#tab-ar tr.certified")).to_have_count(2)
    sms_messages = Message.objects.filter(channel=sms, body__startswith="Seu boleto vence")
    assert sms_messages.count() == 2 and ContactActivity.objects.count() == activity_before + 1

    # The client wrote on WhatsApp just now: the 24-hour window is open for a text.
    handle = handle_for_outbound(channel=whatsapp, to="+5511987654321", contact=maria)
    ContactHandle.objects.filter(pk=handle.pk).update(last_inbound_at=clock.now())
    wa = certified_send(actor=kit.actor(Role.OPERATOR), contact=maria, channel=whatsapp,
                        address="11 98765-4321", text="Olá pelo WhatsApp.")  # fmt: skip
    rows = ar_tab(page, maria)
    wa_row = rows.filter(has_text="Olá pelo WhatsApp.")
    expect(wa_row.get_by_role("link", name="Visualizar laudo")).to_be_visible()
    expect(wa_row.get_by_role("link", name="Reenviar mensagem")).to_have_count(0)
    page.goto(f"/contatos/mensagens/{wa.public_id}/reenviar/")
    expect(page.locator("#resend-refusal")).to_have_text(
        "Só mensagens de SMS e e-mail podem ser reenviadas."
    )
    expect(page.locator("#resend-form")).to_have_count(0)
