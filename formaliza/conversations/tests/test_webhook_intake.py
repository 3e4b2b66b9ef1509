"""The webhook endpoint: handshake, signature on the raw body, store + enqueue, answer."""

import json

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from formaliza.conversations.fake_provider import payloads
from formaliza.conversations.models import Channel, InboundEvent, Message
from formaliza.conversations.services import ChannelInput, channel_update
from formaliza.conversations.tests.helpers import (
    fixture,
    post_signed,
    webhook_path,
    whatsapp_channel,
)
from formaliza.core.testing import queued_tasks, run_queued_tasks


def _handshake(channel, **query):
    return Client().get(webhook_path(channel), query)


def test_handshake_echoes_the_challenge_only_for_our_token(channel):
    ok = _handshake(channel, **{"hub.mode": "subscribe", "hub.verify_token": channel.verify_token,
                                "hub.challenge": "1158201444"})  # fmt: skip
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    wrong = _handshake(channel, **{"hub.mode": "subscribe", "hub.verify_token": "outro",
                                   "hub.challenge": "1"})  # fmt: skip
    assert wrong.status_code == 403
    assert _handshake(channel, **{"hub.challenge": "1"}).status_code == 403


def test_signed_post_is_stored_raw_and_its_processing_enqueued_then_answered(channel):
    body = fixture("text")

    response = post_signed(channel, body)

    assert response.status_code == 200
    event = InboundEvent.objects.get()
    assert bytes(event.body) == body  # the raw bytes, not re-serialised JSON
    assert (event.channel_id, event.status) == (channel.pk, "pending")
    (task,) = queued_tasks("inbound_event_process")
    assert task.args_kwargs["args"] == [event.pk]
    assert Message.objects.count() == 0  # nothing processed before the answer


@pytest.mark.parametrize(
    "signature",
    [None, "", "sha256=", "sha256=" + "0" * 64, "sha1=abc", "md5 whatever"],
    ids=["missing", "empty", "no-hex", "wrong-hex", "other-algorithm", "garbage"],
)
def test_forged_or_unsigned_posts_are_refused_and_change_nothing(channel, signature):
    body = fixture("text")
    headers = {} if signature is None else {"X-Hub-Signature-256": signature}

    response = Client().post(
        webhook_path(channel), data=body, content_type="application/json", headers=headers
    )
    run_queued_tasks()

    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    assert Message.objects.count() == 0


def test_signature_of_another_body_or_secret_is_refused(channel):
    body = fixture("text")
    tampered = body.replace(b"Oi, quero", b"Oi, NAO quero")
    signature = payloads.meta_signature(channel.app_secret, body)

    response = Client().post(
        webhook_path(channel), data=tampered, content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )  # fmt: skip
    assert response.status_code == 403
    assert post_signed(channel, body, secret="segredo-de-outro-app").status_code == 403
    # Re-serialised JSON of the same content carries a different byte string.
    reserialised = json.dumps(json.loads(body)).encode()
    response = Client().post(
        webhook_path(channel), data=reserialised, content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )  # fmt: skip
    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0


def test_another_channels_secret_does_not_open_this_channel(kit, other_kit, fake_api, channel):
    theirs = whatsapp_channel(other_kit.tenant, fake_api, phone_number_id="999000111")
    body = fixture("text")

    assert post_signed(channel, body, secret=theirs.app_secret).status_code == 403
    assert InboundEvent.objects.count() == 0


def test_unknown_or_inactive_channel_is_not_found(channel):
    channel_update(
        tenant=channel.tenant, channel_id=channel.pk,
        data=ChannelInput(name=channel.name, kind="whatsapp", provider="fake_api", is_active=False,
                          phone_number_id=channel.phone_number_id),
    )  # fmt: skip
    assert post_signed(channel, fixture("text")).status_code == 404
    response = Client().post("/conversas/webhook/00000000-0000-0000-0000-000000000000/", data=b"{}",
                             content_type="application/json")  # fmt: skip
    assert response.status_code == 404
    assert InboundEvent.objects.count() == 0


