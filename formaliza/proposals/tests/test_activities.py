import pytest

from formaliza.proposals.activities import IllegalTransition, transition
from formaliza.proposals.choices import Activity as A
from formaliza.proposals.choices import Decision as D


@pytest.mark.parametrize(
    ("activity", "decision", "expected", "approved"),
    [
        (A.DIGITACAO, D.APPROVE, A.APROVA_INICIO_FLUXO_ASS, False),
        (A.DIGITACAO, D.REJECT, A.REPROVADA, False),
        (A.DIGITACAO, D.PENDING, A.PENDENTE, False),
        (A.DIGITACAO, D.CANCEL, A.CANCELADA, False),
        (A.APROVA_INICIO_FLUXO_ASS, D.APPROVE, A.APROVA_INICIO_FLUXO_ASS, True),
        (A.APROVA_INICIO_FLUXO_ASS, D.REJECT, A.REPROVADA, False),
        (A.APROVA_INICIO_FLUXO_ASS, D.PENDING, A.PENDENTE, False),
        (A.APROVA_INICIO_FLUXO_ASS, D.FORMALIZATION_OPENED, A.AGUARDA_FORMALIZACAO_DIGITAL, False),
        (A.AGUARDA_FORMALIZACAO_DIGITAL, D.FORMALIZATION_COMPLETED, A.FORMALIZADA, False),
        (
            A.AGUARDA_FORMALIZACAO_DIGITAL,
            D.FORMALIZATION_CANCELLED,
            A.APROVA_INICIO_FLUXO_ASS,
            False,
        ),
        (A.PENDENTE, D.REJECT, A.REPROVADA, False),
    ],
)
def test_legal_transitions(activity, decision, expected, approved):
    step = transition(activity=activity, decision=decision)
    assert step.to == expected
    assert step.approved is approved


def test_pending_returns_to_where_it_was_made_pending():
    step = transition(
        activity=A.PENDENTE, decision=D.APPROVE, pending_from=A.APROVA_INICIO_FLUXO_ASS
    )
    assert step.to == A.APROVA_INICIO_FLUXO_ASS
    assert step.approved is False


@pytest.mark.parametrize("final", [A.FORMALIZADA, A.REPROVADA, A.CANCELADA])
@pytest.mark.parametrize("decision", [D.APPROVE, D.REJECT, D.PENDING, D.CANCEL])
def test_final_activities_refuse_everything(final, decision):
    with pytest.raises(IllegalTransition) as err:
        transition(activity=final, decision=decision)
    assert err.value.code == "activity_final"
    assert "final" in err.value.message


@pytest.mark.parametrize("decision", [D.APPROVE, D.REJECT, D.PENDING, D.CANCEL])
def test_waiting_for_signature_refuses_people(decision):
    with pytest.raises(IllegalTransition) as err:
        transition(activity=A.AGUARDA_FORMALIZACAO_DIGITAL, decision=decision)
    assert err.value.code == "awaiting_signature"


def test_approving_twice_is_refused():
    with pytest.raises(IllegalTransition) as err:
        transition(activity=A.APROVA_INICIO_FLUXO_ASS, decision=D.APPROVE, approved=True)
    assert err.value.code == "already_approved"


@pytest.mark.parametrize(
    ("activity", "decision"),
    [
        (A.DIGITACAO, D.FORMALIZATION_OPENED),
        (A.DIGITACAO, D.FORMALIZATION_COMPLETED),
        (A.APROVA_INICIO_FLUXO_ASS, D.FORMALIZATION_COMPLETED),
        (A.PENDENTE, D.PENDING),
    ],
)
def test_out_of_place_decisions_are_refused(activity, decision):
    with pytest.raises(IllegalTransition):
        transition(activity=activity, decision=decision)
