import pytest

from formaliza.accounts.roles import Role
from formaliza.core.errors import NotFound, PermissionDenied, ValidationFailed
from formaliza.proposals.activities import IllegalTransition
from formaliza.proposals.choices import Activity
from formaliza.proposals.models import ActivityChange
from formaliza.proposals.tests.helpers import decide, typed


def test_approve_in_typing_moves_to_approval_step_with_history(kit, make_input):
    (p,) = typed(kit, make_input)
    result = decide(kit, p, "approve", observation="Tudo digitado")
    assert result.proposal.activity == Activity.APROVA_INICIO_FLUXO_ASS
    last = result.proposal.history.last()
    assert (last.from_activity, last.to_activity, last.decision, last.observation) == (
        "DIGITACAO",
        "APROVA_INICIO_FLUXO_ASS",
        "approve",
        "Tudo digitado",
    )
    assert last.actor_user == kit.users[Role.CORRESPONDENT]
    assert last.created_at is not None


@pytest.mark.parametrize(
    ("decision", "target"),
    [("reject", "REPROVADA"), ("pending", "PENDENTE"), ("cancel", "CANCELADA")],
)
def test_negative_decisions_need_an_observation(kit, make_input, decision, target):
    (p,) = typed(kit, make_input)
    with pytest.raises(ValidationFailed) as err:
        decide(kit, p, decision, observation="  ")
    assert err.value.fields[0].code == "observation_required"
    p.refresh_from_db()
    assert p.activity == Activity.DIGITACAO
    assert decide(kit, p, decision, observation="motivo").proposal.activity == target


def test_pending_then_approved_goes_back_to_its_activity(kit, make_input):
    (p,) = typed(kit, make_input)
    decide(kit, p, "approve")
    decide(kit, p, "pending", "Falta documento")
    result = decide(kit, p, "approve")
    assert result.proposal.activity == Activity.APROVA_INICIO_FLUXO_ASS
    assert result.proposal.approved_in_activity is False


def test_illegal_transition_is_refused_and_nothing_recorded(kit, make_input):
    (p,) = typed(kit, make_input)
    decide(kit, p, "reject", "Sem margem")
    before = ActivityChange.objects.count()
    with pytest.raises(IllegalTransition) as err:
        decide(kit, p, "approve")
    assert err.value.code == "activity_final"
    assert ActivityChange.objects.count() == before


def test_unknown_decision_is_a_validation_error(kit, make_input):
    (p,) = typed(kit, make_input)
    with pytest.raises(ValidationFailed) as err:
        decide(kit, p, "formalization_completed")
    assert err.value.fields[0].code == "invalid_decision"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.CORRESPONDENT])
def test_roles_that_may_decide(kit, make_input, role):
    (p,) = typed(kit, make_input)
    assert (
        decide(kit, p, "approve", actor=kit.actor(role)).proposal.activity
        == Activity.APROVA_INICIO_FLUXO_ASS
    )


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ATTENDANT])
def test_roles_that_may_not_decide(kit, make_input, role):
    (p,) = typed(kit, make_input)
    with pytest.raises(PermissionDenied):
        decide(kit, p, "approve", actor=kit.actor(role))
    p.refresh_from_db()
    assert p.activity == Activity.DIGITACAO


def test_another_tenants_proposal_is_not_found(kit, other_kit, make_input):
    (p,) = typed(kit, make_input)
    with pytest.raises(NotFound):
        decide(other_kit, p, "approve", actor=other_kit.actor(Role.ADMIN))
    p.refresh_from_db()
    assert p.activity == Activity.DIGITACAO


def test_correspondent_of_another_branch_cannot_see_it(kit, make_input):
    (p,) = typed(kit, make_input, actor=kit.actor(Role.MANAGER), branch="002")
    with pytest.raises(NotFound):
        decide(kit, p, "approve", actor=kit.actor(Role.CORRESPONDENT))
