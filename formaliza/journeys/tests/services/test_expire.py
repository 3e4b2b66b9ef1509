"""A journey that is not signed in time expires: link dead, formalization cancelled."""

import datetime as dt

import pytest
import time_machine

from formaliza.accounts.roles import Role
from formaliza.core import clock
from formaliza.core.errors import PermissionDenied
from formaliza.core.testing import run_queued_tasks
from formaliza.evidence.models import EvidenceEvent
from formaliza.journeys import services
from formaliza.journeys.models import Journey
from formaliza.journeys.selectors import LinkState, link_resolve
from formaliza.journeys.tests.helpers import open_formalization
from formaliza.proposals.models import Proposal


def _token(url):
    return url.rsplit("/j/", 1)[1]


def test_sweep_expires_overdue_journeys_and_cancels_their_formalization(
    settings, kit, make_input, outbox
):
    settings.JOURNEY_TTL_DAYS = 3
    started = services.journey_start(request_id=open_formalization(kit, make_input).pk)
    fresh = services.journey_start(request_id=open_formalization(kit, make_input).pk)
    Journey.objects.filter(pk=fresh.journey.pk).update(
        expires_at=clock.now() + dt.timedelta(days=9)
    )

    with time_machine.travel(clock.now() + dt.timedelta(days=3, minutes=1)):
        result = services.journeys_sweep()
        again = services.journeys_sweep()

    assert (result.expired, again.expired) == (1, 0)
    journey = Journey.objects.get(pk=started.journey.pk)
    assert journey.status == "expired"
    assert link_resolve(token=_token(started.link_url)).state == LinkState.JOURNEY_EXPIRED
    assert journey.request.status == "cancelled"
    assert set(
        Proposal.objects.filter(formalizations=journey.request).values_list("activity", flat=True)
    ) == {"APROVA_INICIO_FLUXO_ASS"}
    kinds = EvidenceEvent.objects.filter(subject_id=str(journey.pk)).values_list("kind", flat=True)
    assert list(kinds).count("journey.expired") == 1
    assert Journey.objects.get(pk=fresh.journey.pk).status == "active"


def test_expire_needs_permission_and_changes_nothing_without_it(kit, started):
    with pytest.raises(PermissionDenied):
        services.journey_expire(actor=kit.actor(Role.CORRESPONDENT), journey_id=started.journey.pk)
    started.journey.refresh_from_db()
    assert started.journey.status == "active"
    assert started.journey.request.status == "open"


def test_expire_keeps_a_signed_journey_signed(kit, started):
    from formaliza.journeys.tests.helpers import walk

    walk(started.journey, until="done")
    journey = services.journey_expire(actor=kit.actor(Role.MANAGER), journey_id=started.journey.pk)
    assert journey.status == "signed"
    assert journey.request.status == "completed"
    run_queued_tasks()
