"""Contacts with the client (calls, messages, the accountant) and the outcome the operator must
record after each one. An attempt without an outcome blocks the next contact on the order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from formaliza.core import clock
from formaliza.core.errors import ApplicationError, Conflict, FieldErrors
from formaliza.telephony import ports
from formaliza.telephony.models import Call
from formaliza.telephony.services import call_outcome_record
from formaliza.triage.events import Who
from formaliza.triage.events import order_event_record as record
from formaliza.triage.models import (
    Attendance,
    CertificateOrder,
    ContactAttempt,
    OrderEvent,
    Outcome,
)
from formaliza.triage.services.orders import order_list_refresh
from formaliza.triage.worklists import StepKind

# The kind of contact → the playbook step it fulfils.
STEP_OF = {
    ContactAttempt.Kind.CALL: StepKind.CALL,
    ContactAttempt.Kind.MESSAGE: StepKind.MESSAGE,
    ContactAttempt.Kind.ACCOUNTANT: StepKind.ACCOUNTANT,
}


def outcome_pending() -> Conflict:
    return Conflict(
        "triage_outcome_pending", "Registre o resultado do contato anterior antes de iniciar outro."
    )


@dataclass(frozen=True)
class ContactInput:
    """The outcome form: what happened on the contact, and its consequence when it has one."""

    outcome: str
    note: str = ""
    duration_seconds: int | None = None
    appointment_at: dt.datetime | None = None  # RESCHEDULED: the new time
    follow_up_on: dt.date | None = None  # DEADLINE_AGREED: the date agreed


def _locked(order: CertificateOrder) -> CertificateOrder:
    return CertificateOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)


# Contacts the operator witnesses (a call, a call to the accountant) end with an outcome typed
# at once; a message's (or an e-mail to the accountant's) outcome is the answer, or its
# absence, which the rules act on: it blocks nothing.
NEEDS_OUTCOME = (ContactAttempt.Kind.CALL, ContactAttempt.Kind.ACCOUNTANT)


def pending_attempt(order: CertificateOrder) -> ContactAttempt | None:
    return (
        order.attempts.filter(outcome="", kind__in=NEEDS_OUTCOME, message_id__isnull=True)
        .order_by("-started_at", "-pk")
        .first()
    )


def contact_start(
    *, order: CertificateOrder, kind: str, who: Who, channel: str = "",
    call_id: int | None = None, message_id: int | None = None,
) -> ContactAttempt:  # fmt: skip
    """A contact begins (a call dialled, a message sent). Refused while the previous contact
    of the order has no outcome."""
    if kind not in ContactAttempt.Kind.values:
        raise ApplicationError(
            code="triage_contact_kind_invalid", message="Tipo de contato inválido.", status=422
        )
    with transaction.atomic():
        order = _locked(order)
        if pending_attempt(order) is not None:
            raise outcome_pending()
        now = clock.now()
        attempt = ContactAttempt.objects.create(
            tenant_id=order.tenant_id, order=order, kind=kind, worklist=order.worklist,
            started_at=now, user=who.user, author_label=who.label[:200], channel=channel,
            call_id=call_id, message_id=message_id,
        )  # fmt: skip
        step = STEP_OF[kind]
        if step not in order.steps_done:
            order.steps_done = [*order.steps_done, step]
        order.last_contact_at = now
        fields = ["steps_done", "last_contact_at", "updated_at"]
        if kind == ContactAttempt.Kind.CALL and order.call_task_at is not None:
            order.call_task_at, order.call_task_reason = None, ""
            fields += ["call_task_at", "call_task_reason"]
        order.save(update_fields=fields)
        record(
            order=order, kind=OrderEvent.Kind.CONTACT, who=who,
            text=f"{ContactAttempt.Kind(kind).label} iniciada"
            + (f" ({channel})" if channel else "") + ".",
            data={"attempt": attempt.pk, "channel": channel},
        )  # fmt: skip
    return attempt


def _clean(data: ContactInput, now: dt.datetime) -> None:
    errors = FieldErrors()
    if data.outcome not in Outcome.values:
        errors.add("outcome", "required", "Escolha o resultado do contato.")
    if data.duration_seconds is not None and not 0 <= data.duration_seconds <= 6 * 3600:
        errors.add("duration_seconds", "invalid_duration", "Duração inválida (0 a 6 horas).")
    if data.outcome == Outcome.RESCHEDULED:
        if data.appointment_at is None:
            errors.add(
                "appointment_at", "required", "Informe o novo horário combinado com o cliente."
            )
        elif data.appointment_at <= now:
            errors.add("appointment_at", "in_the_past", "O novo horário precisa ser no futuro.")
    if data.outcome == Outcome.DEADLINE_AGREED:
        if data.follow_up_on is None:
            errors.add("follow_up_on", "required", "Informe a data combinada para o envio.")
        elif data.follow_up_on < clock.today():
            errors.add("follow_up_on", "in_the_past", "A data combinada já passou.")
    if len(data.note) > 2000:
        errors.add("note", "too_long", "Observação longa demais (máximo 2000 caracteres).")
    errors.raise_if_any()


def morning_of(day: dt.date) -> dt.datetime:
    """When the daily follow-up brings an order back: that day's start of work (local)."""
    return dt.datetime.combine(day, dt.time(settings.TRIAGE_FOLLOW_UP_HOUR), tzinfo=clock.SAO_PAULO)


