"""The agent's calculation pages: form, drafts, result with the demonstrative, PDF, save."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from formaliza.accounts.roles import Perm
from formaliza.cases import selectors, services
from formaliza.cases.display import demonstrative
from formaliza.cases.forms import CalculationForm, SaveCaseForm, initial_from
from formaliza.cases.pdf import demonstrative_pdf
from formaliza.cases.views.common import actor_of, case_page, form_errors, who_of
from formaliza.core.errors import ApplicationError


@case_page(Perm.CASE_WORK)
def calculate(request):
    draft = None
    if draft_id := request.GET.get("rascunho") or request.POST.get("draft"):
        draft = selectors.calculation_get(actor=actor_of(request), calculation_id=draft_id)
    if request.method == "POST":
        form = CalculationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                calculation = services.calculation_run(
                    tenant=request.tenant, agent=request.user, data=form.to_input(),
                    draft_id=draft.pk if draft is not None and draft.is_draft else None,
                )  # fmt: skip
            except ApplicationError as exc:
                form_errors(form, exc)
            else:
                return redirect("cases:calculation", calculation.pk)
    else:
        form = CalculationForm(initial=initial_from(draft) if draft else None)
    return render(request, "cases/backoffice/calculate.html", {"form": form, "draft": draft})


@case_page(Perm.CASE_VIEW)
def calculation(request, calculation_id):
    actor = actor_of(request)
    calc = selectors.calculation_get(actor=actor, calculation_id=calculation_id)
    save_form = None
    if calc.is_draft and actor.can(Perm.CASE_WORK):
        clients = selectors.client_list(actor=actor).filter(agent=calc.agent)
        save_form = SaveCaseForm(clients=clients, initial={"new_client_name": calc.label})
    case = getattr(calc, "case", None) if calc.saved_at else None
    return render(request, "cases/backoffice/calculation.html", {
        "calc": calc, "demo": demonstrative(calc), "save_form": save_form, "case": case,
    })  # fmt: skip


@case_page(Perm.CASE_VIEW)
def calculation_pdf(request, calculation_id):
    calc = selectors.calculation_get(actor=actor_of(request), calculation_id=calculation_id)
    response = HttpResponse(demonstrative_pdf(calc), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="demonstrativo-{str(calc.pk)[:8]}.pdf"'
    return response


@require_POST
@case_page(Perm.CASE_WORK)
def calculation_save(request, calculation_id):
    actor = actor_of(request)
    calc = selectors.calculation_get(actor=actor, calculation_id=calculation_id)
    clients = selectors.client_list(actor=actor).filter(agent=calc.agent)
    form = SaveCaseForm(request.POST, clients=clients)
    if form.is_valid():
        try:
            if form.cleaned_data["client"]:
                client = selectors.client_get(actor=actor, client_id=form.cleaned_data["client"])
            else:
                client = services.client_create(
                    tenant=request.tenant, agent=calc.agent, who=who_of(request),
                    data=services.ClientInput(name=form.cleaned_data["new_client_name"]),
                )  # fmt: skip
            case = services.case_save(calculation=calc, client=client, who=who_of(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("cases:calculation", calc.pk)
        messages.success(request, f"Caso {case.number} salvo. Complete o cadastro do cliente.")
        return redirect("cases:detail", case.pk)
    messages.error(request, " ".join(form.non_field_errors()) or "Confira os dados do cliente.")
    return redirect("cases:calculation", calc.pk)


@require_POST
@case_page(Perm.CASE_WORK)
def calculation_discard(request, calculation_id):
    calc = selectors.calculation_get(actor=actor_of(request), calculation_id=calculation_id)
    try:
        services.calculation_discard(calculation=calc)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Rascunho descartado.")
    return redirect("cases:list")
