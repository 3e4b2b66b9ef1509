"""Back office of flows: list, import, export, publish, versions and rollback, diagram."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.core.errors import ApplicationError, Conflict
from formaliza.flows import selectors
from formaliza.flows.diagram import render_svg
from formaliza.flows.forms import FlowImportForm, PublishForm, TriggerForm
from formaliza.flows.models import Flow
from formaliza.flows.services import definitions
from formaliza.flows.services.definitions import FlowInvalid


def _not_found(request, what: str = "Fluxo não encontrado."):
    return render(
        request, "core/error.html", {"title": "Não encontrado", "message": what}, status=404
    )


def _flow(request, key: str):
    return selectors.flow_get(tenant=request.tenant, key=key)


@perm_required(Perm.FLOW_VIEW)
def flow_list(request):
    archived = request.GET.get("arquivados") == "1"
    flows = list(selectors.flow_list(tenant=request.tenant, include_archived=archived))
    keys = selectors.flow_keys(tenant=request.tenant)
    rows = [
        {"flow": flow, "report": selectors.flow_draft_report(flow=flow, keys=keys)}
        for flow in flows
    ]
    return render(request, "flows/list.html", {"rows": rows, "archived": archived})


@perm_required(Perm.FLOW_MANAGE)
def flow_import(request):
    form = FlowImportForm(request.POST or None, request.FILES or None)
    problems, conflict = [], None
    if request.method == "POST" and form.is_valid():
        content = form.content()
        choice = form.cleaned_data["on_conflict"]
        try:
            result = definitions.flow_import(
                tenant=request.tenant,
                actor=Actor.of_user(request.user),
                text=content,
                key=form.cleaned_data["key"],
                on_conflict="update" if choice == "update" else "fail",
            )
        except FlowInvalid as exc:
            problems = exc.problems
        except Conflict as exc:
            conflict = exc.message
            # Keep what was sent so the person only picks an option (no new upload).
            text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
            form = FlowImportForm(initial={"text": text, "key": form.cleaned_data["key"]})
        else:
            verb = "criado" if result.created else "atualizado (rascunho)"
            messages.success(request, f"Fluxo “{result.flow.name}” {verb}.")
            for warning in result.warnings:
                messages.warning(request, str(warning))
            return redirect("flows:detail", key=result.flow.key)
    return render(
        request,
        "flows/import.html",
        {"form": form, "problems": problems, "conflict": conflict},
    )


@perm_required(Perm.FLOW_VIEW)
def flow_detail(request, key: str):
    flow = _flow(request, key)
    if flow is None:
        return _not_found(request)
    return _detail(request, flow)


def _detail(request, flow, *, trigger_form=None, status: int = 200):
    keys = selectors.flow_keys(tenant=request.tenant)
    number = request.GET.get("versao", "")
    version = None
    if number:
        version = number.isdigit() and selectors.flow_version_get(flow=flow, number=int(number))
        if not version:
            return _not_found(request, "Versão não encontrada.")
        report = selectors.document_report(data=version.document, keys=keys)
    else:
        report = selectors.flow_draft_report(flow=flow, keys=keys)
    svg = mark_safe(render_svg(report.document, report.warnings)) if report.document else ""  # noqa: S308 -- every text in it is escaped by render_svg
    return render(
        request,
        "flows/detail.html",
        {
            "flow": flow,
            "version": version,
            "report": report,
            "svg": svg,
            "publish_form": PublishForm(),
            "trigger_form": trigger_form or TriggerForm(initial={"trigger": flow.trigger}),
            "can_manage": request.user.has_perm_code(Perm.FLOW_MANAGE),
        },
        status=status,
    )


@require_POST
@perm_required(Perm.FLOW_MANAGE)
def flow_trigger(request, key: str):
    """Change what starts the flow; a refusal (another flow has that trigger, an archived flow)
    is shown next to the field, with nothing changed."""
    flow = _flow(request, key)
    if flow is None:
        return _not_found(request)
    form = TriggerForm(request.POST)
    if form.is_valid():
        try:
            definitions.flow_trigger_set(
                flow=flow, actor=Actor.of_user(request.user), trigger=form.cleaned_data["trigger"]
            )
        except ApplicationError as exc:
            form.add_error("trigger", exc.message)
        else:
            messages.success(request, f"Início do fluxo: {flow.get_trigger_display()}.")
            if flow.trigger != Flow.Trigger.MANUAL and flow.live is None:
                messages.warning(
                    request,
                    "O fluxo ainda não foi publicado: nada começa por ele até a primeira versão.",
                )
            return redirect("flows:detail", key=flow.key)
    flow.refresh_from_db()
    return _detail(request, flow, trigger_form=form, status=422)


@perm_required(Perm.FLOW_VIEW)
def flow_export(request, key: str):
    flow = _flow(request, key)
    if flow is None:
        return _not_found(request)
    number = request.GET.get("versao", "")
    try:
        export = definitions.flow_export(
            flow=flow,
            version=int(number) if number.isdigit() else None,
            draft=request.GET.get("rascunho") == "1",
        )
    except ApplicationError:
        return _not_found(request, "Versão não encontrada.")
    response = HttpResponse(export.text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@require_POST
@perm_required(Perm.FLOW_MANAGE)
def flow_publish(request, key: str):
    flow = _flow(request, key)
    if flow is None:
        return _not_found(request)
    form = PublishForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        result = definitions.flow_publish(flow=flow, actor=Actor.of_user(request.user), note=note)
    except FlowInvalid as exc:
        messages.error(request, exc.message)
        for problem in exc.problems:
            messages.error(request, str(problem))
    else:
        if result.created:
            messages.success(request, f"Versão {result.version.number} publicada e em uso.")
        else:
            messages.info(
                request,
                f"O rascunho é igual à versão {result.version.number}, que já está em uso: "
                "nada foi publicado.",
            )
    return redirect("flows:detail", key=flow.key)


@perm_required(Perm.FLOW_VIEW)
def flow_versions(request, key: str):
    flow = _flow(request, key)
    if flow is None:
        return _not_found(request)
    return render(
        request,
        "flows/versions.html",
        {
            "flow": flow,
            "versions": selectors.flow_versions(flow=flow),
            "can_manage": request.user.has_perm_code(Perm.FLOW_MANAGE),
        },
    )


@require_POST
@perm_required(Perm.FLOW_MANAGE)
def flow_rollback(request, key: str, number: int):
    flow = _flow(request, key)
    if flow is None:
        return _not_found(request)
    try:
        definitions.flow_rollback(flow=flow, actor=Actor.of_user(request.user), number=number)
    except ApplicationError as exc:
        if exc.status == 404:
            return _not_found(request, "Versão não encontrada.")
        messages.error(request, exc.message)
        for problem in getattr(exc, "problems", []):
            messages.error(request, str(problem))
    else:
        messages.success(
            request,
            f"A versão {number} voltou a ser usada por novos atendimentos e passou a ser o "
            "rascunho; os atendimentos em andamento seguem na versão em que começaram.",
        )
    return redirect("flows:versions", key=flow.key)


@require_POST
@perm_required(Perm.FLOW_MANAGE)
def flow_archive(request, key: str):
    flow = _flow(request, key)
    if flow is None:
        return _not_found(request)
    definitions.flow_archive(flow=flow, actor=Actor.of_user(request.user))
    messages.success(request, f"Fluxo “{flow.name}” arquivado.")
    return redirect("flows:list")
