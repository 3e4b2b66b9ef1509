"""Back-office pages: conversations with receipts, reply, channels (masked secrets), templates,
the simulator; permissions and tenant isolation on every page and endpoint."""

import pytest
from django.test import Client

from formaliza.accounts.roles import Role
from formaliza.conversations.models import (
    Attachment,
    Channel,
    Conversation,
    InboundEvent,
    Message,
    Template,
)
from formaliza.conversations.services import TemplateInput, message_send_text, template_save
from formaliza.conversations.tests.helpers import (
    client_says,
    deliver,
    fixture,
    post_signed,
    whatsapp_channel,
)
from formaliza.conversations.tests.media_samples import JPEG
from formaliza.core.testing import run_queued_tasks


@pytest.fixture
def chat(kit, fake_api, channel):
    """A conversation with a client message, our reply delivered and read, and a failed one."""
    client_says(fake_api, channel, "Quero assinar")
    run_queued_tasks()
    reply = message_send_text(
        actor=kit.actor(Role.ATTENDANT), channel=channel, to="11987654321", text="Claro!"
    )
    run_queued_tasks()
    deliver(fake_api)
    run_queued_tasks()
    conversation = Conversation.objects.get()
    return conversation, reply


@pytest.fixture
def theirs(other_kit, fake_api):
    channel = whatsapp_channel(other_kit.tenant, fake_api, phone_number_id="777000777")
    client_says(fake_api, channel, "Primeiro cliente deles", phone="5521999991111")
    client_says(fake_api, channel, "Sou de outra empresa", phone="5521999990000")
    run_queued_tasks()
    fake_api.media["1001"] = (JPEG, "image/jpeg")
    post_signed(channel, fixture("image").replace(b"106540352242922", b"777000777"))
    run_queued_tasks()
    template_save(tenant=other_kit.tenant, channel_id=channel.pk,
                  data=TemplateInput(name="deles", language="pt_BR", category="utility",
                                     components=[{"type": "BODY", "text": "oi"}]))  # fmt: skip
    return channel


def test_attendants_reach_conversations_from_the_navigation(kit, chat):
    client = kit.client_for(Role.ATTENDANT)
    html = client.get("/conversas/").content.decode()
    assert 'href="/conversas/"' in html and "Conversas" in html
    conversation, _ = chat
    assert conversation.protocol in html
    assert "Canais" not in html.split("<main")[0]  # not an admin


def test_detail_shows_every_message_with_its_receipts(kit, chat):
    conversation, reply = chat
    html = (
        kit.client_for(Role.CORRESPONDENT)
        .get(f"/conversas/{conversation.protocol}/")
        .content.decode()
    )
    assert "Quero assinar" in html and "Claro!" in html
    assert f"Sessão iniciada em {conversation.opened_at.astimezone().strftime('%d/%m/%Y')}" in html
    reply.refresh_from_db()
    for moment in (reply.sent_at, reply.delivered_at, reply.read_at):
        assert moment.astimezone().strftime("%d/%m/%Y %H:%M:%S") in html
    assert "Lida" in html
    assert "Responder" not in html  # correspondents consult, they do not reply


def test_failed_message_shows_metas_code_and_explanation(kit, fake_api, chat):
    conversation, reply = chat
    Message.objects.filter(pk=reply.pk).update(status="failed", error_code="131047")
    html = (
        kit.client_for(Role.ATTENDANT).get(f"/conversas/{conversation.protocol}/").content.decode()
    )
    assert "Erro 131047" in html and "janela de 24 horas" in html


