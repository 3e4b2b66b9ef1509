"""Messages to the client through the ClientMessenger port: retries, failures, idempotency."""

import datetime as dt

import time_machine

from formaliza.core import clock
from formaliza.core.testing import queued_tasks, run_queued_tasks
from formaliza.evidence.models import EvidenceEvent
from formaliza.journeys import services
from formaliza.journeys.models import JourneyNotification
from formaliza.journeys.ports import MessengerError


def _kinds(journey):
    return list(
        EvidenceEvent.objects.filter(subject_id=str(journey.pk)).values_list("kind", flat=True)
    )


def test_a_retryable_failure_is_retried_later_then_sent(started, outbox):
    outbox.failures.append(MessengerError("timeout", retryable=True))

    run_queued_tasks()

    notification = JourneyNotification.objects.get(journey=started.journey)
    assert (notification.status, notification.attempts) == ("pending", 1)
    assert notification.last_error == "timeout"
    assert notification.next_attempt_at > clock.now()
    assert outbox.links() == []
    assert "message.sent" not in _kinds(started.journey)

    with time_machine.travel(clock.now() + dt.timedelta(minutes=5)):
        run_queued_tasks()

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert notification.provider == "fake"
    assert notification.provider_message_id.startswith("wamid.fake")
    assert len(outbox.links()) == 1
    sent = EvidenceEvent.objects.get(subject_id=str(started.journey.pk), kind="message.sent")
    assert sent.data["message_id"] == notification.provider_message_id


def test_a_terminal_failure_is_recorded_and_not_retried(started, outbox):
    outbox.failures.append(MessengerError("número sem WhatsApp", retryable=False))

    with time_machine.travel(clock.now() + dt.timedelta(hours=2)):
        run_queued_tasks()

    notification = JourneyNotification.objects.get(journey=started.journey)
    assert (notification.status, notification.attempts) == ("failed", 1)
    assert outbox.links() == []
    assert queued_tasks("journey_notification_send") == []
    assert _kinds(started.journey)[-1] == "message.failed"
    started.journey.refresh_from_db()
    assert started.journey.first_sent_at is None


def test_a_duplicate_task_does_not_send_twice(started, outbox):
    notification = JourneyNotification.objects.get(journey=started.journey)
    assert services.journey_notification_send(notification_id=notification.pk) == "sent"
    assert services.journey_notification_send(notification_id=notification.pk) == "skipped"
    assert len(outbox.links()) == 1


def test_sweep_requeues_a_message_whose_task_was_lost(started, outbox):
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()  # the worker died with the task
    later = clock.now() + dt.timedelta(minutes=10)
    with time_machine.travel(later):
        assert services.journeys_sweep().requeued_messages == 1
        run_queued_tasks()
    assert len(outbox.links()) == 1
