"""Twilio: form-encoded sends with Basic auth, X-Twilio-Signature on webhooks, status callbacks,
templates as ContentSid, choices as numbered text. The API is a scripted local HTTP server."""

import json
from urllib.parse import parse_qs, urlencode

import pytest
from django.test import Client

from formaliza.accounts.roles import Role
from formaliza.conversations.adapters.twilio import signature
from formaliza.conversations.models import InboundEvent, Message
from formaliza.conversations.services import (
    ChannelInput,
    TemplateInput,
    channel_create,
    message_send_choices,
    message_send_template,
    message_send_text,
    template_save,
)
from formaliza.conversations.tests.helpers import webhook_path
from formaliza.core.testing import run_queued_tasks

TOKEN = "twilio-auth-token"


@pytest.fixture
def twilio(kit, receiver):
    return channel_create(tenant=kit.tenant, data=ChannelInput(
        name="Twilio", kind="whatsapp", provider="twilio", account_id="AC123", access_token=TOKEN,
        sender_id="+5511940001000", api_base_url=receiver.url + "/2010-04-01", pacing_interval_seconds=0))  # fmt: skip


def post_form(channel, params: dict, *, token: str = TOKEN):
    url = "http://testserver" + webhook_path(channel)
    headers = {"X-Twilio-Signature": signature(auth_token=token, url=url, params=params)}
    return Client().post(webhook_path(channel), data=urlencode(params),
                         content_type="application/x-www-form-urlencoded", headers=headers)  # fmt: skip


def inbound(text="Oi", sid="SM0001", **extra):
    return {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC123", "From": "whatsapp:+5511987654321",
            "To": "whatsapp:+5511940001000", "Body": text, "NumMedia": "0", "ProfileName": "Maria",
            "WaId": "5511987654321", "SmsStatus": "received", **extra}  # fmt: skip


def sent_reply(n=1):
    return json.dumps({"sid": f"SM{n:032d}", "status": "queued"})


def test_signed_inbound_is_stored_and_forged_is_refused(twilio, handlers):
    assert post_form(twilio, inbound(), token="outro").status_code == 403
    assert InboundEvent.objects.count() == 0
    assert post_form(twilio, inbound()).status_code == 200
    run_queued_tasks()
    message = Message.objects.get()
    assert (message.kind, message.body, message.handle.wa_id, message.handle.profile_name) == (
        "text", "Oi", "5511987654321", "Maria")  # fmt: skip
    assert handlers == [("inbound", message.pk)]


def test_text_send_is_form_encoded_with_basic_auth_and_status_callback(kit, twilio, receiver):
    post_form(twilio, inbound())
    run_queued_tasks()
    receiver.reply(201, sent_reply())
    message = message_send_text(
        actor=kit.actor(Role.ATTENDANT), channel=twilio, to="11987654321", text="Olá!"
    )
    run_queued_tasks()

    (request,) = receiver.requests
    assert request.path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request.headers["Authorization"].startswith("Basic ")
    form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
    assert form["To"] == "whatsapp:+5511987654321" and form["From"] == "whatsapp:+5511940001000"
    assert form["Body"] == "Olá!"
    assert form["StatusCallback"].endswith(webhook_path(twilio))
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == ("accepted", f"SM{1:032d}")

    callback = {"MessageSid": message.provider_message_id, "MessageStatus": "read", "SmsStatus": "read",
                "To": "whatsapp:+5511987654321", "From": "whatsapp:+5511940001000", "AccountSid": "AC123"}  # fmt: skip
    assert post_form(twilio, callback).status_code == 200
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == "read" and message.read_at is not None


def test_undelivered_callback_records_twilios_code(kit, twilio, receiver):
    post_form(twilio, inbound())
    run_queued_tasks()
    receiver.reply(201, sent_reply())
    message = message_send_text(
        actor=kit.actor(Role.ATTENDANT), channel=twilio, to="11987654321", text="Olá!"
    )
    run_queued_tasks()
    post_form(twilio, {"MessageSid": f"SM{1:032d}", "MessageStatus": "undelivered", "ErrorCode": "63016",
                       "To": "whatsapp:+5511987654321", "From": "whatsapp:+5511940001000"})  # fmt: skip
    run_queued_tasks()
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", "twilio_63016")
    assert "24 horas" in message.error_explanation


