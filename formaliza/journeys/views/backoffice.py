"""Back office of the journeys (pt-BR): list, detail with steps, timeline and photos, link
actions, the operators' tasks, and the tenant's terms and contract templates."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.core.errors import ApplicationError
from formaliza.evidence.services import context_from_request
from formaliza.journeys import selectors, services
from formaliza.journeys.events import EVENT_LABELS
from formaliza.journeys.forms import (
    ContractTemplateForm,
    IssueResolveForm,
    JourneyFilterForm,
    TermsPublishForm,
)
from formaliza.journeys.models import (
    Journey,
    JourneyIssue,
)
from formaliza.journeys.selectors import STEP_LABELS


def _not_found(request, what: str = "Jornada"):
    return render(
        request,
        "core/error.html",
        {"title": "Não encontrado", "message": f"{what} não encontrada nesta empresa."},
        status=404,
    )


@perm_required(Perm.JOURNEY_VIEW)
def journey_list(request):
    form = JourneyFilterForm(request.GET or None, statuses=Journey.Status.choices)
    status, query = "", ""
    if form.is_valid():
        status, query = form.cleaned_data["status"], form.cleaned_data["q"]
    journeys = selectors.journey_list(tenant=request.tenant, status=status, query=query)
    page = Paginator(journeys, 50).get_page(request.GET.get("page"))
    seals = selectors.journey_sealed_documents(tenant=request.tenant, journeys=list(page))
    rows = [(j, selectors.journey_step_statuses(j), seals.get(str(j.pk))) for j in page]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "journeys/backoffice/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": params.urlencode(),
            "step_labels": STEP_LABELS,
        },
    )


@perm_required(Perm.JOURNEY_VIEW)
def journey_detail(request, journey_id: str):
    journey = selectors.journey_get(tenant=request.tenant, journey_id=journey_id)
    if journey is None:
        return _not_found(request)
    actor = Actor.of_user(request.user)
    events = selectors.journey_timeline(journey=journey)
    return render(
        request,
        "journeys/backoffice/detail.html",
        {
            "journey": journey,
            "steps": selectors.journey_step_statuses(journey),
            "current_step": STEP_LABELS[journey.current_step],
            "link": selectors.journey_current_link(journey=journey),
            **vars(selectors.journey_records(journey=journey)),
            "events": [(EVENT_LABELS.get(e.kind, e.kind), e) for e in events],
            "verdict": selectors.journey_chain_verdict(journey=journey),
            "document": selectors.journey_sealed_document(journey=journey),
            "can_see_document": actor.can(Perm.EVIDENCE_VIEW),
            "can_download": actor.can(Perm.EVIDENCE_DOWNLOAD),
            "can_retry_seal": actor.can(Perm.EVIDENCE_RETRY),
            "can_manage": actor.can(Perm.JOURNEY_MANAGE) and journey.status == "active",
            "can_see_images": actor.can(Perm.JOURNEY_IMAGES),
            "resolve_form": IssueResolveForm(),
        },
    )


def _link_action(request, journey_id: str, action, done: str):
    journey = selectors.journey_get(tenant=request.tenant, journey_id=journey_id)
    if journey is None:
        return _not_found(request)
    try:
        action(
            actor=Actor.of_user(request.user),
            journey_id=journey.pk,
            context=context_from_request(request),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("journeys:detail", journey_id=journey.pk)


@require_POST
@perm_required(Perm.JOURNEY_MANAGE)
def link_resend(request, journey_id: str):
    return _link_action(
        request, journey_id, services.journey_link_resend,
        "O mesmo link foi colocado na fila para reenvio ao cliente.",
    )  # fmt: skip


@require_POST
@perm_required(Perm.JOURNEY_MANAGE)
def link_renew(request, journey_id: str):
    return _link_action(
        request, journey_id, services.journey_link_renew,
        "Link renovado: o anterior deixou de funcionar e o novo vai para o cliente.",
    )  # fmt: skip


@perm_required(Perm.JOURNEY_IMAGES)
def capture_image(request, journey_id: str, capture_id: str):
    try:
        opened = services.journey_capture_open(
            actor=Actor.of_user(request.user),
            journey_id=journey_id,
            capture_id=capture_id,
            context=context_from_request(request),
        )
    except ApplicationError:
        return _not_found(request, "Imagem")
    response = FileResponse(opened.file, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = (
        f'inline; filename="{opened.capture.kind}-{opened.capture.attempt}.jpg"'
    )
    return response


@perm_required(Perm.JOURNEY_VIEW)
def issue_list(request):
    status = request.GET.get("status", JourneyIssue.Status.OPEN)
    if status not in (*JourneyIssue.Status.values, "all"):
        status = JourneyIssue.Status.OPEN
    issues = selectors.issue_list(tenant=request.tenant, status="" if status == "all" else status)
    page = Paginator(issues, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "journeys/backoffice/issues.html",
        {"page": page, "status": status, "resolve_form": IssueResolveForm(),
         "can_manage": request.user.has_perm_code(Perm.JOURNEY_MANAGE), "step_labels": STEP_LABELS,
         "can_see_document": request.user.has_perm_code(Perm.EVIDENCE_VIEW)},
    )  # fmt: skip


@require_POST
@perm_required(Perm.JOURNEY_MANAGE)
def issue_resolve(request, issue_id: str):
    if selectors.issue_get(tenant=request.tenant, issue_id=issue_id) is None:
        return _not_found(request, "Pendência")  # before judging the form: no hint it exists
    form = IssueResolveForm(request.POST)
    back = request.POST.get("next") or ""
    if not form.is_valid():
        messages.error(request, "Descreva o que foi feito para resolver a pendência.")
    else:
        try:
            issue = services.journey_issue_resolve(
                actor=Actor.of_user(request.user), issue_id=issue_id,
                resolution=form.cleaned_data["resolution"], resume=form.cleaned_data["resume"],
                context=context_from_request(request),
            )  # fmt: skip
        except ApplicationError as exc:
            if exc.status == 404:
                return _not_found(request, "Pendência")
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Pendência {issue.pk} resolvida.")
    if back.startswith("/jornadas/"):
        return redirect(back)
    return redirect("journeys:issues")


@perm_required(Perm.JOURNEY_CONTENT)
def content(request):
    tenant = request.tenant
    services.journey_content_install_defaults(tenant=tenant)
    return render(
        request,
        "journeys/backoffice/content.html",
        {
            "terms": selectors.journey_terms_list(tenant=tenant),
            "templates": selectors.contract_template_list(tenant=tenant),
        },
    )


@perm_required(Perm.JOURNEY_CONTENT)
def terms_publish(request):
    current = services.journey_terms_current(tenant=request.tenant)
    form = TermsPublishForm(
        request.POST or None, initial={"title": current.title, "body": current.body}
    )
    if request.method == "POST" and form.is_valid():
        try:
            terms = services.journey_terms_publish(
                actor=Actor.of_user(request.user), **form.cleaned_data
            )
        except ApplicationError as exc:
            for item in exc.fields:
                form.add_error(item.field if item.field in form.fields else None, item.message)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, f"Versão {terms.version} dos termos publicada.")
            return redirect("journeys:content")
    return render(
        request, "journeys/backoffice/terms_form.html", {"form": form, "current": current}
    )


@perm_required(Perm.JOURNEY_CONTENT)
def template_edit(request):
    tenant = request.tenant
    product = request.GET.get("produto") or request.POST.get("product") or ""
    product_id = int(product) if product.isdigit() else None
    existing = services.contract_template_for(tenant=tenant, product_id=product_id)
    initial = {"product": str(product_id or ""), "title": existing.title, "body": existing.body}
    form = ContractTemplateForm(request.POST or None, initial=initial, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_template_save(
                actor=Actor.of_user(request.user), product_id=product_id,
                title=form.cleaned_data["title"], body=form.cleaned_data["body"],
            )  # fmt: skip
        except ApplicationError as exc:
            for item in exc.fields:
                form.add_error(item.field if item.field in form.fields else None, item.message)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, "Modelo de contrato salvo. Vale para as próximas jornadas.")
            return redirect("journeys:content")
    return render(request, "journeys/backoffice/template_form.html", {"form": form})