def test_the_same_body_posted_again_is_stored_once(channel):
    body = fixture("text")
    assert [post_signed(channel, body).status_code for _ in range(3)] == [200, 200, 200]
    assert InboundEvent.objects.count() == 1
    assert len(queued_tasks("inbound_event_process")) == 1


def test_a_rotated_app_secret_takes_effect_at_once(channel):
    body = fixture("text")
    assert post_signed(channel, body).status_code == 200  # caches the current secret
    old = channel.app_secret
    channel_update(
        tenant=channel.tenant, channel_id=channel.pk,
        data=ChannelInput(name=channel.name, kind="whatsapp", provider="fake_api",
                          phone_number_id=channel.phone_number_id, app_secret="novo-segredo-123"),
    )  # fmt: skip
    other_body = fixture("image")

    assert post_signed(channel, other_body, secret="novo-segredo-123").status_code == 200
    assert post_signed(channel, fixture("audio"), secret=old).status_code == 403


def test_get_and_post_only(channel):
    assert Client().put(webhook_path(channel), data=b"{}").status_code == 405


def test_webhook_needs_no_login_nor_csrf(channel):
    client = Client(enforce_csrf_checks=True)
    assert post_signed(channel, fixture("text"), client=client).status_code == 200


def test_secrets_are_encrypted_at_rest(channel):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, app_secret, verify_token FROM conversations_channel WHERE id = %s",
            [channel.pk],
        )
        stored = cursor.fetchone()
    fresh = Channel.objects.get(pk=channel.pk)
    for raw, plain in zip(
        stored, (fresh.access_token, fresh.app_secret, fresh.verify_token), strict=True
    ):
        assert plain and plain not in raw


def test_the_stored_task_row_is_what_the_tasks_api_writes(channel):
    """On PostgreSQL the intake writes event and task in one statement; the task row must be
    exactly what `enqueue` would have written (on SQLite the intake calls `enqueue` itself)."""
    from django.forms.models import model_to_dict

    from formaliza.conversations.services.intake import inbound_event_store
    from formaliza.conversations.tasks import inbound_event_process

    assert inbound_event_store(channel_id=channel.pk, body=b'{"a": 1}') is True
    assert inbound_event_store(channel_id=channel.pk, body=b'{"a": 1}') is False  # the same body
    event = InboundEvent.objects.get()
    (stored,) = DBTaskResult.objects.all()
    reference = DBTaskResult.objects.get(pk=inbound_event_process.enqueue(event.pk).id)
    ignore = {"id", "enqueued_at"}
    assert {k: v for k, v in model_to_dict(stored).items() if k not in ignore} == {
        k: v for k, v in model_to_dict(reference).items() if k not in ignore
    }
    assert stored.task_result.args == [event.pk]

    run_queued_tasks()
    event.refresh_from_db()
    assert event.status == "failed"  # '{"a": 1}' is not a WhatsApp webhook: kept for review
    assert "não reconhecido" in event.error


@pytest.mark.django_db(transaction=True)
def test_a_dead_pooled_connection_does_not_lose_the_webhook(settings):
    """The intake skips Django's per-request health check; a connection the database dropped
    (restart, idle timeout) is replaced and the write done once more."""
    from django.db import connection

    from formaliza.accounts.services import tenant_create
    from formaliza.conversations.services.intake import inbound_event_store

    channel = whatsapp_channel(tenant_create(name="Reconexão", slug="reconexao"))
    assert inbound_event_store(channel_id=channel.pk, body=b'{"n": 1}')
    if connection.vendor == "postgresql":
        import psycopg

        pid = connection.connection.info.backend_pid
        s = connection.settings_dict
        with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                             password=s["PASSWORD"] or None, dbname=s["NAME"], autocommit=True) as admin:  # fmt: skip
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    else:
        connection.close()

    assert inbound_event_store(channel_id=channel.pk, body=b'{"n": 2}') is True
    assert InboundEvent.objects.count() == 2
    assert DBTaskResult.objects.count() == 2
