"""A worker killed mid-dispatch: nothing is lost and nothing is sent twice."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
import time_machine
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from formaliza.accounts.roles import Role
from formaliza.accounts.services import tenant_create
from formaliza.conversations.fake_provider import FakeProvider, channel_register
from formaliza.conversations.models import DispatchAttempt, Message
from formaliza.conversations.services import TemplateInput, message_send_template, template_save
from formaliza.conversations.services.dispatch import _claim
from formaliza.conversations.tests.helpers import deliver, webhook_path, whatsapp_channel
from formaliza.conversations.tests.test_concurrency import _database_url
from formaliza.core import clock
from formaliza.core.tasks import stale_tasks_requeue
from formaliza.core.testing import queued_tasks, run_queued_tasks

BODY = [{"type": "BODY", "text": "Olá {{1}}"}]


def _template(tenant, fake, channel):
    template_save(tenant=tenant, channel_id=channel.pk,
                  data=TemplateInput(name="convite", language="pt_BR", category="utility", components=BODY))  # fmt: skip
    fake.register_template(channel.business_account_id,
                           {"name": "convite", "language": "pt_BR", "category": "UTILITY", "components": BODY})  # fmt: skip


def _send(actor, channel, to="11987654321"):
    return message_send_template(
        actor=actor, channel=channel, to=to, template="convite", variables=["Maria"]
    )


def test_interrupted_dispatch_waits_for_a_receipt_then_fails_visibly_without_resending(
    kit, fake_api, channel, handlers
):
    _template(kit.tenant, fake_api, channel)
    message = _send(kit.actor(Role.OPERATOR), channel)
    following = _send(kit.actor(Role.OPERATOR), channel)
    DBTaskResult.objects.all().delete()
    # What a worker killed during the provider call leaves behind: claimed, attempt recorded.
    _claim(message.pk, 0)
    Message.objects.filter(pk=message.pk).update(
        claimed_until=clock.now() - dt.timedelta(seconds=1)
    )
    from formaliza.conversations.services import message_dispatch, messages_sweep

    assert messages_sweep() >= 1
    assert message_dispatch(message_id=message.pk) == "awaiting_receipt"
    assert fake_api.sent == []

    grace = dt.timedelta(seconds=settings.CONVERSATION_UNCERTAIN_GRACE_SECONDS + 1)
    with time_machine.travel(clock.now() + grace, tick=True):
        run_queued_tasks()

    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", "dispatch_interrupted")
    assert "Confira com o cliente" in message.error_explanation
    assert [a.outcome for a in message.dispatches.all()] == ["interrupted"]
    assert ("status", message.pk, "failed") in handlers
    following.refresh_from_db()
    assert following.status == "accepted"  # the next message was not stuck behind it
    assert [
        s["payload"]["template"]["components"][0]["parameters"][0]["text"] for s in fake_api.sent
    ] == ["Maria"]
    assert len(fake_api.sent) == 1  # the interrupted one was never sent again


def test_a_message_in_flight_elsewhere_is_left_alone(kit, fake_api, channel):
    _template(kit.tenant, fake_api, channel)
    message = _send(kit.actor(Role.OPERATOR), channel)
    DBTaskResult.objects.all().delete()
    _claim(message.pk, 0)
    from formaliza.conversations.services import message_dispatch

    assert message_dispatch(message_id=message.pk) == "in_flight"
    assert queued_tasks("message_dispatch") == []


def test_duplicate_dispatch_tasks_send_once(kit, fake_api, channel):
    from formaliza.conversations.tasks import message_dispatch

    _template(kit.tenant, fake_api, channel)
    message = _send(kit.actor(Role.OPERATOR), channel)
    message_dispatch.enqueue(message.pk)
    message_dispatch.enqueue(message.pk)
    run_queued_tasks()
    assert len(fake_api.sent) == 1


@pytest.mark.django_db(transaction=True)
def test_worker_killed_during_the_provider_call_sends_once_and_completes_from_the_receipt(settings):
    fake = FakeProvider(mode="collect", status_delay=0.0, read_after=0.0, send_delay=2.0)
    settings.FAKE_PROVIDER_URL = fake.start()
    try:
        tenant = tenant_create(name="Promotora Crash", slug="crash")
        channel = whatsapp_channel(tenant)
        channel_register(fake, channel, callback_url="http://testserver" + webhook_path(channel))
        _template(tenant, fake, channel)
        from formaliza.accounts.actors import Actor

        message = _send(Actor.of_system(tenant, "teste"), channel)
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "FAKE_PROVIDER_URL": fake.url,
            "LOG_LEVEL": "WARNING",
        }
        worker = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker", "--queue-name", "*",
             "--interval", "0.1", "--no-reload", "--no-startup-delay", "--worker-id", "doomed", "-v", "0"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert fake.in_flight.wait(timeout=60), "the worker never called the provider"
        worker.send_signal(signal.SIGKILL)  # mid-call: the attempt is recorded, no answer read
        worker.wait(timeout=60)
        deadline = time.monotonic() + 60  # the provider's answer to the killed call (a loaded CI)
        while not fake.sent and time.monotonic() < deadline:
            time.sleep(0.05)

        message.refresh_from_db()
        assert message.status == "sending"
        assert [a.outcome for a in message.dispatches.all()] == [DispatchAttempt.Outcome.IN_FLIGHT]

        # The provider did take it: its status webhooks (carrying our message id) arrive.
        assert set(deliver(fake)) == {200}
        run_queued_tasks()
        # The dead worker's task is handed back to the queue and runs again.
        settings.TASK_STALE_AFTER_SECONDS = 0
        assert stale_tasks_requeue.call() >= 1
        run_queued_tasks()

        message.refresh_from_db()
        assert message.status == "read"
        assert message.provider_message_id == fake.sent[0]["id"]
        assert [a.outcome for a in message.dispatches.all()] == [DispatchAttempt.Outcome.ACCEPTED]
        assert len(fake.sent) == 1
    finally:
        fake.stop()