def test_reply_from_the_page_and_refusal_outside_the_window(kit, chat):
    conversation, _ = chat
    client = kit.client_for(Role.ATTENDANT)
    response = client.post(
        f"/conversas/{conversation.protocol}/responder/", {"text": "Segue o link"}
    )
    assert response.status_code == 302
    assert Message.objects.filter(body="Segue o link", sent_by=kit.users[Role.ATTENDANT]).exists()

    conversation.handle.__class__.objects.filter(pk=conversation.handle_id).update(
        last_inbound_at=None
    )
    response = client.post(f"/conversas/{conversation.protocol}/responder/", {"text": "Outra"})
    assert response.status_code == 422
    assert "Fora da janela de 24 horas" in response.content.decode()
    assert not Message.objects.filter(body="Outra").exists()


def test_correspondents_cannot_reply(kit, chat):
    conversation, _ = chat
    response = kit.client_for(Role.CORRESPONDENT).post(
        f"/conversas/{conversation.protocol}/responder/", {"text": "x"}
    )
    assert response.status_code == 403
    assert not Message.objects.filter(body="x").exists()


def test_send_template_close_and_consent_from_the_page(kit, fake_api, chat, channel):
    conversation, _ = chat
    template_save(tenant=kit.tenant, channel_id=channel.pk,
                  data=TemplateInput(name="retorno", language="pt_BR", category="utility",
                                     components=[{"type": "BODY", "text": "Olá {{1}}"}]))  # fmt: skip
    template = Template.objects.get(name="retorno")
    client = kit.client_for(Role.OPERATOR)
    bad = client.post(
        f"/conversas/{conversation.protocol}/modelo/", {"template": template.pk, "variables": ""}
    )
    assert bad.status_code == 422 and "espera 1 variável" in bad.content.decode()
    ok = client.post(
        f"/conversas/{conversation.protocol}/modelo/",
        {"template": template.pk, "variables": "Maria"},
    )
    assert ok.status_code == 302
    assert Message.objects.get(kind="template").body == "Olá Maria"

    client.post(f"/conversas/{conversation.protocol}/consentimento/", {"action": "opt_out"})
    conversation.handle.refresh_from_db()
    assert conversation.handle.opted_out_at is not None
    client.post(f"/conversas/{conversation.protocol}/encerrar/")
    conversation.refresh_from_db()
    assert conversation.status == "closed"


