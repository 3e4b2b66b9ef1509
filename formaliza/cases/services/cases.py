"""Payment (the one entry point of the payment integration), filing and protocol."""

from __future__ import annotations

from django.db import transaction

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.cases import gateway
from formaliza.cases.cnj import cnj_check
from formaliza.cases.events import Who
from formaliza.cases.models import PRE_PAYMENT, AgentProfile, Case, CaseStatus
from formaliza.cases.services.progress import case_status_set
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, Conflict, FieldErrors

PAID_OR_LATER = (CaseStatus.PAID, CaseStatus.FILING_REQUESTED, CaseStatus.FILED)


def case_lock(case: Case) -> Case:
    """The case's row, locked until the end of the transaction. Only the case's row
    (`of=("self",)`): the joined client, agent and tenant rows stay free, so two payments of
    different cases of one tenant do not queue on the tenant's row."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("client", "agent", "tenant")
        .get(pk=case.pk)
    )


@transaction.atomic
def case_mark_paid(*, case: Case, source: str, reference: str) -> Case:
    """Mark a case "pago". Staff-only: called by the payment integration (a confirmed charge,
    a credit spent) — never from a page. Idempotent for the same reference; a second, different
    payment of a paid case is refused (Conflict) so the caller can flag it."""
    case = case_lock(case)
    if case.status in PAID_OR_LATER:
        if case.payment_reference == reference:
            return case
        raise Conflict(
            "case_already_paid", f"O caso {case.number} já foi pago ({case.payment_reference}).",
            payment_reference=case.payment_reference,
        )  # fmt: skip
    if case.status != CaseStatus.AWAITING_PAYMENT or not case.client.email:
        raise Conflict(
            "case_not_awaiting_payment",
            f"O caso {case.number} não está aguardando pagamento ({case.get_status_display()}).",
        )  # fmt: skip
    case.paid_at, case.payment_source, case.payment_reference = (
        clock.now(),
        source[:40],
        reference[:120],
    )
    case.save(update_fields=["paid_at", "payment_source", "payment_reference", "updated_at"])
    case_status_set(
        case=case, to=CaseStatus.PAID, who=Who.system(f"pagamento: {source}"),
        note=f"Pagamento confirmado ({source}: {reference}).",
        data={"source": source, "reference": reference},
    )  # fmt: skip
    return case


@transaction.atomic
def case_filing_request(*, case: Case, who: Who) -> Case:
    """ "Solicitar atermação": a paid case goes to the staff's queue."""
    case = case_lock(case)
    if case.status != CaseStatus.PAID:
        raise Conflict(
            "case_not_paid",
            "Só um caso pago pode ir para a atermação." if case.status in PRE_PAYMENT
            else f"A atermação deste caso já foi solicitada ({case.get_status_display()}).",
        )  # fmt: skip
    case.filing_requested_at = clock.now()
    case.save(update_fields=["filing_requested_at", "updated_at"])
    case_status_set(case=case, to=CaseStatus.FILING_REQUESTED, who=who)
    return case


@transaction.atomic
def case_protocol_record(*, case: Case, number: str, actor: Actor) -> Case:
    """Staff record the court's process number (CNJ unified number, check digits verified);
    agent and client are told by e-mail and WhatsApp."""
    actor.require(Perm.CASE_FILING)
    formatted, problem = cnj_check(number, today=clock.today())
    if problem:
        errors = FieldErrors()
        errors.add("protocol_number", "invalid_cnj_number", problem)
        errors.raise_if_any()
    case = case_lock(case)
    if case.status != CaseStatus.FILING_REQUESTED:
        raise Conflict("case_not_in_filing", "O caso não está na fila de atermação.")
    if Case.objects.filter(tenant_id=case.tenant_id, protocol_number=formatted).exists():
        raise ApplicationError(
            code="protocol_number_used", status=422,
            message=f"O número {formatted} já está registrado em outro caso.",
        )  # fmt: skip
    case.protocol_number, case.filed_at = formatted, clock.now()
    case.save(update_fields=["protocol_number", "filed_at", "updated_at"])
    case_status_set(
        case=case, to=CaseStatus.FILED, who=Who.of(actor), note=f"Processo nº {formatted}.",
        data={"protocol_number": formatted},
    )  # fmt: skip
    profile = AgentProfile.objects.filter(user=case.agent).first()
    notes = gateway.protocol_notes(
        case=case, client=case.client, number=formatted,
        agent_phone=profile.phone if profile else "", agent_email=case.agent.email,
    )  # fmt: skip
    for recipient, (whatsapp, email) in notes.items():
        gateway.notify(
            tenant=case.tenant, kind="protocol_recorded", recipient=recipient, case=case,
            client=case.client, key=f"case:{case.pk}:protocol:{recipient}", whatsapp=whatsapp,
            email=email, both=True,
        )  # fmt: skip
    return case


@transaction.atomic
def case_cancel(*, case: Case, who: Who, reason: str) -> Case:
    case = case_lock(case)
    if case.status not in PRE_PAYMENT:
        raise Conflict("case_not_cancellable", "Um caso pago não pode ser cancelado aqui.")
    case_status_set(case=case, to=CaseStatus.CANCELLED, who=who, note=reason[:300])
    return case
