"""The rules that run by themselves (the scheduler, every minute; seed 004 and issue 16):

- `agendar_message`: paid + documents + not scheduled → the list's message is sent once;
- `agendar_escalate`: no reply to it in TRIAGE_ESCALATE_AFTER_MINUTES (30) and no call since →
  a call task, at the top of the list;
- `payment_same_day`: a payment message without reply by TRIAGE_SAME_DAY_CALL_HOUR (17h) of
  the day it went (or any later day) → a call task;
- `follow_up`: an order resting for the daily follow-up comes back in the morning.

Each rule acts at most once per state of an order (`RuleRun`, unique per order, rule and key):
running twice — or in two workers at once — sends one message and makes one task. Messages go
through the outbox's gates (opt-out, window)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction

from formaliza.accounts.actors import Actor
from formaliza.core import clock
from formaliza.core.errors import ApplicationError
from formaliza.triage.events import Who
from formaliza.triage.events import order_event_record as record
from formaliza.triage.models import CertificateOrder, ContactAttempt, OrderEvent, RuleRun
from formaliza.triage.services.messaging import client_replied, order_message_send
from formaliza.triage.worklists import StepKind, Worklist

logger = logging.getLogger(__name__)
WHO = Who.system("regras da triagem")


@dataclass
class RulesReport:
    acted: dict[str, int] = field(default_factory=dict)

    def add(self, rule: str) -> None:
        self.acted[rule] = self.acted.get(rule, 0) + 1


def _claim(order: CertificateOrder, rule: str, key: str) -> RuleRun | None:
    """The rule's run for this state, or None when it already ran (here or elsewhere)."""
    try:
        with transaction.atomic():
            return RuleRun.objects.create(
                tenant_id=order.tenant_id, order=order, rule=rule, key=key
            )
    except IntegrityError:
        return None


def _call_task(order: CertificateOrder, reason: str, now: dt.datetime) -> None:
    order.call_task_at, order.call_task_reason = now, reason[:200]
    order.save(update_fields=["call_task_at", "call_task_reason", "updated_at"])
    record(order=order, kind=OrderEvent.Kind.RULE, who=WHO, text=f"Tarefa de ligação: {reason}")


def _open(worklist: str, now: dt.datetime):
    due = CertificateOrder.objects.filter(worklist=worklist, follow_up_at__isnull=True)
    return due | CertificateOrder.objects.filter(worklist=worklist, follow_up_at__lte=now)


def _agendar_message(now: dt.datetime, report: RulesReport) -> None:
    for order in _open(Worklist.SCHEDULE, now).select_related("tenant").iterator():
        if StepKind.MESSAGE in order.steps_done:
            continue
        with transaction.atomic():
            run = _claim(order, "agendar_message", order.worklist_since.isoformat())
            if run is None:
                continue
            actor = Actor.of_system(order.tenant, "triage")
            try:
                order_message_send(order=order, actor=actor, who=WHO, key=f"rule{run.pk}")
                run.result = "enviada"
            except ApplicationError as exc:
                run.result = exc.message[:300]
                _call_task(order, "a mensagem automática não foi enviada.", now)
            run.save(update_fields=["result"])
            report.add("agendar_message")


def _last_message(order: CertificateOrder) -> ContactAttempt | None:
    return (
        order.attempts.filter(
            kind=ContactAttempt.Kind.MESSAGE, started_at__gte=order.worklist_since
        )
        .order_by("-started_at", "-pk")
        .first()
    )


def _unanswered(order: CertificateOrder) -> ContactAttempt | None:
    """The list's last message, when neither the client answered nor anyone called since."""
    message = _last_message(order)
    if message is None or client_replied(message):
        return None
    called = order.attempts.filter(
        kind=ContactAttempt.Kind.CALL, started_at__gte=message.started_at
    )
    return None if called.exists() else message


def _escalations(now: dt.datetime, report: RulesReport) -> None:
    wait = dt.timedelta(minutes=settings.TRIAGE_ESCALATE_AFTER_MINUTES)
    for worklist, rule in ((Worklist.SCHEDULE, "agendar_escalate"),
                           (Worklist.PAYMENT, "payment_same_day")):  # fmt: skip
        orders = _open(worklist, now).filter(call_task_at__isnull=True)
        for order in orders.filter(last_contact_at__isnull=False).iterator():
            message = _unanswered(order)
            if message is None:
                continue
            if rule == "agendar_escalate":
                if now - message.started_at < wait:
                    continue
                reason = f"sem resposta à mensagem de agendamento em {wait.seconds // 60} minutos."
            else:
                sent = clock.local(message.started_at)
                deadline = sent.replace(hour=settings.TRIAGE_SAME_DAY_CALL_HOUR, minute=0, second=0,
                                        microsecond=0)  # fmt: skip
                if now < max(deadline, sent):
                    continue
                reason = "sem resposta à cobrança no mesmo dia."
            with transaction.atomic():
                if _claim(order, rule, str(message.pk)) is not None:
                    _call_task(order, reason, now)
                    report.add(rule)


def _follow_ups(now: dt.datetime, report: RulesReport) -> None:
    orders = CertificateOrder.objects.filter(follow_up_at__lte=now).exclude(worklist="")
    for order in orders.iterator():
        with transaction.atomic():
            if _claim(order, "follow_up", order.follow_up_at.isoformat()) is None:
                continue
            order.follow_up_at = None
            order.save(update_fields=["follow_up_at", "updated_at"])
            record(order=order, kind=OrderEvent.Kind.RULE, who=WHO,
                   text="Acompanhamento diário: o pedido voltou para a lista.")  # fmt: skip
            report.add("follow_up")


def triage_rules_run(*, now: dt.datetime | None = None) -> RulesReport:
    """Apply every rule once to every order that needs it (all tenants). Idempotent."""
    now = now or clock.now()
    report = RulesReport()
    _follow_ups(now, report)
    _agendar_message(now, report)
    _escalations(now, report)
    if report.acted:
        logger.info("triage rules: %s", report.acted)
    return report