def test_attachments_download_with_access_check(kit, fake_api, channel):
    fake_api.media["1001"] = (JPEG, "image/jpeg")
    post_signed(channel, fixture("image"))
    run_queued_tasks()
    attachment = Attachment.objects.get()
    response = kit.client_for(Role.ATTENDANT).get(f"/conversas/anexos/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG


def test_another_tenants_records_are_not_found_anywhere(kit, chat, theirs):
    their_conversation = Conversation.objects.get(channel=theirs, handle__address="+5521999990000")
    their_attachment = Attachment.objects.get(message__channel=theirs)
    their_template = Template.objects.get(channel=theirs)
    admin = kit.client_for(Role.ADMIN)
    protocol = their_conversation.protocol
    mine = Conversation.objects.get(channel__tenant=kit.tenant)
    # Protocols are sequential per tenant: this one exists only in the other tenant.
    assert not Conversation.objects.filter(channel__tenant=kit.tenant, protocol=protocol).exists()
    urls = [
        f"/conversas/canais/{theirs.pk}/",
        f"/conversas/canais/{theirs.pk}/modelos/",
        f"/conversas/canais/{theirs.pk}/modelos/{their_template.pk}/",
        f"/conversas/anexos/{their_attachment.pk}/",
        f"/conversas/simulador/{theirs.pk}/mensagens/?telefone=21999990000",
    ]
    for url in urls:
        assert admin.get(url).status_code == 404, url
    their_event = InboundEvent.objects.filter(channel=theirs).first()
    for url in (f"/conversas/canais/{theirs.pk}/modelos/sincronizar/",
                f"/conversas/simulador/{theirs.pk}/enviar/",
                f"/conversas/canais/{theirs.pk}/modelos/novo/",
                f"/conversas/canais/{theirs.pk}/eventos/{their_event.pk}/reprocessar/"):  # fmt: skip
        assert admin.post(url, {"telefone": "21999990000", "text": "x"}).status_code == 404, url
    assert admin.get(f"/conversas/{protocol}/").status_code == 404
    for action in ("responder", "modelo", "encerrar", "consentimento"):
        response = admin.post(
            f"/conversas/{protocol}/{action}/", {"text": "x", "action": "opt_out"}
        )
        assert response.status_code == 404, action
    html = admin.get("/conversas/").content.decode()
    assert "Sou de outra empresa" not in html and "(21) 99999-0000" not in html
    assert (
        admin.get(f"/conversas/{mine.protocol}/").content.decode().count("Sou de outra empresa")
        == 0
    )
    their_conversation.refresh_from_db()
    assert their_conversation.status == "open"
    assert their_conversation.handle.opted_out_at is None
    assert not Message.objects.filter(body="x").exists()
    assert Template.objects.filter(channel=theirs).count() == 1


def test_channels_page_is_for_admins_and_never_shows_secrets_in_full(kit, channel):
    assert kit.client_for(Role.MANAGER).get("/conversas/canais/").status_code == 403
    admin = kit.client_for(Role.ADMIN)
    html = admin.get(f"/conversas/canais/{channel.pk}/").content.decode()
    for secret in (channel.access_token, channel.app_secret, channel.verify_token):
        assert secret not in html
        assert secret[-4:] in html  # masked: only the end shows
    assert str(channel.key) in html  # the webhook URL to configure at Meta


def test_creating_a_channel_shows_generated_secrets_once(kit):
    admin = kit.client_for(Role.ADMIN)
    response = admin.post("/conversas/canais/", {
        "name": "Simulado", "kind": "whatsapp", "provider": "fake", "throughput_per_second": 80,
        "pacing_interval_seconds": 6, "pacing_burst": 5, "opt_out_keywords": "/bloquear", "is_active": "on",
    })  # fmt: skip
    assert response.status_code == 200
    channel = Channel.objects.get(name="Simulado")
    html = response.content.decode()
    assert channel.verify_token in html and channel.app_secret in html
    assert (
        channel.verify_token not in admin.get(f"/conversas/canais/{channel.pk}/").content.decode()
    )


def test_channel_form_errors_and_secret_kept_on_edit(kit, channel):
    admin = kit.client_for(Role.ADMIN)
    bad = admin.post("/conversas/canais/", {"name": "Meta", "kind": "whatsapp", "provider": "meta_cloud",
                                            "throughput_per_second": 80, "pacing_interval_seconds": 6,
                                            "pacing_burst": 5})  # fmt: skip
    assert "Informe o Phone number ID." in bad.content.decode()
    old_secret = channel.app_secret
    response = admin.post(f"/conversas/canais/{channel.pk}/", {
        "name": "Renomeado", "phone_number_id": channel.phone_number_id, "throughput_per_second": 40,
        "pacing_interval_seconds": 6, "pacing_burst": 5, "is_active": "on",
    })  # fmt: skip
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.throughput_per_second, channel.app_secret) == (
        "Renomeado",
        40,
        old_secret,
    )


