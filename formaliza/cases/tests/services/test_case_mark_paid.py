from __future__ import annotations

import pytest

from formaliza.cases.models import Case, CaseEvent, CaseStatus
from formaliza.cases.services import case_mark_paid
from formaliza.cases.tests.helpers import case_at, saved_case
from formaliza.core.errors import Conflict
from formaliza.evidence.models import EvidenceEvent


def test_marks_an_awaiting_case_paid_with_its_evidence(kit):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    paid = case_mark_paid(case=case, source="pix", reference="txid-1")
    assert paid.status == CaseStatus.PAID and paid.payment_reference == "txid-1" and paid.paid_at
    event = CaseEvent.objects.get(case=case, to_status=CaseStatus.PAID)
    assert event.actor_kind == "system" and event.data == {"source": "pix", "reference": "txid-1"}
    assert EvidenceEvent.objects.filter(
        subject_id=str(case.pk), kind="case.status", data__to="paid"
    ).exists()


def test_the_same_payment_again_changes_nothing(kit):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    case_mark_paid(case=case, source="pix", reference="txid-1")
    events = CaseEvent.objects.count()
    again = case_mark_paid(case=case, source="pix", reference="txid-1")
    assert again.status == CaseStatus.PAID and CaseEvent.objects.count() == events


def test_another_payment_of_a_paid_case_is_refused(kit):
    case = case_at(kit, CaseStatus.AWAITING_PAYMENT)
    case_mark_paid(case=case, source="pix", reference="txid-1")
    with pytest.raises(Conflict) as caught:
        case_mark_paid(case=case, source="credito", reference="credit-9")
    assert caught.value.code == "case_already_paid"
    assert Case.objects.get(pk=case.pk).payment_reference == "txid-1"


def test_a_case_not_awaiting_payment_is_not_marked(kit):
    case = saved_case(kit)
    with pytest.raises(Conflict) as caught:
        case_mark_paid(case=case, source="pix", reference="txid-1")
    assert caught.value.code == "case_not_awaiting_payment"
    case.refresh_from_db()
    assert case.status != CaseStatus.PAID and case.paid_at is None and case.payment_reference == ""
