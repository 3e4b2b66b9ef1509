"""Importar pedidos: a CSV/XLSX file, all or nothing, with the error list per row and column."""

from __future__ import annotations

from django.shortcuts import render

from formaliza.accounts.roles import Perm
from formaliza.triage import services
from formaliza.triage.forms import ImportForm
from formaliza.triage.spreadsheet import MAX_BYTES
from formaliza.triage.views.common import triage_page, who_of


@triage_page(Perm.TRIAGE_MANAGE)
def orders_import(request):
    context, status = {"form": ImportForm()}, 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                context["report"] = services.orders_import(
                    tenant=request.tenant, filename=upload.name,
                    content=upload.read(MAX_BYTES + 1), who=who_of(request),
                )  # fmt: skip
            except services.ImportRejected as exc:
                context["rejected"] = exc
                status = 422
        else:
            status = 422
    return render(request, "triage/import.html", context, status=status)