def test_templates_pages(kit, fake_api, channel):
    manager = kit.client_for(Role.MANAGER)
    response = manager.post(f"/conversas/canais/{channel.pk}/modelos/novo/", {
        "name": "convite_formalizacao", "language": "pt_BR", "category": "utility", "status": "approved",
        "body": "Olá {{1}}, sou a assistente virtual. Para iniciar, responda SIM.", "footer": "Banco Exemplo",
        "buttons": "resposta: SIM\nlink: Abrir | https://formaliza.example/j/{{1}}",
    })  # fmt: skip
    assert response.status_code == 302
    template = Template.objects.get()
    assert [c["type"] for c in template.components] == ["BODY", "FOOTER", "BUTTONS"]
    assert template.components[2]["buttons"][1] == {
        "type": "URL",
        "text": "Abrir",
        "url": "https://formaliza.example/j/{{1}}",
    }
    assert (
        "convite_formalizacao"
        in manager.get(f"/conversas/canais/{channel.pk}/modelos/").content.decode()
    )
    bad = manager.post(f"/conversas/canais/{channel.pk}/modelos/novo/", {
        "name": "Com Espaço", "language": "pt_BR", "category": "utility", "status": "approved", "body": "x"})  # fmt: skip
    assert "só letras minúsculas" in bad.content.decode()
    fake_api.register_template(channel.business_account_id, {"name": "da_meta", "language": "pt_BR",
                                                              "category": "UTILITY", "components": [{"type": "BODY", "text": "oi"}]})  # fmt: skip
    manager.post(f"/conversas/canais/{channel.pk}/modelos/sincronizar/")
    assert Template.objects.filter(name="da_meta").exists()
    assert (
        kit.client_for(Role.ATTENDANT).get(f"/conversas/canais/{channel.pk}/modelos/").status_code
        == 403
    )


def test_simulator_chats_through_the_real_signed_webhook(kit, fake_api, channel):
    channel.welcome_text = "Olá! Como posso ajudar?"
    channel.welcome_choices = ["Formalizar", "Ajuda"]
    channel.save()
    manager = kit.client_for(Role.MANAGER)
    page = manager.get(
        "/conversas/simulador/",
        {"channel": channel.pk, "phone": "(11) 98765-4321", "name": "Maria"},
    )
    assert page.status_code == 200 and 'id="simulator"' in page.content.decode()

    sent = manager.post(
        f"/conversas/simulador/{channel.pk}/enviar/",
        {"telefone": "11987654321", "type": "text", "text": "Oi"},
    )
    assert sent.status_code == 200
    assert set(deliver(fake_api)) == {200}  # the fake posted it, signed, to our webhook
    run_queued_tasks()
    messages = manager.get(
        f"/conversas/simulador/{channel.pk}/mensagens/", {"telefone": "11987654321"}
    ).json()["messages"]
    assert [m["direction"] for m in messages] == ["in", "out"]
    greeting = messages[1]
    assert greeting["style"] == "button" and [r["title"] for r in greeting["rows"]] == [
        "Formalizar",
        "Ajuda",
    ]

    tap = manager.post(f"/conversas/simulador/{channel.pk}/enviar/", {
        "telefone": "11987654321", "type": "button_reply", "id": greeting["rows"][0]["id"],
        "title": "Formalizar", "context_id": greeting["wamid"]})  # fmt: skip
    assert tap.status_code == 200
    deliver(fake_api)
    run_queued_tasks()
    answer = Message.objects.filter(direction="in").order_by("-id").first()
    assert (answer.kind, answer.choice_id) == ("button_reply", "boas-vindas:1")


def test_simulator_only_offers_fake_channels_and_reports_a_stopped_fake(kit, settings, channel):
    from formaliza.conversations.services import ChannelInput, channel_create

    channel_create(tenant=kit.tenant, data=ChannelInput(
        name="Produção", kind="whatsapp", provider="meta_cloud", phone_number_id="1", access_token="t", app_secret="s"))  # fmt: skip
    manager = kit.client_for(Role.MANAGER)
    html = manager.get("/conversas/simulador/").content.decode()
    assert "WhatsApp Formalização" in html and "Produção" not in html
    settings.FAKE_PROVIDER_URL = "http://127.0.0.1:9"
    down = manager.post(
        f"/conversas/simulador/{channel.pk}/enviar/", {"telefone": "11987654321", "text": "Oi"}
    )
    assert down.status_code == 502 and "não está no ar" in down.json()["error"]
    assert kit.client_for(Role.ATTENDANT).get("/conversas/simulador/").status_code == 403


def test_anonymous_is_sent_to_login():
    assert Client().get("/conversas/").status_code == 302
