"""Portal de Envio: send an approved template by hand, follow its receipts, the sent-messages
report."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import redirect, render

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.conversations import selectors as conversation_selectors
from formaliza.conversations.models import MessageStatus, Template
from formaliza.core import clock
from formaliza.core.errors import ApplicationError
from formaliza.history import selectors, services
from formaliza.history.forms import PortalSendForm, SentReportForm
from formaliza.history.views.search import not_found

# Receipts stop changing at these statuses; the page stops refreshing itself.
FINAL_STATUSES = {MessageStatus.READ, MessageStatus.FAILED}


def _templates(request) -> list[Template]:
    return list(
        conversation_selectors.template_list(
            tenant=request.tenant, approved=True, active_channel=True
        )
    )


@perm_required(Perm.PORTAL_SEND)
def portal(request):
    templates = _templates(request)
    form = PortalSendForm(request.POST or None, templates=templates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sent = services.portal_send(
                    actor=Actor.of_user(request.user), template_id=form.cleaned_data["template"],
                    phone=form.cleaned_data["phone"], variables=form.variable_values(),
                )  # fmt: skip
            except ApplicationError as exc:
                field = exc.fields[0].field if exc.fields else None
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                return redirect("history:portal_send", send_id=sent.pk)
        status = 422
    return render(request, "history/portal.html",
                  {"form": form, "templates": templates}, status=status)  # fmt: skip


@perm_required(Perm.PORTAL_SEND)
def portal_send_detail(request, send_id: int):
    sent = selectors.portal_send_get(tenant=request.tenant, send_id=send_id)
    if sent is None:
        return not_found(request, "Envio")
    message = sent.message
    context = {"sent": sent, "m": message, "refresh": message.status not in FINAL_STATUSES}
    return render(request, "history/portal_send.html", context)


@perm_required(Perm.PORTAL_SEND)
def portal_report(request):
    users = selectors.portal_users(tenant=request.tenant)
    today = clock.today()
    data = request.GET.copy()
    data.setdefault("start", (today - dt.timedelta(days=7)).isoformat())
    data.setdefault("end", today.isoformat())
    form = SentReportForm(data, users=users)
    rows, next_before = [], None
    if form.is_valid():
        before = request.GET.get("antes", "")
        rows, next_before = selectors.portal_sent_report(
            tenant=request.tenant, filters=form.filters(),
            before_id=int(before) if before.isdigit() else None,
        )  # fmt: skip
    query = data.copy()
    query.pop("antes", None)
    context = {"form": form, "rows": rows, "next_before": next_before, "query": query.urlencode()}
    return render(request, "history/portal_report.html", context,
                  status=200 if form.is_valid() else 422)  # fmt: skip
