"""`manage.py demo_seed` leaves two agents with cases in every status (called by name: the
demo app sits above this one)."""

from __future__ import annotations

import io

from django.core.management import call_command

from formaliza.accounts.models import User
from formaliza.cases.models import Calculation, Case, CaseStatus


def test_the_demo_has_two_agents_with_cases_in_every_status(db, settings, tmp_path):
    settings.JOURNEY_MESSENGER = "formaliza.journeys.adapters.console.ConsoleMessenger"
    call_command("demo_seed", stdout=io.StringIO())
    agents = User.objects.filter(role="agent")
    assert agents.count() == 2
    for agent in agents:
        statuses = set(Case.objects.filter(agent=agent).values_list("status", flat=True))
        assert statuses == set(CaseStatus.values) - {CaseStatus.CANCELLED}, agent
        assert Calculation.objects.filter(agent=agent, saved_at=None, outcome="decadent").exists()
    filed = Case.objects.filter(status=CaseStatus.FILED)
    assert all(case.protocol_number and case.notifications.exists() for case in filed)
    call_command("demo_seed", stdout=io.StringIO())
    assert Case.objects.count() == 18
