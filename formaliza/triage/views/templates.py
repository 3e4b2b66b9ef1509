"""Modelos da triagem: the tenant's message of each list, edited on one page."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render

from formaliza.accounts.roles import Perm
from formaliza.core.errors import ApplicationError
from formaliza.triage import services
from formaliza.triage.forms import TemplateForm
from formaliza.triage.messages import VARIABLES
from formaliza.triage.views.common import form_errors, triage_page
from formaliza.triage.worklists import LISTS, Worklist


def _forms(request, data=None):
    forms = []
    for w in LISTS:
        template = services.template_for(tenant=request.tenant, worklist=w)
        initial = {"body": template.body, "whatsapp_template": template.whatsapp_template}
        forms.append((w, Worklist(w).label, TemplateForm(data, prefix=w, initial=initial)))
    return forms


@triage_page(Perm.TRIAGE_MANAGE)
def templates_edit(request):
    forms = _forms(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and all(form.is_valid() for _, _, form in forms):
        try:
            with transaction.atomic():
                for worklist, _, form in forms:
                    try:
                        services.template_save(
                            tenant=request.tenant, worklist=worklist, user=request.user,
                            **form.cleaned_data,
                        )  # fmt: skip
                    except ApplicationError as exc:
                        form_errors(form, exc)
                        raise
        except ApplicationError:
            pass
        else:
            messages.success(request, "Modelos salvos.")
            return redirect("triage:templates")
    status = 422 if request.method == "POST" else 200
    context = {"forms": forms, "variables": VARIABLES}
    return render(request, "triage/templates.html", context, status=status)
