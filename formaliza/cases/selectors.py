"""Reads, always within the actor's tenant; an agent sees only their own clients and cases,
staff (case.view_all) every agent's. Anything outside is "not found"."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import User
from formaliza.accounts.roles import Perm, Role
from formaliza.cases.models import (
    AgentProfile,
    Calculation,
    Case,
    CaseClient,
    CaseStatus,
    ClientDocument,
    DocumentType,
)
from formaliza.core.errors import NotFound

Status = ClientDocument.Status


def _owned(actor: Actor, model):
    actor.require(Perm.CASE_VIEW)
    rows = model.objects.filter(tenant=actor.tenant)
    if not actor.can(Perm.CASE_VIEW_ALL):
        rows = rows.filter(agent=actor.user)
    return rows


def client_list(*, actor: Actor, query: str = "") -> QuerySet[CaseClient]:
    rows = _owned(actor, CaseClient).select_related("agent")
    if query.strip():
        text = query.strip()
        rows = rows.filter(
            Q(name__icontains=text)
            | Q(cpf=text.replace(".", "").replace("-", ""))
            | Q(email__iexact=text)
        )
    return rows.annotate(
        docs_pending=Count("documents", filter=Q(documents__status=Status.PENDING)),
        docs_rejected=Count("documents", filter=Q(documents__status=Status.REJECTED)),
        docs_approved=Count("documents", filter=Q(documents__status=Status.APPROVED)),
        case_count=Count("cases", distinct=True),
    ).order_by("name", "pk")


def client_get(*, actor: Actor, client_id) -> CaseClient:
    client = (
        _owned(actor, CaseClient)
        .select_related("agent", "tenant")
        .filter(pk=_int(client_id))
        .first()
    )
    if client is None:
        raise NotFound("Cliente", code="client_not_found")
    return client


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def case_list(*, actor: Actor, status: str = "") -> QuerySet[Case]:
    rows = _owned(actor, Case).select_related("client", "agent", "calculation")
    if status in CaseStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("-status_since", "-pk")


def case_get(*, actor: Actor, case_id) -> Case:
    case = (
        _owned(actor, Case).select_related("client", "agent", "calculation__index_table", "tenant")
        .filter(pk=_int(case_id)).first()
    )  # fmt: skip
    if case is None:
        raise NotFound("Caso", code="case_not_found")
    return case


def draft_list(*, actor: Actor) -> QuerySet[Calculation]:
    return (
        _owned(actor, Calculation).filter(saved_at=None, discarded_at=None)
        .select_related("client").order_by("-updated_at")
    )  # fmt: skip


def calculation_get(*, actor: Actor, calculation_id) -> Calculation:
    calculation = (
        _owned(actor, Calculation)
        .select_related("index_table", "client")
        .filter(pk=str(calculation_id))
        .first()
        if _uuid(calculation_id)
        else None
    )
    if calculation is None:
        raise NotFound("Cálculo", code="calculation_not_found")
    return calculation


def _uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def document_get(*, actor: Actor, document_id) -> ClientDocument:
    actor.require(Perm.CASE_VIEW)
    rows = ClientDocument.objects.filter(tenant=actor.tenant).select_related("client", "doc_type")
    if not actor.can(Perm.CASE_VIEW_ALL):
        rows = rows.filter(client__agent=actor.user)
    document = rows.filter(pk=_int(document_id)).first()
    if document is None:
        raise NotFound("Documento", code="document_not_found")
    return document


@dataclass(frozen=True)
class Slot:
    doc_type: DocumentType
    documents: list
    state: str  # approved | pending | rejected | missing

    @property
    def state_label(self) -> str:
        return {"approved": "Aprovado", "pending": "Pendente para análise",
                "rejected": "Rejeitado", "missing": "Não enviado"}[self.state]  # fmt: skip


def client_slots(*, client: CaseClient) -> list[Slot]:
    """The tenant's document slots with the client's documents, newest first."""
    documents = list(ClientDocument.objects.filter(client=client).select_related("doc_type"))
    slots = []
    for doc_type in DocumentType.objects.filter(tenant_id=client.tenant_id, is_active=True):
        mine = [d for d in documents if d.doc_type_id == doc_type.pk]
        statuses = {d.status for d in mine}
        state = next((s for s in ("approved", "pending", "rejected") if s in statuses), "missing")
        slots.append(Slot(doc_type, mine, state))
    return slots


def document_types(*, tenant) -> QuerySet[DocumentType]:
    return DocumentType.objects.filter(tenant=tenant).order_by("position", "name")


def filing_queue(*, actor: Actor) -> QuerySet[Case]:
    actor.require(Perm.CASE_FILING)
    return (
        Case.objects.filter(tenant=actor.tenant, status=CaseStatus.FILING_REQUESTED)
        .select_related("client", "agent").order_by("filing_requested_at")
    )  # fmt: skip


def signup_profile(*, token: str) -> AgentProfile | None:
    if not token or len(token) > 40:
        return None
    return (
        AgentProfile.objects.select_related("user", "tenant")
        .filter(
            signup_token=token, signup_enabled=True, user__is_active=True, tenant__is_active=True
        )
        .first()
    )


def agents(*, tenant) -> QuerySet[User]:
    return User.objects.filter(tenant=tenant, role=Role.AGENT, is_active=True).order_by(
        "first_name"
    )


def agent_get(*, actor: Actor, agent_id) -> User:
    """The agent a case is created for: the acting agent, or (staff, API) one of the tenant."""
    if actor.user is not None and not actor.can(Perm.CASE_VIEW_ALL):
        return actor.user
    agent = User.objects.filter(tenant=actor.tenant, pk=_int(agent_id), is_active=True).first()
    if agent is None or not agent.has_perm_code(Perm.CASE_WORK):
        raise NotFound("Agente", code="agent_not_found")
    return agent