def test_templates_go_as_content_sid_and_choices_as_numbered_text(kit, twilio, receiver):
    template_save(tenant=kit.tenant, channel_id=twilio.pk, data=TemplateInput(
        name="convite", language="pt_BR", category="utility", provider_template_id="HX0123",
        components=[{"type": "BODY", "text": "Olá {{1}}"}]))  # fmt: skip
    receiver.reply(201, sent_reply(1))
    receiver.reply(201, sent_reply(2))
    message_send_template(actor=kit.actor(Role.OPERATOR), channel=twilio, to="11987654321", template="convite",
                          variables=["Maria"])  # fmt: skip
    run_queued_tasks()
    post_form(twilio, inbound(sid="SM0002"))
    run_queued_tasks()
    choices = message_send_choices(actor=kit.actor(Role.ATTENDANT), channel=twilio, to="11987654321",
                                   body="Continuar?", choices=[("s", "Sim"), ("n", "Não")])  # fmt: skip
    run_queued_tasks()
    template_form = {k: v[0] for k, v in parse_qs(receiver.requests[0].body.decode()).items()}
    assert template_form["ContentSid"] == "HX0123"
    assert json.loads(template_form["ContentVariables"]) == {"1": "Maria"}
    choice_form = {k: v[0] for k, v in parse_qs(receiver.requests[1].body.decode()).items()}
    assert choices.kind == "choices_text" and "1 - Sim\n2 - Não" in choice_form["Body"]


@pytest.mark.parametrize(("status", "body", "state"), [
    (400, json.dumps({"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}), "failed"),
    (429, json.dumps({"code": 20429, "message": "Too Many Requests", "status": 429}), "queued"),
    (503, "", "queued"),
])  # fmt: skip
def test_errors_are_retried_or_final(kit, twilio, receiver, status, body, state):
    post_form(twilio, inbound())
    run_queued_tasks()
    receiver.reply(status, body)
    message = message_send_text(
        actor=kit.actor(Role.ATTENDANT), channel=twilio, to="11987654321", text="Olá!"
    )
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == state


@pytest.fixture
def media_hosts():
    """Twilio's API host answering a media URL with a redirect, and a storage host serving the
    bytes; both record the Authorization header they got."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from formaliza.conversations.tests.media_samples import JPEG

    seen: dict[str, str] = {}
    servers = []

    def serve(handler_body):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                seen[self.server.name] = self.headers.get("Authorization", "")
                handler_body(self)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        servers.append(server)
        return server

    def storage_body(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")
        handler.send_header("Content-Length", str(len(JPEG)))
        handler.end_headers()
        handler.wfile.write(JPEG)

    storage = serve(storage_body)
    storage.name = "storage"

    def api_body(handler):
        handler.send_response(307)
        handler.send_header("Location", f"http://127.0.0.1:{storage.server_port}/bucket/ME1.jpg")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    api = serve(api_body)
    api.name = "api"
    yield f"http://127.0.0.1:{api.server_port}", seen
    for server in servers:
        server.shutdown()
        server.server_close()


def test_inbound_media_follows_twilios_redirect_with_credentials_only_to_twilio(
    kit, settings, media_hosts
):
    from formaliza.conversations.models import Attachment
    from formaliza.conversations.tests.media_samples import JPEG

    settings.OUTBOUND_ALLOWED_PRIVATE = ["127.0.0.1"]
    api_url, seen = media_hosts
    channel = channel_create(tenant=kit.tenant, data=ChannelInput(
        name="Twilio mídia", kind="whatsapp", provider="twilio", account_id="AC123", access_token=TOKEN,
        sender_id="+5511940001000", api_base_url=api_url + "/2010-04-01"))  # fmt: skip
    post_form(channel, inbound(text="Frente do RG", NumMedia="1", MediaContentType0="image/jpeg",
                               MediaUrl0=api_url + "/2010-04-01/Accounts/AC123/Messages/SM1/Media/ME1"))  # fmt: skip
    run_queued_tasks()

    attachment = Attachment.objects.get()
    assert (attachment.status, attachment.kind, attachment.caption) == (
        "stored",
        "image",
        "Frente do RG",
    )
    with attachment.file.open("rb") as fh:
        assert fh.read() == JPEG
    assert seen["api"].startswith("Basic ")
    assert seen["storage"] == ""  # the credentials never left Twilio's host
