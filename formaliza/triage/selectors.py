"""Reads of triage, always by tenant: the four worklists with their counts, an order with its
timeline, the 14-day chart of each list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate

from formaliza.accounts.models import Tenant, User
from formaliza.accounts.roles import ROLE_PERMS, Perm, Role
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, NotFound
from formaliza.telephony.models import Call
from formaliza.triage.models import CertificateOrder, ContactAttempt, OrderEvent
from formaliza.triage.worklists import LISTS, PLAYBOOK, Step, Worklist

ASSIGNED_CHOICES = (("todos", "Todos"), ("meus", "Meus"), ("sem", "Sem responsável"))


@dataclass(frozen=True)
class ListCount:
    worklist: str
    label: str
    total: int  # every order in the list
    due: int  # to work now (not waiting for the follow-up)
    call_tasks: int  # escalated to a call by a rule
    mine: int
    unassigned: int
    steps: tuple[Step, ...]


def order_get(*, tenant: Tenant, order_id) -> CertificateOrder:
    """The tenant's order, or NotFound (another tenant's order is not found either)."""
    try:
        return CertificateOrder.objects.select_related("assigned_to").get(
            tenant=tenant, pk=int(order_id)
        )
    except (CertificateOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound("Pedido", code="triage_order_not_found") from None


def order_by_external_id(*, tenant: Tenant, external_id: str) -> CertificateOrder | None:
    return CertificateOrder.objects.filter(tenant=tenant, external_id=external_id).first()


def _due(now: dt.datetime) -> Q:
    return Q(follow_up_at__isnull=True) | Q(follow_up_at__lte=now)


def worklist_counts(*, tenant: Tenant, user: User | None = None) -> list[ListCount]:
    """The four lists with their counts, in the playbook's order: one query."""
    now = clock.now()
    rows = (
        CertificateOrder.objects.filter(tenant=tenant, worklist__in=LISTS)
        .values("worklist")
        .annotate(
            total=Count("pk"),
            due=Count("pk", filter=_due(now)),
            call_tasks=Count("pk", filter=Q(call_task_at__isnull=False)),
            mine=Count("pk", filter=Q(assigned_to_id=user.pk if user else 0)),
            unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
        )
        .order_by()
    )
    found = {row["worklist"]: row for row in rows}
    empty = {"total": 0, "due": 0, "call_tasks": 0, "mine": 0, "unassigned": 0}
    return [
        ListCount(
            worklist=w,
            label=Worklist(w).label,
            steps=PLAYBOOK[w],
            **{k: found.get(w, empty)[k] for k in empty},
        )
        for w in LISTS
    ]


def worklist_orders(
    *, tenant: Tenant, worklist: str, user: User | None = None, assigned: str = "todos",
    waiting: bool = False,
) -> QuerySet[CertificateOrder]:  # fmt: skip
    """The orders of one list, call tasks first, then the longest in the list. `waiting`: the
    orders resting until their follow-up instead of those to work now."""
    if worklist not in LISTS:
        raise NotFound("Lista", code="triage_worklist_not_found")
    now = clock.now()
    orders = CertificateOrder.objects.filter(tenant=tenant, worklist=worklist)
    orders = orders.exclude(_due(now)) if waiting else orders.filter(_due(now))
    if assigned == "meus" and user is not None:
        orders = orders.filter(assigned_to=user)
    elif assigned == "sem":
        orders = orders.filter(assigned_to__isnull=True)
    return orders.select_related("assigned_to").order_by(
        F("call_task_at").asc(nulls_last=True), "worklist_since", "pk"
    )


def order_next_step(order: CertificateOrder) -> Step | None:
    return order.next_step


def seconds_since_last_contact(order: CertificateOrder) -> int | None:
    if order.last_contact_at is None:
        return None
    return max(0, int((clock.now() - order.last_contact_at).total_seconds()))


def order_timeline(*, order: CertificateOrder) -> QuerySet[OrderEvent]:
    return order.events.order_by("-at", "-pk")


def order_attempts(*, order: CertificateOrder) -> QuerySet[ContactAttempt]:
    return order.attempts.order_by("-started_at", "-pk")


def attempt_call(*, attempt: ContactAttempt) -> Call | None:
    """The telephony call behind a contact (its `tel:` link, state and duration)."""
    if attempt.call_id is None:
        return None
    return Call.objects.filter(pk=attempt.call_id, tenant_id=attempt.tenant_id).first()


def order_pending_attempt(*, order: CertificateOrder) -> ContactAttempt | None:
    return (
        order.attempts.filter(outcome="", kind__in=("call", "accountant"), message_id__isnull=True)
        .order_by("-started_at", "-pk")
        .first()
    )


def operators(*, tenant: Tenant) -> QuerySet[User]:
    """Who may be given an order: the tenant's active users who work the triage."""
    roles = [r for r in Role.values if Perm.TRIAGE_WORK in ROLE_PERMS.get(r, frozenset())]
    return User.objects.filter(tenant=tenant, is_active=True, role__in=roles).order_by(
        "first_name", "email"
    )


def assignee_get(*, tenant: Tenant, user_id: int) -> User:
    """A user of the tenant to give an order to (the service checks that they work triage)."""
    user = User.objects.filter(tenant=tenant, pk=user_id, is_active=True).first()
    if user is None:
        raise ApplicationError(
            code="triage_assignee_invalid", message="Responsável não encontrado nesta empresa.",
            status=422,
        )  # fmt: skip
    return user


def worklist_chart(*, tenant: Tenant, days: int = 14) -> dict[str, list[dict]]:
    """Per list, for each of the last `days` days (local): orders that entered it and orders
    that left it (resolved, or moved on to the next list)."""
    today = clock.today()
    start_day = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(start_day, dt.time(0), tzinfo=clock.SAO_PAULO)
    events = OrderEvent.objects.filter(
        tenant=tenant, kind=OrderEvent.Kind.LIST_CHANGED, at__gte=start
    )
    entered = (
        events.filter(to_list__in=LISTS)
        .annotate(day=TruncDate("at", tzinfo=clock.SAO_PAULO))
        .values("to_list", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    left = (
        events.filter(from_list__in=LISTS)
        .annotate(day=TruncDate("at", tzinfo=clock.SAO_PAULO))
        .values("from_list", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ins = {(r["to_list"], r["day"]): r["n"] for r in entered}
    outs = {(r["from_list"], r["day"]): r["n"] for r in left}
    chart = {}
    for w in LISTS:
        chart[w] = [
            {
                "day": start_day + dt.timedelta(days=i),
                "entered": ins.get((w, start_day + dt.timedelta(days=i)), 0),
                "resolved": outs.get((w, start_day + dt.timedelta(days=i)), 0),
            }
            for i in range(days)
        ]
    return chart
