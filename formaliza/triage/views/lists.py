"""Conferência geral (the four lists at a glance, with their 14-day charts) and each list."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from formaliza.accounts.roles import Perm
from formaliza.triage import selectors
from formaliza.triage.display import chart_bars
from formaliza.triage.views.common import triage_page
from formaliza.triage.worklists import PLAYBOOK, Worklist

PAGE_SIZE = 50


def list_url(worklist: str) -> str:
    return reverse(f"triage:list_{worklist}")


@triage_page(Perm.TRIAGE_VIEW)
def overview(request):
    counts = selectors.worklist_counts(tenant=request.tenant, user=request.user)
    charts = selectors.worklist_chart(tenant=request.tenant)
    lists = [{"count": c, "chart": chart_bars(charts[c.worklist])} for c in counts]
    for item in lists:
        item["url"] = list_url(item["count"].worklist)
    can_import = request.user.has_perm_code(Perm.TRIAGE_MANAGE)
    return render(request, "triage/overview.html", {"lists": lists, "can_import": can_import})


@triage_page(Perm.TRIAGE_VIEW)
def worklist(request, worklist: str):
    assigned = request.GET.get("responsavel", "todos")
    if assigned not in dict(selectors.ASSIGNED_CHOICES):
        assigned = "todos"
    waiting = request.GET.get("aguardando") == "1"
    orders = selectors.worklist_orders(
        tenant=request.tenant, worklist=worklist, user=request.user, assigned=assigned,
        waiting=waiting,
    )  # fmt: skip
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("pagina"))
    count = next(
        c for c in selectors.worklist_counts(tenant=request.tenant, user=request.user)
        if c.worklist == worklist
    )  # fmt: skip
    return render(request, "triage/worklist.html", {
        "worklist": worklist, "label": Worklist(worklist).label, "steps": PLAYBOOK[worklist],
        "page": page, "count": count, "assigned": assigned, "waiting": waiting,
        "assigned_choices": selectors.ASSIGNED_CHOICES,
    })  # fmt: skip
