"""Reads for the system cards' back office pages; every query is filtered by the tenant."""

from __future__ import annotations

from formaliza.flows.models import BulkSend, BusinessPeriod, GroupNotice, MetricCount, NotifyGroup


def notify_groups(*, tenant):
    return NotifyGroup.objects.filter(tenant=tenant).prefetch_related("members")


def business_periods(*, tenant):
    return BusinessPeriod.objects.filter(tenant=tenant).order_by("weekday", "start")


def bulk_sends(*, tenant):
    return (
        BulkSend.objects.filter(tenant=tenant)
        .select_related("flow", "channel")
        .order_by("-created_at")
    )


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
