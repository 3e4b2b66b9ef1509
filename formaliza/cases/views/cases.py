"""Meus casos, the case page, filing request; the staff's filing queue and settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from formaliza.accounts.roles import Perm
from formaliza.cases import selectors, services
from formaliza.cases.display import demonstrative
from formaliza.cases.forms import AgentProfileForm, DocumentTypeForm, ProtocolForm
from formaliza.cases.models import CaseStatus
from formaliza.cases.views.common import actor_of, case_page, form_errors, who_of
from formaliza.core.errors import ApplicationError
from formaliza.payments.selectors import wallet_balance


@case_page(Perm.CASE_VIEW)
def case_list(request):
    actor = actor_of(request)
    status = request.GET.get("status", "")
    return render(request, "cases/backoffice/cases.html", {
        "cases": selectors.case_list(actor=actor, status=status)[:500],
        "drafts": selectors.draft_list(actor=actor)[:50], "status": status,
        "statuses": CaseStatus.choices, "all_agents": actor.can(Perm.CASE_VIEW_ALL),
    })  # fmt: skip


@case_page(Perm.CASE_VIEW)
def case_detail(request, case_id):
    actor = actor_of(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    return render(request, "cases/backoffice/case_detail.html", {
        "case": case, "demo": demonstrative(case.calculation),
        "events": case.events.all(), "notifications": case.notifications.all(),
        "slots": selectors.client_slots(client=case.client),
        "protocol_form": ProtocolForm() if actor.can(Perm.CASE_FILING) else None,
        "can_work": actor.can(Perm.CASE_WORK), "S": CaseStatus,
        "payment": services.case_payment_panel(case=case, create=False),
        "credits": wallet_balance(tenant=case.tenant, owner=case.agent),
        "can_confirm": actor.can(Perm.CASE_FILING),
    })  # fmt: skip


@require_POST
@case_page(Perm.CASE_WORK)
def case_pay_credit(request, case_id):
    """ "Usar crédito": one of the case's agent's credits pays it."""
    case = selectors.case_get(actor=actor_of(request), case_id=case_id)
    try:
        services.case_pay_with_credit(case=case, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Caso pago com 1 crédito.")
    return redirect("cases:detail", case.pk)


@require_POST
@case_page(Perm.CASE_WORK)
def case_charge_client(request, case_id):
    """ "Cobrança direta ao cliente": the Pix charge the client sees on the documents page."""
    case = selectors.case_get(actor=actor_of(request), case_id=case_id)
    try:
        services.case_charge(case=case)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Cobrança Pix gerada: o cliente a vê na página de documentos.")
    return redirect("cases:detail", case.pk)


@require_POST
@case_page(Perm.CASE_FILING)
def case_confirm_static(request, case_id):
    """Staff confirm a static BR Code payment seen in the bank statement."""
    case = selectors.case_get(actor=actor_of(request), case_id=case_id)
    try:
        services.case_static_confirm(
            case=case, user=request.user, reference=request.POST.get("reference", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Pagamento confirmado.")
    return redirect("cases:detail", case.pk)


@require_POST
@case_page(Perm.CASE_WORK)
def case_request_filing(request, case_id):
    case = selectors.case_get(actor=actor_of(request), case_id=case_id)
    try:
        services.case_filing_request(case=case, who=who_of(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "Atermação solicitada: a equipe fará o protocolo e avisará você por e-mail."
        )
    return redirect("cases:detail", case.pk)


@require_POST
@case_page(Perm.CASE_WORK)
def case_cancel(request, case_id):
    case = selectors.case_get(actor=actor_of(request), case_id=case_id)
    try:
        services.case_cancel(case=case, who=who_of(request), reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", case.pk)


@case_page(Perm.CASE_FILING)
def filing_queue(request):
    return render(request, "cases/backoffice/filing_queue.html", {
        "cases": selectors.filing_queue(actor=actor_of(request)), "form": ProtocolForm(),
    })  # fmt: skip


@require_POST
@case_page(Perm.CASE_FILING)
def protocol_record(request, case_id):
    actor = actor_of(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    form = ProtocolForm(request.POST)
    if form.is_valid():
        try:
            services.case_protocol_record(
                case=case, number=form.cleaned_data["protocol_number"], actor=actor
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Protocolo registrado; agente e cliente foram avisados.")
            return redirect("cases:detail", case.pk)
    return render(request, "cases/backoffice/filing_queue.html", {
        "cases": selectors.filing_queue(actor=actor), "form": form, "failed_case": case,
    }, status=422)  # fmt: skip


@case_page(Perm.CASE_SETTINGS)
def document_types(request):
    services.document_types_ensure(tenant=request.tenant)
    form = DocumentTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        type_id = request.POST.get("type_id")
        try:
            services.document_type_save(
                tenant=request.tenant,
                type_id=int(type_id) if type_id else None,
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Tipo de documento salvo.")
            return redirect("cases:document_types")
    return render(request, "cases/backoffice/document_types.html", {
        "types": selectors.document_types(tenant=request.tenant), "form": form,
    })  # fmt: skip


@case_page(Perm.CASE_WORK)
def agent_link(request):
    profile = services.agent_profile_ensure(user=request.user)
    form = AgentProfileForm(request.POST or None, initial={"phone": profile.phone})
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.agent_profile_update(
                user=request.user, phone=form.cleaned_data["phone"],
                rotate_link=request.POST.get("rotate") == "1",
            )  # fmt: skip
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Dados salvos.")
            return redirect("cases:agent_link")
    link = settings.PUBLIC_BASE_URL + reverse("cases_client:signup", args=[profile.signup_token])
    return render(request, "cases/backoffice/agent_link.html", {"form": form, "link": link})
