"""Status de finalização (the history's labels): list with counts of the last days, create,
edit. Admins and managers only."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.core import clock
from formaliza.core.errors import ApplicationError
from formaliza.history import selectors, services
from formaliza.history.forms import LabelForm
from formaliza.history.views.search import not_found


def _save(request, form: LabelForm, status_id: int | None) -> bool:
    if not form.is_valid():
        return False
    d = form.cleaned_data
    data = services.LabelInput(
        name=d["name"], color=d["color"], position=d["position"], is_active=d["is_active"]
    )
    try:
        services.label_save(actor=Actor.of_user(request.user), data=data, status_id=status_id)
    except ApplicationError as exc:
        form.add_error("name", exc.message)
        return False
    return True


@perm_required(Perm.HISTORY_LABELS)
def labels(request):
    form = LabelForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "defaults":
        created = services.labels_defaults_create(actor=Actor.of_user(request.user))
        messages.success(request, f"{created} status padrão criados.")
        return redirect("history:labels")
    if request.method == "POST" and _save(request, form, None):
        messages.success(request, "Status de finalização criado.")
        return redirect("history:labels")
    end = clock.today()
    start = end - dt.timedelta(days=settings.HISTORY_MAX_PERIOD_DAYS)
    counts = selectors.finalization_counts(tenant=request.tenant, start=start, end=end)
    statuses = selectors.finalization_list(tenant=request.tenant)
    by_id = {c.status.pk: c.count for c in counts if c.status}
    rows = [(s, by_id.get(s.pk, 0)) for s in statuses]
    context = {"form": form, "rows": rows, "start": start, "end": end}
    return render(request, "history/labels.html", context,
                  status=422 if form.errors else 200)  # fmt: skip


@perm_required(Perm.HISTORY_LABELS)
def label_edit(request, status_id: int):
    status = selectors.finalization_get(tenant=request.tenant, status_id=status_id)
    if status is None:
        return not_found(request, "Status de finalização")
    initial = {"name": status.name, "color": status.color, "position": status.position,
               "is_active": status.is_active}  # fmt: skip
    form = LabelForm(request.POST or None, initial=initial)
    if request.method == "POST" and _save(request, form, status.pk):
        messages.success(request, "Status de finalização atualizado.")
        return redirect("history:labels")
    return render(request, "history/label_edit.html", {"form": form, "status": status},
                  status=422 if form.errors else 200)  # fmt: skip
