"""Reads for the system cards' back office pages; every query is filtered by the tenant."""

from __future__ import annotations

from formaliza.conversations.models import Department
from formaliza.flows.models import BulkSend, BusinessPeriod, GroupNotice, MetricCount, NotifyGroup


def notify_groups(*, tenant):
    return NotifyGroup.objects.filter(tenant=tenant).prefetch_related("members")


def notify_group_get(*, tenant, group_id: int) -> NotifyGroup | None:
    return notify_groups(tenant=tenant).filter(pk=group_id).first()


def departments_all(*, tenant):
    """Every department, active ones first (the setup page lists the inactive too)."""
    return Department.objects.filter(tenant=tenant).order_by("-is_active", "name")


def department_get(*, tenant, department_id: int) -> Department | None:
    return Department.objects.filter(tenant=tenant, pk=department_id).first()


def business_periods(*, tenant):
    return BusinessPeriod.objects.filter(tenant=tenant).order_by("weekday", "start")


def bulk_sends(*, tenant):
    return (
        BulkSend.objects.filter(tenant=tenant)
        .select_related("flow", "channel")
        .order_by("-created_at")
    )


def bulk_send_get(*, tenant, bulk_id: int) -> BulkSend | None:
    return bulk_sends(tenant=tenant).filter(pk=bulk_id).first()


def notices(*, user):
    return (
        GroupNotice.objects.filter(user=user, tenant=user.tenant)
        .select_related("group", "conversation")
        .order_by("-created_at")
    )


def metric_report(*, tenant) -> list[dict]:
    """One row per (flow, card): positive and negative counts and the positive share."""
    rows: dict[tuple[str, str], dict] = {}
    for m in MetricCount.objects.filter(tenant=tenant).order_by("flow_key", "card"):
        row = rows.setdefault(
            (m.flow_key, m.card), {"flow": m.flow_key, "card": m.card, "positive": 0, "negative": 0}
        )
        row[m.path] = m.count
    for row in rows.values():
        total = row["positive"] + row["negative"]
        row["total"] = total
        row["share"] = round(100 * row["positive"] / total) if total else 0
    return list(rows.values())
