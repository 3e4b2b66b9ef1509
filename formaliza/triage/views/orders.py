"""The order page: client and statuses, the playbook's next step, the actions (call, record a
contact, assign), the outcome form required after each contact, and the timeline."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.core.errors import ApplicationError
from formaliza.triage import selectors, services
from formaliza.triage.forms import AssignForm, ContactForm, OutcomeForm
from formaliza.triage.views.common import form_errors, triage_page, who_of


def _page(request, order, *, outcome_form=None, contact_form=None, status=200):
    pending = selectors.order_pending_attempt(order=order)
    context = {
        "order": order, "pending": pending,
        "list_url": reverse(f"triage:list_{order.worklist}") if order.worklist else "", "next_step": order.next_step,
        "events": selectors.order_timeline(order=order)[:200],
        "attempts": selectors.order_attempts(order=order)[:50],
        "call": selectors.attempt_call(attempt=pending) if pending else None,
        "can_work": request.user.has_perm_code(Perm.TRIAGE_WORK),
        "outcome_form": outcome_form or OutcomeForm(),
        "contact_form": contact_form or ContactForm(),
        "assign_form": AssignForm(
            operators=selectors.operators(tenant=request.tenant),
            initial={"assignee": order.assigned_to_id},
        ),
    }  # fmt: skip
    return render(request, "triage/order.html", context, status=status)


@triage_page(Perm.TRIAGE_VIEW)
def order_detail(request, order_id):
    return _page(request, selectors.order_get(tenant=request.tenant, order_id=order_id))


@require_POST
@triage_page(Perm.TRIAGE_WORK)
def order_call(request, order_id):
    order = selectors.order_get(tenant=request.tenant, order_id=order_id)
    try:
        services.order_call(order=order, who=who_of(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("triage:order", order.pk)


@require_POST
@triage_page(Perm.TRIAGE_WORK)
def order_outcome(request, order_id):
    order = selectors.order_get(tenant=request.tenant, order_id=order_id)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.outcome_record(order=order, data=form.to_input(), who=who_of(request))
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Resultado registrado.")
            return redirect("triage:order", order.pk)
    return _page(request, order, outcome_form=form, status=422)


@require_POST
@triage_page(Perm.TRIAGE_WORK)
def order_contact(request, order_id):
    order = selectors.order_get(tenant=request.tenant, order_id=order_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_record(
                order=order, kind=form.cleaned_data["kind"], data=form.to_input(),
                who=who_of(request),
            )  # fmt: skip
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Contato e resultado registrados.")
            return redirect("triage:order", order.pk)
    return _page(request, order, contact_form=form, status=422)


@require_POST
@triage_page(Perm.TRIAGE_WORK)
def order_assign(request, order_id):
    order = selectors.order_get(tenant=request.tenant, order_id=order_id)
    form = AssignForm(request.POST, operators=selectors.operators(tenant=request.tenant))
    if not form.is_valid():
        messages.error(request, "Responsável inválido.")
        return redirect("triage:order", order.pk)
    try:
        services.order_assign(order=order, user=form.cleaned_data["assignee"], who=who_of(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Responsável atualizado.")
    return redirect("triage:order", order.pk)


@require_POST
@triage_page(Perm.TRIAGE_WORK)
def order_message(request, order_id):
    """ "Enviar mensagem": the list's template, through the outbox's gates."""
    order = selectors.order_get(tenant=request.tenant, order_id=order_id)
    actor = Actor.of_user(request.user)
    try:
        attempt = services.order_message_send(order=order, actor=actor, who=who_of(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Mensagem enviada por {attempt.channel}.")
    return redirect("triage:order", order.pk)


@require_POST
@triage_page(Perm.TRIAGE_WORK)
def order_accountant(request, order_id):
    """ "Solicitar à contabilidade": an e-mail to the accountant, through the outbox."""
    order = selectors.order_get(tenant=request.tenant, order_id=order_id)
    actor = Actor.of_user(request.user)
    try:
        services.order_accountant_request(order=order, actor=actor, who=who_of(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"E-mail enviado à contabilidade ({order.accountant_email}).")
    return redirect("triage:order", order.pk)
