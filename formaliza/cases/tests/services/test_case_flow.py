"""Drafts, saving the case, the status path up to "aguardando pagamento", and the e-mail rule."""

from __future__ import annotations

import pytest

from formaliza.cases import services
from formaliza.cases.events import Who
from formaliza.cases.models import (
    Calculation,
    Case,
    CaseEvent,
    CaseStatus,
    ClientDocument,
    DocumentType,
)
from formaliza.cases.tests.helpers import (
    agent_of,
    approve_all,
    calc_input,
    pdf_bytes,
    registered_input,
    saved_case,
)
from formaliza.core.errors import ApplicationError
from formaliza.evidence.models import EvidenceEvent


def who(kit):
    agent = agent_of(kit)
    return Who(kind="user", label=agent.display_name, user=agent)


def test_every_calculation_is_kept_as_a_draft_and_recalculating_updates_it(kit):
    agent = agent_of(kit)
    first = services.calculation_run(tenant=kit.tenant, agent=agent, data=calc_input())
    again = services.calculation_run(
        tenant=kit.tenant, agent=agent, data=calc_input(label="Maria S."), draft_id=first.pk
    )
    assert again.pk == first.pk and Calculation.objects.get(pk=first.pk).label == "Maria S."
    assert Calculation.objects.get(pk=first.pk).is_draft


def test_saving_makes_a_numbered_case_with_its_event(kit):
    case = saved_case(kit, client_data=services.ClientInput(name="Maria da Silva"))
    assert case.number == "000001" and case.status == CaseStatus.CALCULATED
    assert not case.calculation.is_draft
    assert list(case.events.values_list("kind", flat=True)) == ["created"]
    assert EvidenceEvent.objects.filter(
        subject_type="case", subject_id=str(case.pk), kind="case.created"
    ).exists()


def test_an_unclaimable_calculation_is_not_saved(kit):
    agent = agent_of(kit)
    calc = services.calculation_run(
        tenant=kit.tenant, agent=agent, data=calc_input(thesis="vida_toda")
    )
    client = services.client_create(
        tenant=kit.tenant, agent=agent, data=registered_input(), who=who(kit)
    )
    with pytest.raises(ApplicationError) as caught:
        services.case_save(calculation=calc, client=client, who=who(kit))
    assert caught.value.code == "calculation_not_claimable"
    assert not Case.objects.exists() and Calculation.objects.get(pk=calc.pk).is_draft


def test_the_status_follows_the_data_and_documents_up_to_awaiting_payment(kit):
    # given a case saved for a client with only a name
    case = saved_case(kit, client_data=services.ClientInput(name="Maria da Silva"))
    # when the agent completes the data (no e-mail yet)
    services.client_update(client=case.client, data=registered_input(email=""), who=who(kit))
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED
    # and one document is sent, then rejected
    services.document_types_ensure(tenant=kit.tenant)
    rg = DocumentType.objects.get(tenant=kit.tenant, code="rg_cnh")
    doc = services.document_upload(
        client=case.client, doc_type_id=rg.pk, filename="rg.pdf", data=pdf_bytes(), who=who(kit)
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.DOCS_IN_REVIEW
    services.document_review(document=doc, approve=False, reason="Foto ilegível", who=who(kit))
    case.refresh_from_db()
    assert case.status == CaseStatus.DOCS_PENDING
    # and every required document is approved: without e-mail it stops before payment
    case = approve_all(kit, case)
    assert case.status == CaseStatus.DOCS_APPROVED
    # then the e-mail releases the payment
    services.client_update(client=case.client, data=registered_input(), who=who(kit))
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_PAYMENT
    path = list(
        CaseEvent.objects.filter(case=case, kind="status").values_list("to_status", flat=True)
    )
    assert path[:4] == ["registered", "docs_in_review", "docs_pending", "docs_in_review"]
    assert path[-2:] == ["docs_approved", "awaiting_payment"]
    assert all(e.actor_label and e.occurred_at for e in case.events.all())


def test_a_rejection_needs_a_reason_and_changes_nothing_without_it(kit):
    case = saved_case(kit)
    services.document_types_ensure(tenant=kit.tenant)
    rg = DocumentType.objects.get(tenant=kit.tenant, code="rg_cnh")
    doc = services.document_upload(
        client=case.client, doc_type_id=rg.pk, filename="rg.pdf", data=pdf_bytes(), who=who(kit)
    )
    with pytest.raises(ApplicationError):
        services.document_review(document=doc, approve=False, reason="", who=who(kit))
    assert ClientDocument.objects.get(pk=doc.pk).status == ClientDocument.Status.PENDING
