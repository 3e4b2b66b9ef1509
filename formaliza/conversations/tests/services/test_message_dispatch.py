"""Dispatch: retryable vs terminal provider errors, backoff, per-recipient order and pacing.
Provider answers are scripted on a real local HTTP server speaking the Graph API's format."""

import datetime as dt
import json

import pytest
import time_machine

from formaliza.accounts.roles import Role
from formaliza.conversations.models import DispatchAttempt, Message
from formaliza.conversations.services import (
    ChannelInput,
    TemplateInput,
    channel_create,
    message_send_template,
    template_save,
)
from formaliza.core import clock
from formaliza.core.testing import queued_tasks, run_queued_tasks

PHONE = "11987654321"


def accepted(n: int) -> str:
    return json.dumps({"messaging_product": "whatsapp", "contacts": [{"input": PHONE, "wa_id": "55" + PHONE}],
                       "messages": [{"id": f"wamid.SCRIPTED{n}"}]})  # fmt: skip


def meta_error(code: int, message: str = "erro") -> str:
    return json.dumps({"error": {"message": f"(#{code}) {message}", "type": "OAuthException", "code": code,
                                 "error_data": {"messaging_product": "whatsapp", "details": message},
                                 "fbtrace_id": "A1"}})  # fmt: skip


@pytest.fixture
def meta(kit, receiver, settings):
    # Generous: a loaded machine must not turn a normal local answer into a timeout.
    settings.CONVERSATION_HTTP_TIMEOUT_SECONDS = 10
    channel = channel_create(
        tenant=kit.tenant,
        data=ChannelInput(name="Meta", kind="whatsapp", provider="meta_cloud", phone_number_id="123",
                          access_token="EAAG-token", app_secret="segredo", api_base_url=receiver.url + "/v21.0",
                          pacing_interval_seconds=0),
    )  # fmt: skip
    template_save(tenant=kit.tenant, channel_id=channel.pk,
                  data=TemplateInput(name="aviso", language="pt_BR", category="utility",
                                     components=[{"type": "BODY", "text": "Aviso {{1}}"}]))  # fmt: skip
    return channel


def send(kit, channel, n: int = 1, **options):
    return message_send_template(actor=kit.actor(Role.OPERATOR), channel=channel, to=PHONE, template="aviso",
                                 variables=[str(n)], **options)  # fmt: skip


def later(minutes: int = 60):
    """Run what is queued as workers would `minutes` from now (retry delays have passed)."""
    with time_machine.travel(clock.now() + dt.timedelta(minutes=minutes), tick=True):
        return run_queued_tasks()


def test_the_request_is_the_cloud_api_format_with_bearer_token(kit, meta, receiver):
    receiver.reply(200, accepted(1))
    message = send(kit, meta)
    run_queued_tasks()
    (request,) = receiver.requests
    assert (request.method, request.path) == ("POST", "/v21.0/123/messages")
    assert request.headers["Authorization"] == "Bearer EAAG-token"
    body = request.json()
    assert (body["messaging_product"], body["to"], body["type"]) == (
        "whatsapp",
        "5511987654321",
        "template",
    )
    message.refresh_from_db()
    assert (message.status, message.provider_message_id, message.attempts) == (
        "accepted",
        "wamid.SCRIPTED1",
        1,
    )
    assert message.handle.wa_id == "5511987654321"  # what Meta calls the number, for next time


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (500, "oops", "http_5xx"),
        (503, meta_error(131000, "Something went wrong"), "131000"),
        (400, meta_error(130429, "Rate limit hit"), "130429"),
        (400, meta_error(131056, "pair rate limit"), "131056"),
        (429, meta_error(80007, "rate limit"), "80007"),
        (400, meta_error(4, "Application request limit reached"), "4"),
    ],
)
def test_retryable_errors_are_retried_with_backoff(
    kit, meta, receiver, handlers, status, body, code
):
    receiver.reply(status, body)
    receiver.reply(200, accepted(2))
    message = send(kit, meta)

    run_queued_tasks()

    message.refresh_from_db()
    assert (message.status, message.error_code, message.attempts) == ("queued", code, 1)
    assert message.next_attempt_at > clock.now()  # backoff, jittered
    (retry,) = queued_tasks("message_dispatch")
    assert retry.run_after == message.next_attempt_at
    assert handlers == []  # nothing final happened

    later()

    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_message_id) == (
        "accepted",
        2,
        "wamid.SCRIPTED2",
    )
    assert [a.outcome for a in message.dispatches.all()] == ["retry", "accepted"]
    assert len(receiver.requests) == 2


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        (meta_error(131026, "Message undeliverable"), "131026", "não entregável"),
        (meta_error(131047, "Re-engagement message"), "131047", "24 horas"),
        (meta_error(132001, "Template name does not exist"), "132001", "não existe"),
        (meta_error(190, "Invalid OAuth access token"), "190", "Token"),
        (meta_error(100, "Invalid parameter"), "100", "Parâmetro"),
        (meta_error(368, "Temporarily blocked"), "368", "bloqueado"),
    ],
)
def test_terminal_errors_fail_at_once_with_metas_code_explained(
    kit, meta, receiver, handlers, body, code, words
):
    receiver.reply(400, body)
    message = send(kit, meta)

    later()

    message.refresh_from_db()
    assert (message.status, message.error_code, message.attempts) == ("failed", code, 1)
    assert words in message.error_explanation
    assert message.failed_at is not None
    assert len(receiver.requests) == 1
    assert handlers == [("status", message.pk, "failed")]


