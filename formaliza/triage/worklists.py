"""The playbook of seed 004 as data: the four worklists, which one an order belongs to, and the
steps an operator takes on an order of each list. Pure functions: no database, no clock.

An order sits in at most one list, chosen in the playbook's order (a no-show first, then
missing documents, then missing payment, then paid with documents but not scheduled); an
order that is scheduled and not a no-show, emitted, cancelled or whose cancellation was asked
for is in none ("fora das listas")."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Worklist(models.TextChoices):
    NONE = "", "Fora das listas"
    RESCHEDULE = "reagendar", "Reagendar (não compareceram)"
    DOCUMENTS = "documentos", "Documentos pendentes"
    PAYMENT = "pagamentos", "Pagamentos pendentes"
    SCHEDULE = "agendar", "Sem agendamento, com pagamento e documentos"


LISTS = (Worklist.RESCHEDULE, Worklist.DOCUMENTS, Worklist.PAYMENT, Worklist.SCHEDULE)


class StepKind(models.TextChoices):
    CALL = "call", "Ligar"
    MESSAGE = "message", "Enviar mensagem"
    ACCOUNTANT = "accountant", "Solicitar à contabilidade"
    FOLLOW_UP = "follow_up", "Acompanhamento diário"


@dataclass(frozen=True)
class Step:
    kind: str
    label: str


# The seed's steps, in its order, per list.
PLAYBOOK: dict[str, tuple[Step, ...]] = {
    Worklist.RESCHEDULE: (
        Step(StepKind.CALL, "Ligar para reagendar"),
        Step(StepKind.MESSAGE, "Enviar mensagem de reagendamento"),
    ),
    Worklist.DOCUMENTS: (
        Step(StepKind.CALL, "Ligar para solicitar documentos"),
        Step(StepKind.MESSAGE, "Enviar mensagem solicitando documentos"),
        Step(StepKind.ACCOUNTANT, "Solicitar à contabilidade"),
    ),
    Worklist.PAYMENT: (
        Step(StepKind.MESSAGE, "Enviar mensagem de cobrança cordial"),
        Step(StepKind.CALL, "Ligar para reforçar a cobrança"),
    ),
    Worklist.SCHEDULE: (
        Step(StepKind.MESSAGE, "Enviar mensagem para agendamento"),
        Step(StepKind.CALL, "Ligar para confirmar agendamento"),
    ),
}
FOLLOW_UP = Step(StepKind.FOLLOW_UP, "Acompanhamento diário: ligar de novo")
CALL_TASK = Step(StepKind.CALL, "Ligar agora (tarefa de ligação)")


@dataclass(frozen=True)
class OrderState:
    """What decides the list: the order's status fields."""

    paid: bool
    documents_ok: bool
    scheduled: bool
    no_show: bool
    emitted: bool
    closed: bool  # cancelled, or cancellation asked for


def worklist_of(state: OrderState) -> str:
    if state.emitted or state.closed:
        return Worklist.NONE
    if state.no_show:
        return Worklist.RESCHEDULE
    if not state.documents_ok:
        return Worklist.DOCUMENTS
    if not state.paid:
        return Worklist.PAYMENT
    if not state.scheduled:
        return Worklist.SCHEDULE
    return Worklist.NONE


def next_step(worklist: str, done: list[str], call_task: bool = False) -> Step | None:
    """The first step of the list's playbook not yet done since the order entered the list; a
    pending call task (a rule escalated the order) comes first; after the last step, the daily
    follow-up."""
    if not worklist:
        return None
    if call_task:
        return CALL_TASK
    for step in PLAYBOOK[worklist]:
        if step.kind not in done:
            return step
    return FOLLOW_UP
