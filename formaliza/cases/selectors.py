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
from formaliza.payments.models import CreditWallet
from formaliza.payments.selectors import (
    charge_get,
    charges_for_review,
    wallet_entries,
    wallet_purchases,
)
from formaliza.payments.services.review import ACCEPTABLE

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


# --- payments seen from the cases: the agent's credits, charges for an operator ------------------
@dataclass
class ChargeRow:
    """A charge that needs (or needed) an operator, with what it pays."""

    charge: object
    case: Case | None
    agent: User | None  # a credit purchase's agent

    @property
    def what(self) -> str:
        if self.case is not None:
            return f"Caso {self.case.number} — {self.case.client.name}"
        if self.agent is not None:
            quantity = self.charge.metadata.get("quantity", "?")
            return f"{quantity} crédito(s) de {self.agent.display_name}"
        return self.charge.description

    @property
    def acceptable(self) -> bool:
        return (
            self.charge.resolved_at is None
            and self.charge.status in ACCEPTABLE
            and any(p.outcome != "applied" for p in self.charge.pix.all())
        )


def charge_rows(*, actor: Actor, resolved: bool = False, limit: int = 200) -> list[ChargeRow]:
    actor.require(Perm.CASE_FILING)
    charges = list(charges_for_review(tenant=actor.tenant, resolved=resolved)[:limit])
    return _rows(actor, charges)


def charge_row(*, actor: Actor, txid: str) -> ChargeRow:
    """One of the tenant's charges by txid (staff), or NotFound."""
    actor.require(Perm.CASE_FILING)
    charge = charge_get(tenant=actor.tenant, txid=str(txid)[:35])
    if charge is None:
        raise NotFound("Cobrança", code="charge_not_found")
    return _rows(actor, [charge])[0]


def _rows(actor: Actor, charges: list) -> list[ChargeRow]:
    case_ids = [c.subject_id for c in charges if c.subject_kind == "case"]
    wallet_ids = [c.subject_id for c in charges if c.subject_kind == "credits"]
    cases = {
        c.pk: c
        for c in Case.objects.filter(tenant=actor.tenant, pk__in=case_ids).select_related("client")
    }
    owners = {
        w.pk: w.owner
        for w in CreditWallet.objects.filter(tenant=actor.tenant, pk__in=wallet_ids).select_related(
            "owner"
        )
    }
    return [
        ChargeRow(
            charge=c,
            case=cases.get(c.subject_id) if c.subject_kind == "case" else None,
            agent=owners.get(c.subject_id) if c.subject_kind == "credits" else None,
        )
        for c in charges
    ]


@dataclass
class Credits:
    agent: User
    balance: int
    entries: list
    purchases: list


def agent_credits(*, actor: Actor, agent: User) -> Credits:
    """An agent's wallet: balance, ledger (newest first) and credit purchases. Agents see their
    own; staff (case.view_all) any agent of the tenant."""
    actor.require(Perm.CASE_VIEW)
    if agent.tenant_id != actor.tenant.pk or (
        not actor.can(Perm.CASE_VIEW_ALL) and agent.pk != getattr(actor.user, "pk", None)
    ):
        raise NotFound("Agente", code="agent_not_found")
    wallet = CreditWallet.objects.filter(tenant=actor.tenant, owner=agent).first()
    if wallet is None:
        return Credits(agent=agent, balance=0, entries=[], purchases=[])
    entries = list(wallet_entries(wallet).select_related("created_by")[:200])
    return Credits(
        agent=agent, balance=wallet.balance, entries=entries,
        purchases=list(wallet_purchases(wallet=wallet)[:50]),
    )  # fmt: skip