def test_timeouts_and_refused_connections_are_retried(kit, meta, receiver, settings):
    settings.CONVERSATION_HTTP_TIMEOUT_SECONDS = 0.5
    receiver.reply(200, accepted(1), delay=2.0)  # longer than the 0.5 s timeout
    receiver.reply(200, accepted(2))
    message = send(kit, meta)
    run_queued_tasks()
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("queued", "http_timeout")
    later()
    message.refresh_from_db()
    assert message.status == "accepted"


def test_gives_up_after_the_maximum_attempts(kit, meta, receiver, settings):
    settings.CONVERSATION_MAX_ATTEMPTS = 3
    receiver.default = (503, b"", 0.0)
    message = send(kit, meta)
    for step in range(1, 5):
        later(120 * step)
    message.refresh_from_db()
    assert (message.status, message.error_code, message.attempts) == ("failed", "max_attempts", 3)
    assert "http_5xx" in message.error_detail
    assert len(receiver.requests) == 3


def test_messages_to_one_client_go_in_order_even_when_the_first_is_retried(kit, meta, receiver):
    receiver.reply(503, "")
    for n in range(2, 5):
        receiver.reply(200, accepted(n))
    _first, second, _third = (send(kit, meta, n) for n in (1, 2, 3))

    run_queued_tasks()
    assert [
        r.json()["template"]["components"][0]["parameters"][0]["text"] for r in receiver.requests
    ] == ["1"]
    second.refresh_from_db()
    assert second.status == "queued"  # waits for the first

    later()
    texts = [
        r.json()["template"]["components"][0]["parameters"][0]["text"] for r in receiver.requests
    ]
    assert texts == ["1", "1", "2", "3"]
    assert set(Message.objects.values_list("status", flat=True)) == {"accepted"}


def test_pacing_spreads_messages_to_the_same_client(kit, meta, receiver):
    meta.pacing_interval_seconds, meta.pacing_burst = 6, 2
    meta.save()
    receiver.default = (200, b"", 0.0)
    for n in range(1, 4):
        receiver.reply(200, accepted(n))
    messages = [send(kit, meta, n) for n in (1, 2, 3)]

    # A stopped clock: a slow machine must not turn the pacing wait into a short one.
    with time_machine.travel(clock.now(), tick=False):
        run_queued_tasks()
        wait = (
            Message.objects.get(pk=messages[2].pk).next_attempt_at - clock.now()
        ).total_seconds()

    assert len(receiver.requests) == 2  # the burst
    third = Message.objects.get(pk=messages[2].pk)
    assert third.status == "queued"
    assert wait == pytest.approx(6, abs=0.01)  # one pacing interval after the burst
    assert not DispatchAttempt.objects.filter(message=third).exists()  # postponed, not attempted


def test_other_clients_are_not_held_back_by_one_clients_retries(kit, meta, receiver):
    receiver.reply(503, "")
    receiver.reply(200, accepted(9))
    blocked = send(kit, meta, 1)
    other = message_send_template(actor=kit.actor(Role.OPERATOR), channel=meta, to="21987654321",
                                  template="aviso", variables=["2"])  # fmt: skip
    run_queued_tasks()
    blocked.refresh_from_db()
    other.refresh_from_db()
    assert (blocked.status, other.status) == ("queued", "accepted")


def test_lost_tasks_are_found_by_the_sweep(kit, meta, receiver):
    from django_tasks_db.models import DBTaskResult

    from formaliza.conversations.services import messages_sweep

    receiver.reply(200, accepted(1))
    message = send(kit, meta)
    DBTaskResult.objects.all().delete()  # the queue lost it
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=clock.now() - dt.timedelta(minutes=5)
    )
    assert messages_sweep() == 1
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == "accepted"
