import pytest
from django_tasks import task

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Role
from formaliza.core.errors import ApplicationError, Conflict, PermissionDenied
from formaliza.core.testing import run_queued_tasks
from formaliza.proposals.choices import Activity
from formaliza.proposals.models import FormalizationRequest, Proposal
from formaliza.proposals.services import formalization_cancel, formalization_complete
from formaliza.proposals.tests.helpers import decide, to_approval_step, typed

A = Activity


def test_formalization_opens_only_when_the_last_proposal_is_approved(kit, make_input):
    proposals = to_approval_step(kit, typed(kit, make_input, count=3))
    first = decide(kit, proposals[0], "approve")
    assert first.formalization is None
    assert first.proposal.approved_in_activity is True
    assert decide(kit, proposals[1], "approve").formalization is None
    assert FormalizationRequest.objects.count() == 0

    last = decide(kit, proposals[2], "approve")

    request = last.formalization
    assert request is not None
    assert FormalizationRequest.objects.count() == 1
    assert set(request.proposals.all()) == set(proposals)
    assert request.phone == proposals[0].formalization_phone
    assert request.cpf == proposals[0].cpf
    for p in proposals:
        p.refresh_from_db()
        assert p.activity == A.AGUARDA_FORMALIZACAO_DIGITAL
        opened = p.history.last()
        assert (opened.decision, opened.formalization) == ("formalization_opened", request)


def test_rejecting_the_last_undecided_opens_for_the_approved_ones(kit, make_input):
    a, b = to_approval_step(kit, typed(kit, make_input, count=2))
    decide(kit, a, "approve")
    result = decide(kit, b, "reject", "Documento ilegível")
    (request,) = FormalizationRequest.objects.all()
    assert list(request.proposals.all()) == [a]
    assert result.proposal.activity == A.REPROVADA


def test_other_clients_are_not_grouped(kit, make_input):
    (a,) = to_approval_step(kit, typed(kit, make_input))
    (b,) = to_approval_step(kit, typed(kit, make_input))
    decide(kit, a, "approve")
    b.refresh_from_db()
    assert b.activity == A.APROVA_INICIO_FLUXO_ASS
    assert list(FormalizationRequest.objects.get().proposals.all()) == [a]


def test_different_formalization_phones_in_one_group_are_refused(kit, make_input):
    a, b = typed(kit, make_input, count=2)
    Proposal.objects.filter(pk=b.pk).update(formalization_phone="+5521999998888")
    to_approval_step(kit, [a, b])
    decide(kit, a, "approve")
    with pytest.raises(Conflict) as err:
        decide(kit, b, "approve")
    assert err.value.code == "formalization_phone_mismatch"
    b.refresh_from_db()
    assert b.approved_in_activity is False
    assert FormalizationRequest.objects.count() == 0


def test_second_formalization_for_same_phone_and_cpf_is_refused(kit, make_input):
    (a,) = to_approval_step(kit, typed(kit, make_input))
    decide(kit, a, "approve")
    # A new proposal typed for the same client while the first formalization is open:
    # typing is allowed (with a notice) but approving it at the step is refused.
    from formaliza.proposals.services import proposal_create

    data = make_input(cpf=a.cpf, name=a.name, mobile=a.mobile)
    created = proposal_create(actor=kit.actor(), data=data)
    assert [n.code for n in created.notices] == ["formalization_already_open"]
    (b,) = to_approval_step(kit, [created.proposal])

    with pytest.raises(Conflict) as err:
        decide(kit, b, "approve")

    assert err.value.code == "formalization_already_open"
    assert "cancele" in err.value.message
    b.refresh_from_db()
    assert (b.activity, b.approved_in_activity) == (A.APROVA_INICIO_FLUXO_ASS, False)
    assert FormalizationRequest.objects.count() == 1


def test_database_refuses_a_second_open_request_for_same_phone_and_cpf(kit, make_input):
    from django.db import IntegrityError, transaction

    (a,) = to_approval_step(kit, typed(kit, make_input))
    request = decide(kit, a, "approve").formalization
    with pytest.raises(IntegrityError), transaction.atomic():
        FormalizationRequest.objects.create(
            tenant=kit.tenant, number="X", contact=request.contact, cpf=request.cpf,
            phone=request.phone, opened_by="teste",
        )  # fmt: skip


def test_cancelling_lets_all_proposals_regroup_into_one_new_formalization(kit, make_input):
    (a,) = to_approval_step(kit, typed(kit, make_input))
    first = decide(kit, a, "approve").formalization
    (b,) = to_approval_step(kit, typed(kit, make_input, cpf=a.cpf, name=a.name, mobile=a.mobile))

    formalization_cancel(
        actor=kit.actor(Role.MANAGER), request_id=first.pk, reason="Incluir proposta nova"
    )

    first.refresh_from_db()
    a.refresh_from_db()
    assert first.status == "cancelled"
    assert (a.activity, a.approved_in_activity) == (A.APROVA_INICIO_FLUXO_ASS, False)
    decide(kit, a, "approve")
    second = decide(kit, b, "approve").formalization
    assert second is not None and second.pk != first.pk
    assert set(second.proposals.all()) == {a, b}


def test_correspondent_cannot_cancel_a_formalization(kit, make_input):
    (a,) = to_approval_step(kit, typed(kit, make_input))
    request = decide(kit, a, "approve").formalization
    with pytest.raises(PermissionDenied):
        formalization_cancel(actor=kit.actor(Role.CORRESPONDENT), request_id=request.pk, reason="x")
    request.refresh_from_db()
    assert request.status == "open"


def test_completion_formalizes_all_and_opens_proposals_waiting_behind_it(kit, make_input):
    a, b = to_approval_step(kit, typed(kit, make_input, count=2))
    decide(kit, a, "approve")
    # c is approved while the first formalization is still open (b still undecided).
    (c,) = to_approval_step(kit, typed(kit, make_input, cpf=a.cpf, name=a.name, mobile=a.mobile))
    decide(kit, c, "approve")
    request = decide(kit, b, "approve").formalization
    assert set(request.proposals.all()) == {a, b, c}

    system = Actor.of_system(kit.tenant, "journeys")
    formalization_complete(actor=system, request_id=request.pk)

    for p in (a, b, c):
        p.refresh_from_db()
        assert p.activity == A.FORMALIZADA
    request.refresh_from_db()
    assert request.status == "completed"


def test_only_the_system_completes_a_formalization(kit, make_input):
    (a,) = to_approval_step(kit, typed(kit, make_input))
    request = decide(kit, a, "approve").formalization
    with pytest.raises(ApplicationError) as err:
        formalization_complete(actor=kit.actor(Role.ADMIN), request_id=request.pk)
    assert err.value.code == "system_only"
    request.refresh_from_db()
    assert request.status == "open"


OPENED: list[str] = []


@task()
def record_opened(request_id: str) -> None:
    OPENED.append(request_id)


def test_opened_handlers_run_as_tasks_after_the_opening_commits(kit, make_input, settings):
    settings.FORMALIZATION_OPENED_HANDLERS = [f"{__name__}.record_opened"]
    (a,) = to_approval_step(kit, typed(kit, make_input))
    request = decide(kit, a, "approve").formalization
    assert OPENED == []
    run_queued_tasks()
    assert [str(request.pk)] == OPENED
