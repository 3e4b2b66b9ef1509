"""The pipeline's state machine, as a pure function (no database).

    DIGITACAO ─approve→ APROVA_INICIO_FLUXO_ASS ─(all of the client's approved)→
        AGUARDA_FORMALIZACAO_DIGITAL ─(client signs)→ FORMALIZADA
    Any open activity ─reject→ REPROVADA, ─pending→ PENDENTE, ─cancel→ CANCELADA
    PENDENTE ─approve→ back to where it was made pending
    AGUARDA_FORMALIZACAO_DIGITAL ─(formalization cancelled)→ APROVA_INICIO_FLUXO_ASS

Approving at APROVA_INICIO_FLUXO_ASS does not move the proposal by itself: it marks it approved;
the move happens for all of the client's proposals together (see services.formalization_*).
"""

from __future__ import annotations

from dataclasses import dataclass

from formaliza.core.errors import ApplicationError
from formaliza.proposals.choices import Activity, Decision

A = Activity
D = Decision

FINAL = frozenset({A.FORMALIZADA, A.REPROVADA, A.CANCELADA})
SITUATION = {  # the seed's "SIT" column
    A.DIGITACAO: "AND",
    A.APROVA_INICIO_FLUXO_ASS: "AND",
    A.AGUARDA_FORMALIZACAO_DIGITAL: "AND",
    A.PENDENTE: "PEN",
    A.FORMALIZADA: "FOR",
    A.REPROVADA: "REP",
    A.CANCELADA: "CAN",
}


class IllegalTransition(ApplicationError):
    def __init__(self, message: str, code: str = "illegal_transition"):
        super().__init__(code=code, message=message, status=409)


@dataclass(frozen=True)
class Transition:
    to: str
    approved: bool = False  # approved at APROVA_INICIO_FLUXO_ASS, waiting for the group


def transition(
    *, activity: str, decision: str, approved: bool = False, pending_from: str = ""
) -> Transition:
    """Where `decision` takes a proposal at `activity`, or IllegalTransition with a reason."""
    label = A(activity).label
    if activity in FINAL:
        raise IllegalTransition(
            f"A proposta está na atividade final “{label}” e não pode mais mudar.",
            code="activity_final",
        )
    if decision == D.APPROVE:
        return _approve(activity, approved, pending_from)
    if decision in (D.REJECT, D.CANCEL, D.PENDING):
        if activity == A.AGUARDA_FORMALIZACAO_DIGITAL:
            raise IllegalTransition(
                "A proposta aguarda a assinatura do cliente. Para alterá-la, cancele a "
                "formalização: as propostas voltam para APROVA INÍCIO FLUXO ASS.",
                code="awaiting_signature",
            )
        if decision == D.PENDING and activity == A.PENDENTE:
            raise IllegalTransition("A proposta já está pendente.", code="already_pending")
        target = {D.REJECT: A.REPROVADA, D.CANCEL: A.CANCELADA, D.PENDING: A.PENDENTE}[decision]
        return Transition(to=target)
    return _system(activity, decision)


def _approve(activity: str, approved: bool, pending_from: str) -> Transition:
    if activity == A.DIGITACAO:
        return Transition(to=A.APROVA_INICIO_FLUXO_ASS)
    if activity == A.APROVA_INICIO_FLUXO_ASS:
        if approved:
            raise IllegalTransition(
                "Esta proposta já foi aprovada e aguarda as demais propostas do cliente.",
                code="already_approved",
            )
        return Transition(to=A.APROVA_INICIO_FLUXO_ASS, approved=True)
    if activity == A.PENDENTE:
        return Transition(to=pending_from or A.DIGITACAO)
    raise IllegalTransition(
        "A proposta aguarda a assinatura do cliente; ela avança sozinha quando o cliente assinar.",
        code="awaiting_signature",
    )


def _system(activity: str, decision: str) -> Transition:
    expected = {
        D.FORMALIZATION_OPENED: A.APROVA_INICIO_FLUXO_ASS,
        D.FORMALIZATION_COMPLETED: A.AGUARDA_FORMALIZACAO_DIGITAL,
        D.FORMALIZATION_CANCELLED: A.AGUARDA_FORMALIZACAO_DIGITAL,
    }
    if decision not in expected:
        raise IllegalTransition(f"Decisão desconhecida: {decision}.", code="unknown_decision")
    if activity != expected[decision]:
        raise IllegalTransition(
            f"“{D(decision).label}” não se aplica a uma proposta em “{A(activity).label}”."
        )
    target = {
        D.FORMALIZATION_OPENED: A.AGUARDA_FORMALIZACAO_DIGITAL,
        D.FORMALIZATION_COMPLETED: A.FORMALIZADA,
        D.FORMALIZATION_CANCELLED: A.APROVA_INICIO_FLUXO_ASS,
    }[decision]
    return Transition(to=target)