def outcome_record(
    *, order: CertificateOrder, data: ContactInput, who: Who,
    attempt: ContactAttempt | None = None,
) -> ContactAttempt:  # fmt: skip
    """Record what happened on the order's pending contact, and carry out its consequence."""
    now = clock.now()
    _clean(data, now)
    with transaction.atomic():
        order = _locked(order)
        attempt = attempt or pending_attempt(order)
        if attempt is None or attempt.order_id != order.pk:
            raise ApplicationError(
                code="triage_no_pending_contact",
                message="Não há contato aguardando resultado neste pedido.", status=409,
            )  # fmt: skip
        attempt = ContactAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.outcome:
            raise Conflict(
                "triage_outcome_recorded", "O resultado deste contato já foi registrado."
            )
        attempt.outcome, attempt.outcome_at, attempt.note = data.outcome, now, data.note.strip()
        if data.duration_seconds is not None:
            attempt.duration_seconds = data.duration_seconds
        if attempt.call_id is not None:
            _call_finish(attempt=attempt, data=data)
        attempt.save(update_fields=["outcome", "outcome_at", "note", "duration_seconds"])
        text = f"Resultado: {Outcome(data.outcome).label}."
        _apply_outcome(order=order, data=data, now=now)
        if data.note.strip():
            text += f" {data.note.strip()}"
        record(
            order=order, kind=OrderEvent.Kind.OUTCOME, who=who, outcome=data.outcome, text=text,
            data={"attempt": attempt.pk, "duration_seconds": attempt.duration_seconds},
        )  # fmt: skip
        order_list_refresh(order=order, who=who)
    return attempt


def _call_finish(*, attempt: ContactAttempt, data: ContactInput) -> None:
    """The call behind the contact: a hand-dialled one (`tel:`) ends with what the operator
    typed; one the PBX reported gives the contact its measured duration."""
    call = Call.objects.filter(pk=attempt.call_id, tenant_id=attempt.tenant_id).first()
    if call is None:
        return
    if call.state == ports.MANUAL:
        call = call_outcome_record(
            tenant_id=call.tenant_id, call_id=call.call_id,
            answered=data.outcome != Outcome.NO_ANSWER,
            duration_seconds=data.duration_seconds or 0,
        )  # fmt: skip
    if call.duration_seconds is not None and data.duration_seconds is None:
        attempt.duration_seconds = call.duration_seconds


def _apply_outcome(*, order: CertificateOrder, data: ContactInput, now: dt.datetime) -> None:
    fields: list[str] = []
    if data.outcome == Outcome.RESCHEDULED:
        order.appointment_at, order.attendance = data.appointment_at, Attendance.UNKNOWN
        fields += ["appointment_at", "attendance"]
    elif data.outcome == Outcome.CANCELLED:
        order.cancel_requested_at = now
        fields.append("cancel_requested_at")
    elif data.outcome == Outcome.NO_ANSWER:
        order.follow_up_at = morning_of(clock.local(now).date() + dt.timedelta(days=1))
        fields.append("follow_up_at")
    elif data.outcome == Outcome.DEADLINE_AGREED:
        order.follow_up_at = morning_of(data.follow_up_on)
        fields.append("follow_up_at")
    if fields:
        order.save(update_fields=[*fields, "updated_at"])


def contact_record(
    *, order: CertificateOrder, kind: str, data: ContactInput, who: Who, channel: str = ""
) -> ContactAttempt:
    """A contact made and finished outside the system (a call dialled from the `tel:` link):
    starts it and records its outcome in one transaction."""
    with transaction.atomic():
        attempt = contact_start(order=order, kind=kind, who=who, channel=channel)
        return outcome_record(order=order, data=data, who=who, attempt=attempt)
