"""The self-service link: the same e-mail joins the agent's record (after a code), another
e-mail makes a new record."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from formaliza.cases import services
from formaliza.cases.events import Who
from formaliza.cases.models import CaseClient, EmailChallenge
from formaliza.cases.tests.helpers import agent_of, calc_input, registered_input
from formaliza.core.errors import ApplicationError
from formaliza.core.testing import run_queued_tasks


@pytest.fixture
def profile(kit):
    return services.agent_profile_ensure(user=agent_of(kit))


def _draft(kit):
    return services.calculation_run(
        tenant=kit.tenant, agent=agent_of(kit), data=calc_input(), origin="self_service"
    )


def _agent_client(kit):
    who = Who(kind="user", label="Agente", user=agent_of(kit))
    return services.client_create(
        tenant=kit.tenant,
        agent=agent_of(kit),
        data=services.ClientInput(name="Maria", email="Maria@Example.com"),
        who=who,
    )


def test_the_agents_email_joins_the_same_record_after_the_code(kit, channels, profile):
    existing = _agent_client(kit)
    outcome = services.selfservice_register(
        profile=profile, calculation=_draft(kit), data=registered_input()
    )
    assert outcome.challenge is not None and outcome.case is None
    run_queued_tasks()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    joined = services.selfservice_verify(
        challenge=outcome.challenge, code=code, data=registered_input()
    )
    assert joined.client.pk == existing.pk and CaseClient.objects.count() == 1
    existing.refresh_from_db()
    assert existing.cpf == "52998224725" and existing.email_verified_at is not None
    assert joined.case.client_id == existing.pk


def test_a_wrong_code_joins_nothing(kit, channels, profile):
    _agent_client(kit)
    outcome = services.selfservice_register(
        profile=profile, calculation=_draft(kit), data=registered_input()
    )
    with pytest.raises(ApplicationError) as caught:
        services.selfservice_verify(
            challenge=outcome.challenge, code="xxxxxx", data=registered_input(name="Outro Nome")
        )
    assert caught.value.code == "email_code_wrong"
    assert CaseClient.objects.get().name == "Maria" and EmailChallenge.objects.get().attempts == 1


def test_another_email_makes_a_new_record_never_a_merge(kit, channels, profile):
    existing = _agent_client(kit)
    outcome = services.selfservice_register(
        profile=profile, calculation=_draft(kit), data=registered_input(email="outra@example.com")
    )
    assert outcome.client.pk != existing.pk and outcome.client.origin == "self_service"
    assert CaseClient.objects.count() == 2 and outcome.case.client_id == outcome.client.pk


def test_a_joined_client_continues_the_agents_open_case(kit, channels, profile):
    from formaliza.cases.models import Case
    from formaliza.cases.tests.helpers import saved_case

    case = saved_case(
        kit, client_data=services.ClientInput(name="Maria", email="maria@example.com")
    )
    outcome = services.selfservice_register(
        profile=profile, calculation=_draft(kit), data=registered_input()
    )
    run_queued_tasks()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    joined = services.selfservice_verify(
        challenge=outcome.challenge, code=code, data=registered_input()
    )
    assert joined.case.pk == case.pk and Case.objects.count() == 1
    assert joined.case.calculation_id == case.calculation_id
