from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.accounts.selectors import branch_list
from formaliza.core.errors import ApplicationError, ValidationFailed
from formaliza.proposals import selectors, services
from formaliza.proposals.choices import Activity
from formaliza.proposals.display import display_value
from formaliza.proposals.fields import SECTIONS
from formaliza.proposals.forms import (
    DECISION_BUTTONS,
    CancelFormalizationForm,
    DecisionForm,
    PipelineFilterForm,
    ProposalForm,
)
from formaliza.proposals.models import FormalizationRequest


def _not_found(request, what: str = "Proposta"):
    return render(
        request,
        "core/error.html",
        {"title": "Não encontrado", "message": f"{what} não encontrada nesta empresa."},
        status=404,
    )


@perm_required(Perm.PROPOSAL_VIEW)
def pipeline(request):
    form = PipelineFilterForm(request.GET or None)
    filters = selectors.ProposalFilters()
    if form.is_valid():
        filters = selectors.ProposalFilters(**form.cleaned_data)
    actor = Actor.of_user(request.user)
    page = Paginator(selectors.proposal_list(actor=actor, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "proposals/pipeline.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@perm_required(Perm.PROPOSAL_CREATE)
def proposal_new(request):
    tenant = request.tenant
    kwargs = {
        "catalog": selectors.catalog_options(tenant=tenant),
        "branches": list(branch_list(tenant=tenant)),
    }
    initial = {"operator_name": request.user.display_name, "formalization_phone_choice": "mobile"}
    if request.user.branch_id:
        initial["branch"] = request.user.branch.code
    form = ProposalForm(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.proposal_create(
                actor=Actor.of_user(request.user), data=form.cleaned_data, via="ui"
            )
        except ValidationFailed as exc:
            for item in exc.fields:
                form.add_error(item.field if item.field in form.fields else None, item.message)
            messages.error(request, exc.message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Proposta {created.proposal.number} digitada.")
            for notice in created.notices:
                messages.warning(request, notice.message)
            return redirect("proposals:detail", number=created.proposal.number)
    return render(request, "proposals/proposal_form.html", {"form": form})


@perm_required(Perm.PROPOSAL_VIEW)
def proposal_detail(request, number: str):
    actor = Actor.of_user(request.user)
    proposal = selectors.proposal_get_by_number(actor=actor, number=number)
    if proposal is None:
        return _not_found(request)
    context = {
        "proposal": proposal,
        "sections": _display_sections(proposal),
        "history": proposal.history.select_related("formalization").all(),
        "formalizations": proposal.formalizations.order_by("-created_at"),
        "can_decide": actor.can(Perm.PROPOSAL_DECIDE) and not proposal.is_final,
        "decision_form": DecisionForm(),
        "buttons": DECISION_BUTTONS,
        "typing_siblings": 0,
        "group": [],
    }
    if proposal.activity == Activity.APROVA_INICIO_FLUXO_ASS:
        context["typing_siblings"] = selectors.proposal_siblings_in_typing(proposal=proposal)
        context["group"] = selectors.proposal_group_status(proposal=proposal)
    return render(request, "proposals/proposal_detail.html", context)


def _display_sections(proposal):
    return [
        (title, [(spec.label, display_value(proposal, spec)) for spec in specs if spec.stored])
        for title, specs in SECTIONS
    ]


@require_POST
@perm_required(Perm.PROPOSAL_DECIDE)
def proposal_decide(request, number: str):
    actor = Actor.of_user(request.user)
    proposal = selectors.proposal_get_by_number(actor=actor, number=number)
    if proposal is None:
        return _not_found(request)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Escolha uma decisão válida.")
        return redirect("proposals:detail", number=number)
    try:
        result = services.proposal_decide(
            actor=actor,
            proposal_id=proposal.pk,
            decision=form.cleaned_data["decision"],
            observation=form.cleaned_data["observation"],
        )
    except ApplicationError as exc:
        detail = "; ".join(f.message for f in exc.fields)
        messages.error(request, f"{exc.message} {detail}".strip())
        return redirect("proposals:detail", number=number)
    proposal = result.proposal
    if result.formalization is not None:
        messages.success(
            request,
            f"Formalização {result.formalization.number} aberta: o cliente receberá uma única "
            "mensagem para assinar todas as propostas aprovadas.",
        )
    elif proposal.approved_in_activity:
        messages.success(
            request, "Proposta aprovada. Aguardando as demais propostas do cliente nesta atividade."
        )
    else:
        messages.success(request, f"Proposta em {proposal.get_activity_display()}.")
    return redirect("proposals:detail", number=number)


@perm_required(Perm.PROPOSAL_VIEW)
def formalizations(request):
    status = request.GET.get("status", "")
    if status not in FormalizationRequest.Status.values:
        status = ""
    page = Paginator(selectors.formalization_list(tenant=request.tenant, status=status), 50)
    return render(
        request,
        "proposals/formalizations.html",
        {"page": page.get_page(request.GET.get("page")), "status": status,
         "statuses": FormalizationRequest.Status.choices},
    )  # fmt: skip


@perm_required(Perm.PROPOSAL_VIEW)
def formalization_detail(request, request_id: str):
    item = selectors.formalization_get(tenant=request.tenant, request_id=request_id)
    if item is None:
        return _not_found(request, "Formalização")
    return render(
        request,
        "proposals/formalization_detail.html",
        {
            "item": item,
            "proposals": item.proposals.order_by("created_at"),
            "can_cancel": request.user.has_perm_code(Perm.FORMALIZATION_CANCEL)
            and item.status == FormalizationRequest.Status.OPEN,
            "cancel_form": CancelFormalizationForm(),
        },
    )


@require_POST
@perm_required(Perm.FORMALIZATION_CANCEL)
def formalization_cancel(request, request_id: str):
    item = selectors.formalization_get(tenant=request.tenant, request_id=request_id)
    if item is None:
        return _not_found(request, "Formalização")
    form = CancelFormalizationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Informe o motivo do cancelamento.")
        return redirect("proposals:formalization_detail", request_id=item.pk)
    try:
        services.formalization_cancel(
            actor=Actor.of_user(request.user),
            request_id=item.pk,
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Formalização cancelada. As propostas voltaram para APROVA INÍCIO FLUXO ASS.",
        )
    return redirect("proposals:formalization_detail", request_id=item.pk)
