"""Integrators' endpoints for cases (mounted by formaliza.api under /api/v1/cases): clients,
calculations, cases, documents (upload and review), filing and protocol. Tenant-scoped by the
API key; another tenant's record is 404. POSTs accept `Idempotency-Key`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import User
from formaliza.accounts.roles import Perm, Role
from formaliza.cases import selectors, services
from formaliza.cases.calculation.ports import Outcome
from formaliza.cases.events import Who
from formaliza.cases.models import Calculation, Case, CaseClient, CaseStatus, ClientDocument
from formaliza.core.api_schema import Money
from formaliza.core.errors import NotFound
from formaliza.core.tenant_lookups import tenant_lookup
from formaliza.payments import services as payments
from formaliza.payments.models import Charge
from formaliza.payments.selectors import wallet_entries, wallet_purchases

router = Router()


class ErrorBody(Schema):
    code: str
    message: str
    fields: list[dict] | None = None


class ErrorOut(Schema):
    error: ErrorBody


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 503: ErrorOut}


class ClientIn(Schema):
    agent_id: int | None = None
    name: str
    cpf: str = ""
    email: str = ""
    phone: str = ""
    birth_date: dt.date | None = None
    sex: Literal["", "F", "M"] = ""
    cep: str = ""
    street: str = ""
    number: str = ""
    complement: str = ""
    district: str = ""
    city: str = ""
    uf: str = ""


class ClientOut(Schema):
    id: int
    agent_id: int
    name: str
    cpf: str
    email: str
    phone: str
    birth_date: dt.date | None
    origin: str
    registered: bool
    missing_fields: list[str]


class CalculationIn(Schema):
    agent_id: int | None = None
    label: str = ""
    rule: str
    thesis: str = "recalculo"
    dib: dt.date
    first_payment: dt.date
    granted_rmi: Money
    birth_date: dt.date
    sex: Literal["F", "M"]
    contribution_years: int
    contribution_months: int = 0
    contribution_days: int = 0
    teacher: bool = False
    history: str


class CalculationOut(Schema):
    id: str
    outcome: str
    outcome_label: str
    headline: str
    new_rmi: Decimal | None
    monthly_difference: Decimal | None
    arrears: Decimal | None
    index_table: str
    index_table_synthetic: bool
    saved: bool
    result: dict


class SaveIn(Schema):
    client_id: int


class CaseOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    status_since: dt.datetime
    agent_id: int
    client_id: int
    calculation_id: str
    paid_at: dt.datetime | None
    filing_requested_at: dt.datetime | None
    protocol_number: str
    filed_at: dt.datetime | None


class CaseDocumentOut(Schema):
    id: int
    client_id: int
    type: str
    status: str
    filename: str
    mime_type: str
    sha256: str
    rejection_reason: str
    created_at: dt.datetime
    reviewed_at: dt.datetime | None


class ReviewIn(Schema):
    decision: Literal["approve", "reject"]
    reason: str = ""


class ProtocolIn(Schema):
    protocol_number: str


@tenant_lookup("cases", "client_id")
def _client_visible(actor: Actor, value: str) -> bool:
    return selectors.client_get(actor=actor, client_id=value) is not None


@tenant_lookup("cases", "case_id")
def _case_visible(actor: Actor, value: str) -> bool:
    return selectors.case_get(actor=actor, case_id=value) is not None


@tenant_lookup("cases", "calculation_id")
def _calculation_visible(actor: Actor, value: str) -> bool:
    return selectors.calculation_get(actor=actor, calculation_id=value) is not None


@tenant_lookup("cases", "document_id")
def _document_visible(actor: Actor, value: str) -> bool:
    return selectors.document_get(actor=actor, document_id=value) is not None


@tenant_lookup("cases", "agent_id")
def _agent_visible(actor: Actor, value: str) -> bool:
    return User.objects.filter(tenant=actor.tenant, pk=value, role=Role.AGENT).exists()


def _actor(request) -> Actor:
    return Actor.of_api_key(request.auth)


def client_out(client: CaseClient) -> dict:
    return {
        "id": client.pk, "agent_id": client.agent_id, "name": client.name, "cpf": client.cpf,
        "email": client.email, "phone": client.phone, "birth_date": client.birth_date,
        "origin": client.origin, "registered": client.is_registered,
        "missing_fields": client.missing_fields,
    }  # fmt: skip


def calculation_out(calc: Calculation) -> dict:
    return {
        "id": str(calc.pk), "outcome": calc.outcome, "outcome_label": Outcome.LABELS[calc.outcome],
        "headline": calc.result["headline"], "new_rmi": calc.new_rmi,
        "monthly_difference": calc.monthly_difference, "arrears": calc.arrears,
        "index_table": str(calc.index_table), "index_table_synthetic": calc.index_table.synthetic,
        "saved": calc.saved_at is not None, "result": calc.result,
    }  # fmt: skip


def case_out(case: Case) -> dict:
    return {
        "id": case.pk, "number": case.number, "status": case.status,
        "status_label": CaseStatus(case.status).label, "status_since": case.status_since,
        "agent_id": case.agent_id, "client_id": case.client_id,
        "calculation_id": str(case.calculation_id), "paid_at": case.paid_at,
        "filing_requested_at": case.filing_requested_at, "protocol_number": case.protocol_number,
        "filed_at": case.filed_at,
    }  # fmt: skip


def document_out(doc: ClientDocument) -> dict:
    return {
        "id": doc.pk, "client_id": doc.client_id, "type": doc.doc_type.code, "status": doc.status,
        "filename": doc.filename, "mime_type": doc.mime_type, "sha256": doc.sha256,
        "rejection_reason": doc.rejection_reason, "created_at": doc.created_at,
        "reviewed_at": doc.reviewed_at,
    }  # fmt: skip


@router.get("/clients", response={200: list[ClientOut], **ERRORS}, summary="Clientes")
def list_clients(request, q: str = ""):
    return [client_out(c) for c in selectors.client_list(actor=_actor(request), query=q)[:500]]


@router.post("/clients", response={201: ClientOut, **ERRORS}, summary="Cadastrar cliente")
def create_client(request, payload: ClientIn):
    actor = _actor(request)
    actor.require(Perm.CASE_WORK)
    agent = selectors.agent_get(actor=actor, agent_id=payload.agent_id)
    data = services.ClientInput(**payload.model_dump(exclude={"agent_id"}))
    client = services.client_create(tenant=actor.tenant, agent=agent, data=data, who=Who.of(actor))
    return Status(201, client_out(client))


@router.get("/clients/{client_id}", response={200: ClientOut, **ERRORS}, summary="Cliente")
def get_client(request, client_id: int):
    return client_out(selectors.client_get(actor=_actor(request), client_id=client_id))


@router.put("/clients/{client_id}", response={200: ClientOut, **ERRORS}, summary="Editar cliente")
def update_client(request, client_id: int, payload: ClientIn):
    actor = _actor(request)
    actor.require(Perm.CASE_WORK)
    client = selectors.client_get(actor=actor, client_id=client_id)
    data = services.ClientInput(**payload.model_dump(exclude={"agent_id"}))
    return client_out(services.client_update(client=client, data=data, who=Who.of(actor)))


@router.get(
    "/clients/{client_id}/documents",
    response={200: list[CaseDocumentOut], **ERRORS},
    summary="Documentos do cliente",
)
def list_documents(request, client_id: int):
    client = selectors.client_get(actor=_actor(request), client_id=client_id)
    return [document_out(d) for d in client.documents.select_related("doc_type")]


@router.post(
    "/clients/{client_id}/documents",
    response={201: CaseDocumentOut, **ERRORS},
    summary="Anexar documento (um arquivo, um tipo)",
)
def upload_document(request, client_id: int, doc_type: Form[str], file: File[UploadedFile]):
    actor = _actor(request)
    actor.require(Perm.CASE_WORK)
    client = selectors.client_get(actor=actor, client_id=client_id)
    services.document_types_ensure(tenant=client.tenant)
    type_row = selectors.document_types(tenant=client.tenant).filter(code=doc_type).first()
    document = services.document_upload(
        client=client, doc_type_id=type_row.pk if type_row else 0, filename=file.name or "",
        data=file.read(), who=Who.of(actor),
    )  # fmt: skip
    return Status(201, document_out(document))


@router.post(
    "/documents/{document_id}/review",
    response={200: CaseDocumentOut, **ERRORS},
    summary="Aprovar ou rejeitar documento",
)
def review_document(request, document_id: int, payload: ReviewIn):
    actor = _actor(request)
    actor.require(Perm.CASE_REVIEW)
    document = selectors.document_get(actor=actor, document_id=document_id)
    reviewed = services.document_review(
        document=document,
        approve=payload.decision == "approve",
        reason=payload.reason,
        who=Who.of(actor),
    )
    return document_out(reviewed)


@router.post(
    "/calculations",
    response={201: CalculationOut, **ERRORS},
    summary="Calcular revisão (fica como rascunho)",
)
def create_calculation(request, payload: CalculationIn):
    actor = _actor(request)
    actor.require(Perm.CASE_WORK)
    agent = selectors.agent_get(actor=actor, agent_id=payload.agent_id)
    data = services.CalculationInput(**payload.model_dump(exclude={"agent_id"}))
    calc = services.calculation_run(
        tenant=actor.tenant, agent=agent, data=data, origin=Calculation.Origin.API
    )
    return Status(201, calculation_out(calc))


@router.get(
    "/calculations/{calculation_id}",
    response={200: CalculationOut, **ERRORS},
    summary="Cálculo e demonstrativo",
)
def get_calculation(request, calculation_id: str):
    return calculation_out(
        selectors.calculation_get(actor=_actor(request), calculation_id=calculation_id)
    )


@router.post(
    "/calculations/{calculation_id}/case",
    response={201: CaseOut, **ERRORS},
    summary="Salvar o caso do cálculo",
)
def save_case(request, calculation_id: str, payload: SaveIn):
    actor = _actor(request)
    actor.require(Perm.CASE_WORK)
    calc = selectors.calculation_get(actor=actor, calculation_id=calculation_id)
    client = selectors.client_get(actor=actor, client_id=payload.client_id)
    return Status(
        201, case_out(services.case_save(calculation=calc, client=client, who=Who.of(actor)))
    )


@router.get("", response={200: list[CaseOut], **ERRORS}, summary="Casos")
def list_cases(request, status: str = ""):
    return [case_out(c) for c in selectors.case_list(actor=_actor(request), status=status)[:500]]


@router.post(
    "/{case_id}/filing-request", response={200: CaseOut, **ERRORS}, summary="Solicitar atermação"
)
def request_filing(request, case_id: int):
    actor = _actor(request)
    actor.require(Perm.CASE_WORK)
    case = selectors.case_get(actor=actor, case_id=case_id)
    return case_out(services.case_filing_request(case=case, who=Who.of(actor)))


@router.post(
    "/{case_id}/protocol",
    response={200: CaseOut, **ERRORS},
    summary="Registrar o número do processo (CNJ)",
)
def record_protocol(request, case_id: int, payload: ProtocolIn):
    actor = _actor(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    return case_out(
        services.case_protocol_record(case=case, number=payload.protocol_number, actor=actor)
    )


# --- payment ("Comprar caso") and credits --------------------------------------------------------
class ChargeOut(Schema):
    txid: str
    kind: Literal["cob", "cobv", "static"]
    status: Literal["active", "paid", "flagged", "expired", "cancelled"]
    amount: Decimal
    expires_at: dt.datetime
    copia_e_cola: str
    location: str
    paid_at: dt.datetime | None
    flag_reason: str


class CreditEntryOut(Schema):
    kind: Literal["purchase", "grant", "spend"]
    delta: int
    balance_after: int
    reference: str
    created_at: dt.datetime


class CreditsOut(Schema):
    agent_id: int
    balance: int
    entries: list[CreditEntryOut]
    purchases: list[ChargeOut]


class PurchaseIn(Schema):
    quantity: int


def charge_out(charge: Charge) -> dict:
    return {
        f: getattr(charge, f)
        for f in ("txid", "kind", "status", "amount", "expires_at", "copia_e_cola", "location",
                  "paid_at", "flag_reason")
    }  # fmt: skip


def _agent(actor: Actor, agent_id: int) -> User:
    agent = User.objects.filter(tenant=actor.tenant, pk=agent_id, role=Role.AGENT).first()
    if agent is None:
        raise NotFound("Agente", code="agent_not_found")
    return agent


@router.post(
    "/{case_id}/charge",
    response={200: ChargeOut, **ERRORS},
    summary="Cobrança Pix do caso ao cliente (a ativa, ou uma nova)",
)
def charge_case(request, case_id: int):
    actor = _actor(request)
    actor.require(Perm.CASE_WORK)
    return charge_out(services.case_charge(case=selectors.case_get(actor=actor, case_id=case_id)))


@router.post(
    "/{case_id}/pay-with-credit",
    response={200: CaseOut, **ERRORS},
    summary="Pagar o caso com crédito",
)
def pay_with_credit(request, case_id: int):
    actor = _actor(request)
    actor.require(Perm.CASE_WORK)
    case = selectors.case_get(actor=actor, case_id=case_id)
    return case_out(services.case_pay_with_credit(case=case, user=None))


@router.get(
    "/credits/{agent_id}", response={200: CreditsOut, **ERRORS}, summary="Créditos do agente"
)
def agent_credits(request, agent_id: int):
    wallet = payments.wallet_for(
        tenant=request.auth.tenant, owner=_agent(_actor(request), agent_id)
    )
    return {
        "agent_id": agent_id, "balance": wallet.balance,
        "entries": list(wallet_entries(wallet)[:200]),
        "purchases": [charge_out(c) for c in wallet_purchases(wallet=wallet)[:50]],
    }  # fmt: skip


@router.post(
    "/credits/{agent_id}/purchases",
    response={201: ChargeOut, **ERRORS},
    summary="Comprar créditos (cobrança Pix; pagos, entram no saldo)",
)
def credits_purchase(request, agent_id: int, payload: PurchaseIn):
    actor = _actor(request)
    actor.require(Perm.CASE_WORK)
    agent = _agent(actor, agent_id)
    wallet = payments.wallet_for(tenant=actor.tenant, owner=agent)
    charge = payments.credit_purchase_start(wallet=wallet, quantity=payload.quantity, buyer=agent)
    return Status(201, charge_out(charge))


# --- charges that need an operator ("Cobranças com divergência") --------------------------------
class PixOut(Schema):
    end_to_end_id: str
    amount: Decimal
    paid_at: dt.datetime
    outcome: Literal["applied", "amount_mismatch", "expired", "not_active", "unknown_charge"]


class ChargeReviewOut(ChargeOut):
    subject_kind: str
    case_id: int | None
    agent_id: int | None
    pix: list[PixOut]
    acceptable: bool
    resolved_at: dt.datetime | None
    resolution: Literal["", "accepted", "dismissed"]
    resolution_note: str


class ChargeDecisionIn(Schema):
    note: str


@tenant_lookup("cases", "txid")
def _charge_visible(actor: Actor, value: str) -> bool:
    return Charge.objects.filter(tenant=actor.tenant, txid=str(value)[:35]).exists()


def charge_review_out(row: selectors.ChargeRow) -> dict:
    charge = row.charge
    return {
        **charge_out(charge), "subject_kind": charge.subject_kind,
        "case_id": row.case.pk if row.case else None,
        "agent_id": row.agent.pk if row.agent else None,
        "pix": [
            {"end_to_end_id": p.end_to_end_id, "amount": p.amount, "paid_at": p.paid_at,
             "outcome": p.outcome}
            for p in charge.pix.all()
        ],
        "acceptable": row.acceptable, "resolved_at": charge.resolved_at,
        "resolution": charge.resolution, "resolution_note": charge.resolution_note,
    }  # fmt: skip


@router.get(
    "/charges",
    response={200: list[ChargeReviewOut], **ERRORS},
    summary="Cobranças com divergência (pendentes, ou resolvidas com resolved=true)",
)
def list_review_charges(request, resolved: bool = False):
    rows = selectors.charge_rows(actor=_actor(request), resolved=resolved)
    return [charge_review_out(r) for r in rows]


@router.get("/charges/{txid}", response={200: ChargeReviewOut, **ERRORS}, summary="Cobrança")
def get_charge(request, txid: str):
    return charge_review_out(selectors.charge_row(actor=_actor(request), txid=txid))


def _decide(request, txid: str, payload: ChargeDecisionIn, *, accept: bool) -> dict:
    actor = _actor(request)
    row = selectors.charge_row(actor=actor, txid=txid)
    services.charge_review(charge=row.charge, user=None, accept=accept, note=payload.note)
    return charge_review_out(selectors.charge_row(actor=actor, txid=txid))


@router.post(
    "/charges/{txid}/accept",
    response={200: ChargeReviewOut, **ERRORS},
    summary="Aceitar o Pix recebido como pagamento (a cobrança fica paga; o caso, pago)",
)
def accept_charge(request, txid: str, payload: ChargeDecisionIn):
    return _decide(request, txid, payload, accept=True)


@router.post(
    "/charges/{txid}/dismiss",
    response={200: ChargeReviewOut, **ERRORS},
    summary="Encerrar a cobrança sem pagamento, com uma nota",
)
def dismiss_charge(request, txid: str, payload: ChargeDecisionIn):
    return _decide(request, txid, payload, accept=False)


# Last: Django matches URL patterns in order, and "/charges" must not be read as a case id.
@router.get("/{case_id}", response={200: CaseOut, **ERRORS}, summary="Caso")
def get_case(request, case_id: int):
    return case_out(selectors.case_get(actor=_actor(request), case_id=case_id))
