"""Concurrent duplicate deliveries handled by concurrent real workers: one message each, one
handle and one open conversation per client, one handler call per message."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django_tasks_db.models import DBTaskResult

from formaliza.accounts.services import tenant_create
from formaliza.conversations.fake_provider import payloads
from formaliza.conversations.models import ContactHandle, Conversation, InboundEvent, Message
from formaliza.conversations.tests.helpers import PNID, WABA, webhook_path, whatsapp_channel

pytestmark = pytest.mark.django_db(transaction=True)

HANDLER = "formaliza.conversations.tests.handler_tasks.record_inbound"


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(worker_id: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "LOG_LEVEL": "WARNING",
           "CONVERSATION_INBOUND_HANDLERS": HANDLER}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker", "--batch",
         "--queue-name", "*", "--interval", "0", "--no-reload", "--no-startup-delay",
         "--worker-id", worker_id, "-v", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _bodies() -> list[bytes]:
    """12 messages from 3 clients, delivered in several batchings (each message alone, all of
    a client's together, everything in one POST reversed)."""
    messages = {}
    for c, wa_id in enumerate(["5511987650001", "5521987650002", "5531987650003"]):
        messages[wa_id] = [
            payloads.meta_message(
                wa_id=wa_id, message_type="text", body={"text": {"body": f"msg {c}-{n}"}},
                message_id=f"wamid.C{c}N{n}", timestamp=1_767_264_000 + n,
            )
            for n in range(4)
        ]  # fmt: skip

    def envelope(wa_id, items):
        return payloads.dumps(payloads.meta_inbound(
            waba_id=WABA, phone_number_id=PNID, display_phone="5511940001000", wa_id=wa_id,
            profile_name="Cliente", messages=items,
        ))  # fmt: skip

    bodies = [envelope(wa, [m]) for wa, items in messages.items() for m in items]
    bodies += [envelope(wa, items) for wa, items in messages.items()]
    everything = json.loads(envelope("5511987650001", []))
    value = everything["entry"][0]["changes"][0]["value"]
    value["contacts"] = [{"profile": {"name": "Cliente"}, "wa_id": wa} for wa in messages]
    value["messages"] = [m for items in messages.values() for m in items][::-1]
    bodies.append(payloads.dumps(everything))
    return bodies


def test_concurrent_replays_through_concurrent_workers(settings):
    tenant = tenant_create(name="Promotora Concorrente", slug="concorrente")
    channel = whatsapp_channel(tenant)
    bodies = _bodies()
    errors: list[str] = []

    def post_all(offset: int) -> None:
        client = Client()
        try:
            for body in bodies[offset:] + bodies[:offset]:
                response = client.post(
                    webhook_path(channel), data=body, content_type="application/json",
                    headers={"X-Hub-Signature-256": payloads.meta_signature(channel.app_secret, body)},
                )  # fmt: skip
                if response.status_code != 200:
                    errors.append(str(response.status_code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post_all, args=(n * 3,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert InboundEvent.objects.count() == len(bodies)  # identical bodies stored once

    workers = [_worker("w1"), _worker("w2")]
    outputs = [w.communicate(timeout=300)[0].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs

    assert InboundEvent.objects.exclude(status="processed").count() == 0, list(
        InboundEvent.objects.values_list("status", "error")
    )
    assert Message.objects.count() == 12
    assert ContactHandle.objects.count() == 3
    assert Conversation.objects.filter(status="open").count() == 3
    handler_runs = DBTaskResult.objects.filter(task_path=HANDLER)
    assert handler_runs.count() == 12
    ids = sorted(r.args_kwargs["args"][0] for r in handler_runs)
    assert ids == sorted(Message.objects.values_list("pk", flat=True))
