"""Meus créditos (the agent's ledger and credit purchases) and the operators' list of charges
that need a decision (Cobranças com divergência)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from formaliza.accounts.roles import Perm
from formaliza.cases import selectors, services
from formaliza.cases.forms import CreditPurchaseForm
from formaliza.cases.views.common import actor_of, case_page, form_errors
from formaliza.core.errors import ApplicationError


def _credits_page(request, form: CreditPurchaseForm, status: int = 200):
    credits = selectors.agent_credits(actor=actor_of(request), agent=request.user)
    purchases = [
        {"charge": c, **services.charge_display(c)} for c in credits.purchases
    ]  # fmt: skip
    return render(request, "cases/backoffice/credits.html", {
        "credits": credits, "purchases": purchases, "form": form,
        "price": settings.PAYMENT_CREDIT_PRICE,
        "max_quantity": settings.PAYMENT_CREDIT_MAX_PER_PURCHASE,
    }, status=status)  # fmt: skip


@case_page(Perm.CASE_WORK)
def credits(request):
    return _credits_page(request, CreditPurchaseForm())


@require_POST
@case_page(Perm.CASE_WORK)
def credits_buy(request):
    form = CreditPurchaseForm(request.POST)
    if form.is_valid():
        try:
            charge = services.agent_credits_buy(
                agent=request.user, quantity=form.cleaned_data["quantity"]
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                f"Cobrança Pix de R$ {charge.amount:.2f} gerada: pague para receber os créditos.",
            )
            return redirect(reverse("cases:credits") + f"#compra-{charge.txid}")
    return _credits_page(request, form, status=422)


@case_page(Perm.CASE_FILING)
def charges(request):
    resolved = request.GET.get("resolvidas") == "1"
    return render(request, "cases/backoffice/charges.html", {
        "rows": selectors.charge_rows(actor=actor_of(request), resolved=resolved),
        "resolved": resolved,
    })  # fmt: skip


def _review(request, txid: str, *, accept: bool):
    row = selectors.charge_row(actor=actor_of(request), txid=txid)
    try:
        services.charge_review(
            charge=row.charge, user=request.user, accept=accept, note=request.POST.get("note", "")
        )
    except ApplicationError as exc:
        messages.error(
            request, f"Cobrança {txid}: {exc.fields[0].message if exc.fields else exc.message}"
        )
    else:
        messages.success(
            request,
            f"Pix aceito como pagamento: {row.what}." if accept
            else f"Cobrança {txid} encerrada sem pagamento.",
        )  # fmt: skip
    return redirect("cases:charges")


@require_POST
@case_page(Perm.CASE_FILING)
def charge_accept(request, txid):
    return _review(request, txid, accept=True)


@require_POST
@case_page(Perm.CASE_FILING)
def charge_dismiss(request, txid):
    return _review(request, txid, accept=False)
