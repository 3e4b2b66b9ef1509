"""The case's status up to "aguardando pagamento" follows the client's data and documents;
one function decides it, and every service that changes them calls `case_progress`."""

from __future__ import annotations

from formaliza.cases.events import Who, case_event_record
from formaliza.cases.models import PRE_PAYMENT, Case, CaseClient, CaseStatus, ClientDocument
from formaliza.cases.models.documents import DocumentType
from formaliza.core import clock

Status = ClientDocument.Status


def required_slots(client: CaseClient) -> dict[int, dict]:
    """Each required document type of the tenant with the client's documents' statuses."""
    types = DocumentType.objects.filter(tenant_id=client.tenant_id, is_active=True, required=True)
    slots = {t.pk: {"type": t, "statuses": set()} for t in types}
    for doc_type_id, status in ClientDocument.objects.filter(client=client).values_list(
        "doc_type_id", "status"
    ):
        if doc_type_id in slots:
            slots[doc_type_id]["statuses"].add(status)
    return slots


def status_for(client: CaseClient) -> str:
    if not client.is_registered:
        return CaseStatus.CALCULATED
    slots = required_slots(client).values()
    if not slots or all(Status.APPROVED in s["statuses"] for s in slots):
        return CaseStatus.AWAITING_PAYMENT if client.email else CaseStatus.DOCS_APPROVED
    open_slots = [s for s in slots if Status.APPROVED not in s["statuses"]]
    if any(Status.PENDING in s["statuses"] for s in open_slots):
        return CaseStatus.DOCS_IN_REVIEW
    if any(s["statuses"] for s in slots):
        return CaseStatus.DOCS_PENDING
    return CaseStatus.REGISTERED


def case_status_set(*, case: Case, to: str, who: Who, note: str = "", data=None) -> bool:
    if case.status == to:
        return False
    from_status = case.status
    case.status, case.status_since = to, clock.now()
    case.save(update_fields=["status", "status_since", "updated_at"])
    case_event_record(
        case=case, kind="status", who=who, note=note, data=data, from_status=from_status,
        to_status=to,
    )  # fmt: skip
    return True


def case_progress(*, case: Case, who: Who) -> None:
    if case.status not in PRE_PAYMENT:
        return
    case_status_set(case=case, to=status_for(case.client), who=who)


def client_cases_progress(*, client: CaseClient, who: Who) -> None:
    for case in Case.objects.select_for_update().filter(client=client, status__in=PRE_PAYMENT):
        case.client = client
        case_progress(case=case, who=who)
