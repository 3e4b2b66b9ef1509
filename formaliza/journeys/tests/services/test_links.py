"""Resending, renewing and expiring links; the client's request for a new one."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from formaliza.accounts.roles import Role
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, NotFound, PermissionDenied
from formaliza.core.testing import run_queued_tasks
from formaliza.evidence.models import EvidenceEvent
from formaliza.journeys import services
from formaliza.journeys.models import JourneyLink
from formaliza.journeys.selectors import LinkState, link_resolve
from formaliza.journeys.tests.helpers import CLIENT_CTX


def _token(url):
    return url.rsplit("/j/", 1)[1]


def _events(journey, kind):
    return EvidenceEvent.objects.filter(
        subject_type="journey", subject_id=str(journey.pk), kind=kind
    )


def test_link_expires_after_the_configured_time(settings, kit, make_input):
    from formaliza.journeys.tests.helpers import open_formalization

    settings.JOURNEY_LINK_TTL_HOURS = 2
    started = services.journey_start(request_id=open_formalization(kit, make_input).pk)
    token = _token(started.link_url)
    link = JourneyLink.objects.get(journey=started.journey)
    assert link.expires_at - link.created_at == dt.timedelta(hours=2)

    with time_machine.travel(clock.now() + dt.timedelta(hours=1, minutes=59)):
        assert link_resolve(token=token).state == LinkState.OK
    with time_machine.travel(clock.now() + dt.timedelta(hours=2, seconds=1)):
        assert link_resolve(token=token).state == LinkState.EXPIRED


def test_tampered_and_unknown_tokens_resolve_to_nothing(started):
    token = _token(started.link_url)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert link_resolve(token=tampered) is None
    assert link_resolve(token="") is None
    assert link_resolve(token="x" * 5000) is None
    assert link_resolve(token=token) is not None


def test_resend_sends_the_same_link_again(kit, started, outbox):
    run_queued_tasks()
    services.journey_link_resend(actor=kit.actor(Role.OPERATOR), journey_id=started.journey.pk)
    run_queued_tasks()

    first, second = outbox.links()
    assert second.link_url == first.link_url == started.link_url
    assert second.reason == "resend"
    assert _events(started.journey, "link.resent").count() == 1
    assert _events(started.journey, "message.sent").count() == 2


def test_renew_revokes_the_old_link_and_sends_a_new_one(kit, started, outbox):
    run_queued_tasks()
    renewed = services.journey_link_renew(
        actor=kit.actor(Role.OPERATOR), journey_id=started.journey.pk
    )
    run_queued_tasks()

    old, new = _token(started.link_url), _token(renewed.link_url)
    assert old != new
    assert link_resolve(token=old).state == LinkState.REPLACED
    assert link_resolve(token=new).state == LinkState.OK
    assert outbox.links()[-1].link_url == renewed.link_url
    assert outbox.links()[-1].reason == "renew"
    event = _events(started.journey, "link.renewed").get()
    assert event.actor_kind == "user"
    assert event.data["link"]["id"] == renewed.link.pk


def test_a_resend_queued_before_a_renewal_does_not_send_the_dead_link(kit, started, outbox):
    run_queued_tasks()
    services.journey_link_resend(actor=kit.actor(Role.OPERATOR), journey_id=started.journey.pk)
    services.journey_link_renew(actor=kit.actor(Role.OPERATOR), journey_id=started.journey.pk)
    run_queued_tasks()

    reasons = [m.reason for m in outbox.links()]
    assert reasons == ["initial", "renew"]
    failed = started.journey.notifications.get(reason="resend")
    assert (failed.status, failed.last_error) == (
        "failed",
        "O link foi substituído antes do envio.",
    )


def test_resend_of_an_expired_link_is_refused_without_sending(kit, started, outbox):
    run_queued_tasks()
    later = clock.now() + dt.timedelta(days=2)
    with time_machine.travel(later), pytest.raises(ApplicationError) as err:
        services.journey_link_resend(actor=kit.actor(Role.OPERATOR), journey_id=started.journey.pk)
    assert err.value.code == "journey_link_expired"
    run_queued_tasks()
    assert len(outbox.links()) == 1
    assert not _events(started.journey, "link.resent").exists()


def test_link_actions_need_the_permission_and_the_tenant(kit, other_kit, started, outbox):
    with pytest.raises(PermissionDenied):
        services.journey_link_renew(
            actor=kit.actor(Role.CORRESPONDENT), journey_id=started.journey.pk
        )
    with pytest.raises(NotFound):
        services.journey_link_renew(
            actor=other_kit.actor(Role.ADMIN), journey_id=started.journey.pk
        )
    with pytest.raises(NotFound):
        services.journey_link_resend(
            actor=other_kit.actor(Role.ADMIN), journey_id=started.journey.pk
        )
    assert JourneyLink.objects.filter(journey=started.journey).count() == 1
    assert link_resolve(token=_token(started.link_url)).state == LinkState.OK
    run_queued_tasks()
    assert len(outbox.links()) == 1


@override_settings(JOURNEY_LINK_REQUESTS_PER_HOUR=2, JOURNEY_LINK_REQUEST_COOLDOWN_SECONDS=60)
def test_client_asks_for_a_new_link_rate_limited(started, outbox):
    run_queued_tasks()
    link = JourneyLink.objects.get(journey=started.journey)
    now = clock.now()
    with time_machine.travel(now + dt.timedelta(days=1, minutes=1), tick=False):
        services.journey_link_request(link_id=link.pk, context=CLIENT_CTX)
        run_queued_tasks()
        with pytest.raises(ApplicationError) as err:  # cooldown
            services.journey_link_request(link_id=link.pk, context=CLIENT_CTX)
        assert err.value.code == "link_request_rate_limited"
        assert err.value.status == 429
    with time_machine.travel(now + dt.timedelta(days=1, minutes=3), tick=False):
        services.journey_link_request(link_id=link.pk, context=CLIENT_CTX)
        run_queued_tasks()
    with time_machine.travel(now + dt.timedelta(days=1, minutes=5), tick=False):
        with pytest.raises(ApplicationError) as err:  # two in the last hour
            services.journey_link_request(link_id=link.pk, context=CLIENT_CTX)
        assert err.value.code == "link_request_rate_limited"
        run_queued_tasks()

    assert [m.reason for m in outbox.links()] == ["initial", "requested", "requested"]
    assert JourneyLink.objects.filter(journey=started.journey).count() == 3
    assert JourneyLink.objects.filter(journey=started.journey, revoked_at__isnull=True).count() == 1
    event = _events(started.journey, "link.requested").first()
    assert (event.actor_kind, event.ip) == ("client", CLIENT_CTX.ip)


def test_client_cannot_request_a_new_link_while_the_current_one_works(started, outbox):
    link = JourneyLink.objects.get(journey=started.journey)
    with pytest.raises(ApplicationError) as err:
        services.journey_link_request(link_id=link.pk, context=CLIENT_CTX)
    assert err.value.code == "link_still_valid"
    assert JourneyLink.objects.filter(journey=started.journey).count() == 1
