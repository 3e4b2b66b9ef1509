"""Back office pages of the system cards (under /fluxos/sistema/): internal groups, the
outbound allow-list, business hours, metric counts, bulk sends and their progress, and the
signed-in user's notices. Everything is read and written through `request.tenant`: another
tenant's record is "not found"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.conversations.services import department_save, department_set_active
from formaliza.core.errors import ApplicationError, ValidationFailed
from formaliza.erp import services as erp_services
from formaliza.erp.catalog import CATALOG
from formaliza.erp.ports import ACTION_LABELS
from formaliza.flows.forms import system as forms
from formaliza.flows.selectors import system as selectors
from formaliza.flows.services import system as services

CONFIG = Perm.CHANNEL_MANAGE
CAMPAIGNS = Perm.TEMPLATE_MANAGE


def _not_found(request, what: str):
    return render(
        request, "core/error.html", {"title": "Não encontrado", "message": f"{what} não encontrado."},
        status=404,
    )  # fmt: skip


@perm_required(CAMPAIGNS)
def index(request):
    return render(
        request, "flows/system/index.html", {"can_config": request.user.has_perm_code(CONFIG)}
    )


# --- internal groups ------------------------------------------------------------------------


@perm_required(CONFIG)
def groups(request):
    return _group_form(request, None)


@perm_required(CONFIG)
def group_edit(request, group_id: int):
    group = selectors.notify_group_get(tenant=request.tenant, group_id=group_id)
    if group is None:
        return _not_found(request, "Grupo")
    return _group_form(request, group)


def _group_form(request, group):
    initial = None
    if group is not None:
        initial = {
            "name": group.name,
            "members": group.members.all(),
            "emails": "\n".join(group.emails),
        }
    form = forms.NotifyGroupForm(request.POST or None, initial=initial, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.notify_group_save(
                tenant=request.tenant, name=form.cleaned_data["name"],
                members=form.cleaned_data["members"], emails=form.cleaned_data["emails"],
                group_id=group.pk if group else None,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_error("name", exc.message)
        else:
            messages.success(request, "Grupo salvo.")
            return redirect("flows_system:groups")
    return render(
        request, "flows/system/groups.html",
        {"groups": selectors.notify_groups(tenant=request.tenant), "form": form, "group": group},
    )  # fmt: skip


@require_POST
@perm_required(CONFIG)
def group_delete(request, group_id: int):
    try:
        services.notify_group_delete(tenant=request.tenant, group_id=group_id)
    except ApplicationError:
        return _not_found(request, "Grupo")
    messages.success(request, "Grupo excluído.")
    return redirect("flows_system:groups")


# --- departments (setores) -----------------------------------------------------------------


@perm_required(CONFIG)
def departments(request):
    return _department_form(request, None)


@perm_required(CONFIG)
def department_edit(request, department_id: int):
    department = selectors.department_get(tenant=request.tenant, department_id=department_id)
    if department is None:
        return _not_found(request, "Setor")
    return _department_form(request, department)


def _department_form(request, department):
    form = forms.DepartmentForm(
        request.POST or None, initial={"name": department.name} if department else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            department_save(
                tenant=request.tenant, name=form.cleaned_data["name"],
                department_id=department.pk if department else None,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_error("name", exc.message)
        else:
            messages.success(request, "Setor salvo.")
            return redirect("flows_system:departments")
    listed = selectors.departments_all(tenant=request.tenant)
    return render(
        request, "flows/system/departments.html",
        {"departments": listed, "form": form, "department": department},
    )  # fmt: skip


@require_POST
@perm_required(CONFIG)
def department_toggle(request, department_id: int):
    try:
        department = department_set_active(
            tenant=request.tenant, department_id=department_id,
            active=request.POST.get("active") == "1",
        )  # fmt: skip
    except ApplicationError:
        return _not_found(request, "Setor")
    state = "reativado" if department.is_active else "desativado"
    messages.success(request, f"Setor {department.name} {state}.")
    return redirect("flows_system:departments")


# --- outbound allow-list --------------------------------------------------------------------


@perm_required(CONFIG)
def allowlist(request):
    initial = {"entries": "\n".join(request.tenant.outbound_allowlist or [])}
    form = forms.AllowListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.outbound_allowlist_set(tenant=request.tenant, entries=form.cleaned_data["entries"])
        messages.success(request, "Rede interna permitida atualizada.")
        return redirect("flows_system:allowlist")
    return render(request, "flows/system/allowlist.html", {"form": form})


# --- the tenant's ERP ---------------------------------------------------------------------


@perm_required(Perm.FLOW_MANAGE)
def erp(request):
    account = erp_services.erp_account_get(tenant=request.tenant)
    initial = None
    if account is not None:
        initial = {k: getattr(account, k) for k in
                   ("kind", "base_url", "username", "client_id", "timeout_seconds", "is_active")}  # fmt: skip
    form = forms.ErpAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            erp_services.erp_account_save(
                tenant=request.tenant, actor=Actor.of_user(request.user),
                data=erp_services.AccountInput(**form.cleaned_data),
            )  # fmt: skip
        except ValidationFailed as exc:
            for problem in exc.fields:
                form.add_error(problem.field if problem.field in form.fields else None,
                               problem.message)  # fmt: skip
        else:
            messages.success(request, "ERP salvo. Use “Testar conexão” para conferir.")
            return redirect("flows_system:erp")
    connector = erp_services.connector_for_account(account) if account else None
    actions = connector.capabilities.actions if connector else frozenset()
    return render(request, "flows/system/erp.html", {
        "form": form, "account": account, "catalog": CATALOG,
        "credentials": [(label, list(erp_services.CREDENTIALS[value].values()))
                        for value, label in forms.ErpAccount.Kind.choices],
        "actions": [(label, action in actions) for action, label in ACTION_LABELS.items()],
    })  # fmt: skip


@require_POST
@perm_required(Perm.FLOW_MANAGE)
def erp_test(request):
    check = erp_services.erp_connection_test(
        tenant=request.tenant, actor=Actor.of_user(request.user)
    )
    if check.ok:
        messages.success(request, check.message)
    else:
        messages.error(request, f"Falha ao testar a conexão ({check.code}): {check.message}")
    return redirect("flows_system:erp")


# --- business hours -------------------------------------------------------------------------


@perm_required(CONFIG)
def hours(request):
    form = forms.BusinessPeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.business_period_add(tenant=request.tenant, **form.cleaned_data)
        messages.success(request, "Horário incluído.")
        return redirect("flows_system:hours")
    return render(
        request, "flows/system/hours.html",
        {"periods": selectors.business_periods(tenant=request.tenant), "form": form},
    )  # fmt: skip


@require_POST
@perm_required(CONFIG)
def hour_delete(request, period_id: int):
    try:
        services.business_period_delete(tenant=request.tenant, period_id=period_id)
    except ApplicationError:
        return _not_found(request, "Horário")
    messages.success(request, "Horário excluído.")
    return redirect("flows_system:hours")


# --- metrics --------------------------------------------------------------------------------


@perm_required(CAMPAIGNS)
def metrics(request):
    return render(
        request,
        "flows/system/metrics.html",
        {"rows": selectors.metric_report(tenant=request.tenant)},
    )


# --- bulk sends -----------------------------------------------------------------------------


@perm_required(CAMPAIGNS)
def bulks(request):
    form = forms.BulkSendForm(request.POST or None, tenant=request.tenant)
    invalid: list[str] = []
    if request.method == "POST" and form.is_valid():
        phones, invalid = services.phones_parse(form.cleaned_data["phones"])
        if invalid:
            form.add_error("phones", f"Telefones inválidos: {', '.join(invalid[:20])}")
        else:
            try:
                bulk = services.bulk_send_create(
                    actor=Actor.of_user(request.user), flow_id=form.cleaned_data["flow"].pk,
                    channel_id=form.cleaned_data["channel"].pk, phones=phones,
                )  # fmt: skip
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Envio para {bulk.total} contatos na fila.")
                return redirect("flows_system:bulk", bulk_id=bulk.pk)
    return render(
        request, "flows/system/bulks.html",
        {"bulks": selectors.bulk_sends(tenant=request.tenant)[:50], "form": form},
    )  # fmt: skip


@perm_required(CAMPAIGNS)
def bulk(request, bulk_id: int):
    found = selectors.bulk_send_get(tenant=request.tenant, bulk_id=bulk_id)
    if found is None:
        return _not_found(request, "Envio")
    return render(
        request,
        "flows/system/bulk.html",
        {"bulk": found, "progress": services.bulk_progress(found)},
    )


@perm_required(CAMPAIGNS)
def bulk_progress(request, bulk_id: int):
    found = selectors.bulk_send_get(tenant=request.tenant, bulk_id=bulk_id)
    if found is None:
        return JsonResponse(
            {"error": {"code": "not_found", "message": "Envio não encontrado."}}, status=404
        )
    return JsonResponse(services.bulk_progress(found))


# --- the signed-in user's notices -----------------------------------------------------------


@login_required
def notices(request):
    if request.tenant is None:
        return _not_found(request, "Aviso")
    if request.method == "POST":
        services.notices_mark_read(user=request.user)
        return redirect("flows_system:notices")
    return render(
        request,
        "flows/system/notices.html",
        {"notices": selectors.notices(user=request.user)[:100]},
    )
