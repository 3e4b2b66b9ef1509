"""The conversations API: list, messages, send inside the window or a template, hand off, close
— tenant-scoped, in the API's error shape, with idempotency keys."""

from __future__ import annotations

import datetime as dt
import json

import time_machine

from formaliza.conversations.models import Conversation, Department, FinalizationStatus, Message
from formaliza.conversations.services import TemplateInput, template_save
from formaliza.conversations.tests.helpers import client_says
from formaliza.core import clock
from formaliza.core.testing import run_queued_tasks

URL = "/api/v1/conversations"
BODY = [{"type": "BODY", "text": "Olá {{1}}, seu contrato está pronto."}]


def post(client, kit, url, body, **headers):
    return client.post(
        url, data=json.dumps(body), content_type="application/json", **kit.api_headers(**headers)
    )


def _conversation(fake_api, channel) -> Conversation:
    client_says(fake_api, channel, "Quero assinar")
    run_queued_tasks()
    return Conversation.objects.get(channel=channel)


def _template(kit, fake_api, channel):
    template_save(tenant=kit.tenant, channel_id=channel.pk,
                  data=TemplateInput(name="contrato", language="pt_BR", category="utility",
                                     components=BODY))  # fmt: skip
    fake_api.register_template(channel.business_account_id,
                               {"name": "contrato", "language": "pt_BR", "category": "UTILITY",
                                "components": BODY})  # fmt: skip


def test_list_read_and_send_inside_the_window(client, kit, fake_api, channel):
    conversation = _conversation(fake_api, channel)
    page = client.get(URL, **kit.api_headers()).json()
    assert page["count"] == 1 and page["items"][0]["protocol"] == conversation.protocol
    url = f"{URL}/{conversation.protocol}"
    assert client.get(url, **kit.api_headers()).json()["status"] == "open"

    sent = post(client, kit, f"{url}/messages", {"text": "Claro! Segue o link."})
    assert sent.status_code == 201, sent.content
    assert sent.json()["direction"] == "out" and sent.json()["body"] == "Claro! Segue o link."
    messages = client.get(f"{url}/messages", **kit.api_headers()).json()
    assert [m["body"] for m in messages] == ["Quero assinar", "Claro! Segue o link."]


def test_outside_the_window_only_a_template_goes(client, kit, fake_api, channel):
    conversation = _conversation(fake_api, channel)
    _template(kit, fake_api, channel)
    url = f"{URL}/{conversation.protocol}"
    with time_machine.travel(clock.now() + dt.timedelta(hours=25)):
        refused = post(client, kit, f"{url}/messages", {"text": "Oi?"})
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "window_closed"
        body = {"template": "contrato", "variables": ["Maria"]}
        sent = post(client, kit, f"{url}/templates", body)
    assert sent.status_code == 201, sent.content
    assert sent.json()["kind"] == "template" and "Maria" in sent.json()["body"]
    unknown = post(client, kit, f"{url}/templates", {"template": "nao-existe"})
    assert unknown.status_code == 422


def test_hand_off_then_close_with_a_finalization(client, kit, fake_api, channel):
    conversation = _conversation(fake_api, channel)
    department = Department.objects.create(tenant=kit.tenant, name="Financeiro")
    url = f"{URL}/{conversation.protocol}"
    handed = post(client, kit, f"{url}/handoff", {"department_id": department.pk, "note": "CPF"})
    assert handed.status_code == 200, handed.content
    assert handed.json()["handler"] == "queue" and handed.json()["department"] == "Financeiro"
    assert post(client, kit, f"{url}/handoff", {"department_id": 999999}).status_code == 404

    done = FinalizationStatus.objects.create(tenant=kit.tenant, code="assinado", name="Assinado")
    closed = post(client, kit, f"{url}/close", {"finalization_id": done.pk})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["finalization"] == "Assinado"
    again = post(client, kit, f"{url}/close", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conversation_closed"
    assert post(client, kit, f"{url}/messages", {"text": "Oi"}).status_code == 409


def test_close_without_finalization_and_bad_input(client, kit, fake_api, channel):
    conversation = _conversation(fake_api, channel)
    url = f"{URL}/{conversation.protocol}"
    assert post(client, kit, f"{url}/messages", {"text": ""}).status_code == 422
    assert post(client, kit, f"{url}/handoff", {"department_id": "x"}).status_code == 422
    assert client.get(f"{URL}?page=0", **kit.api_headers()).status_code == 422
    assert client.get(f"{URL}?status=nope", **kit.api_headers()).status_code == 422
    closed = post(client, kit, f"{url}/close", {"reason": "Cliente desistiu"})
    assert closed.status_code == 200 and closed.json()["closed_reason"] == "Cliente desistiu"


def test_a_send_is_idempotent_with_a_key(client, kit, fake_api, channel):
    conversation = _conversation(fake_api, channel)
    url = f"{URL}/{conversation.protocol}/messages"
    first = post(client, kit, url, {"text": "Uma vez"}, HTTP_IDEMPOTENCY_KEY="envio-1")
    again = post(client, kit, url, {"text": "Uma vez"}, HTTP_IDEMPOTENCY_KEY="envio-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and first.json() == again.json()
    assert Message.objects.filter(body="Uma vez").count() == 1


def test_another_tenants_conversation_is_404_whatever_the_body(
    client, kit, other_kit, fake_api, channel
):
    conversation = _conversation(fake_api, channel)
    url = f"{URL}/{conversation.protocol}"
    for path in ("", "/messages"):
        assert client.get(url + path, **other_kit.api_headers()).status_code == 404
    for path, body in (("/messages", {"text": ""}), ("/templates", {}), ("/handoff", []),
                       ("/close", {"finalization_id": "x"}), ("/messages", {"text": "Oi"})):  # fmt: skip
        response = post(client, other_kit, url + path, body)
        assert response.status_code == 404, (path, response.content)
    assert client.get(URL, **other_kit.api_headers()).json()["count"] == 0
    assert Message.objects.filter(direction="out").count() == 0
