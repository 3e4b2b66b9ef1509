import datetime as dt

import pytest
import time_machine
from django.db import connection

from formaliza.core import clock
from formaliza.core.errors import NotFound, ValidationFailed
from formaliza.core.testing import queued_tasks, run_queued_tasks
from formaliza.webhooks import signing
from formaliza.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from formaliza.webhooks.services import (
    webhook_deliveries_sweep,
    webhook_delivery_redeliver,
    webhook_endpoint_create,
    webhook_event_emit,
)


@pytest.fixture
def endpoint(kit, receiver, settings):
    # Generous: a loaded machine must not turn a normal local answer into a timeout.
    settings.WEBHOOK_TIMEOUT_SECONDS = 10
    return webhook_endpoint_create(tenant=kit.tenant, url=receiver.url + "/hooks")


def _emit(kit):
    return webhook_event_emit(
        tenant=kit.tenant, event_type="proposal.activity_changed", data={"x": 1}
    )


def run_later(days=12):
    """Run what is queued, as a worker would over the next days (every retry delay passes)."""
    start = clock.now()
    for day in range(1, days + 1):
        with time_machine.travel(start + dt.timedelta(days=day), tick=True):
            run_queued_tasks()


def test_event_is_delivered_signed_by_the_worker(kit, endpoint, receiver):
    event = webhook_event_emit(
        tenant=kit.tenant,
        event_type="proposal.activity_changed",
        data={"proposal": {"number": "7"}},
    )
    assert receiver.requests == []  # nothing leaves before the worker runs

    run_queued_tasks()

    (request,) = receiver.requests
    assert request.path == "/hooks"
    header = request.headers["X-Formaliza-Signature"]
    assert signing.verify(secret=endpoint.secret, body=request.body, header=header)
    assert not signing.verify(secret="whsec_wrong", body=request.body, header=header)
    assert not signing.verify(secret=endpoint.secret, body=request.body + b" ", header=header)
    payload = request.json()
    assert (payload["id"], payload["type"]) == (str(event.pk), "proposal.activity_changed")
    assert payload["data"] == {"proposal": {"number": "7"}}
    delivery = WebhookDelivery.objects.get()
    assert request.headers["X-Formaliza-Delivery"] == str(delivery.pk)
    assert request.headers["X-Formaliza-Event"] == "proposal.activity_changed"
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_encrypted_field_is_not_plaintext_in_the_database(kit):
    endpoint = WebhookEndpoint.objects.create(
        tenant=kit.tenant, url="https://x.example", secret="whsec_abc123"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        (stored,) = cursor.fetchone()
    assert "whsec_abc123" not in stored
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == "whsec_abc123"


def test_signature_refuses_stale_timestamps(endpoint):
    body = b'{"a":1}'
    old = signing.sign(secret=endpoint.secret, body=body, timestamp=1_000_000)
    assert not signing.verify(secret=endpoint.secret, body=body, header=old)
    assert signing.verify(secret=endpoint.secret, body=body, header=old, now=1_000_100)


@pytest.mark.parametrize("status", [500, 502, 503, 429, 408])
def test_retryable_answers_are_retried_with_backoff(kit, endpoint, receiver, status):
    receiver.reply(status, "falhou")
    _emit(kit)
    run_queued_tasks()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, status)
    assert delivery.next_attempt_at > clock.now() + dt.timedelta(seconds=10)  # base 30 s, jittered
    (retry,) = queued_tasks("webhook_delivery_attempt")
    assert retry.run_after == delivery.next_attempt_at

    run_later()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert len(receiver.requests) == 2
    first, second = delivery.attempt_log.all()
    assert (first.status_code, first.will_retry, second.status_code) == (status, True, 200)
    # Both attempts carried the same body and delivery id; a receiver can deduplicate.
    assert receiver.requests[0].body == receiver.requests[1].body


def test_timeout_is_retried(kit, endpoint, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver.reply(200, "tarde demais", delay=2.0)
    _emit(kit)
    run_queued_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    assert "Tempo esgotado" in delivery.last_error
    run_later()
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_client_errors_are_not_retried(kit, endpoint, receiver, status):
    receiver.reply(status, "nao quero")
    _emit(kit)
    run_later()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, status)
    assert len(receiver.requests) == 1
    assert queued_tasks("webhook_delivery_attempt") == []


def test_gives_up_after_max_attempts(kit, endpoint, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.default = (503, b"", 0.0)
    _emit(kit)
    run_later()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert len(receiver.requests) == 3
    assert [a.will_retry for a in delivery.attempt_log.all()] == [True, True, False]


def test_operator_can_redeliver_a_failed_delivery(kit, endpoint, receiver):
    receiver.reply(400)
    _emit(kit)
    run_queued_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    webhook_delivery_redeliver(tenant=kit.tenant, delivery_id=delivery.pk)
    run_queued_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_duplicate_attempt_tasks_deliver_once(kit, endpoint, receiver):
    from formaliza.webhooks.tasks import webhook_delivery_attempt

    _emit(kit)
    delivery = WebhookDelivery.objects.get()
    webhook_delivery_attempt.enqueue(str(delivery.pk))
    webhook_delivery_attempt.enqueue(str(delivery.pk))
    run_queued_tasks()
    assert len(receiver.requests) == 1


def test_sweeper_requeues_a_delivery_whose_task_was_lost(kit, endpoint, receiver):
    from django_tasks_db.models import DBTaskResult

    _emit(kit)
    DBTaskResult.objects.all().delete()  # the worker holding it died and the row was lost
    WebhookDelivery.objects.update(next_attempt_at=clock.now() - dt.timedelta(minutes=10))
    assert webhook_deliveries_sweep() == 1
    run_queued_tasks()
    assert WebhookDelivery.objects.get().status == "delivered"


def test_private_addresses_are_refused_unless_allow_listed(kit, settings):
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    for url in (
        "http://127.0.0.1:9/x",
        "http://10.0.0.5/x",
        "http://169.254.169.254/latest",
        "ftp://example.com",
    ):
        with pytest.raises(ValidationFailed) as err:
            webhook_endpoint_create(tenant=kit.tenant, url=url)
        assert err.value.fields[0].field == "url"
    kit.tenant.outbound_allowlist = ["10.0.0.0/8"]
    assert webhook_endpoint_create(tenant=kit.tenant, url="http://10.0.0.5/x").endpoint.pk


def test_no_endpoint_means_no_event(kit):
    assert _emit(kit) is None
    assert WebhookEvent.objects.count() == 0


def test_endpoint_filters_event_types(kit, receiver):
    webhook_endpoint_create(
        tenant=kit.tenant, url=receiver.url, event_types=["formalization.opened"]
    )
    assert _emit(kit) is None


def test_another_tenants_delivery_cannot_be_redelivered(kit, other_kit, endpoint, receiver):
    receiver.reply(400)
    _emit(kit)
    run_queued_tasks()
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(NotFound):
        webhook_delivery_redeliver(tenant=other_kit.tenant, delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
