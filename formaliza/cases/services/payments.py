"""The case's payment ("Comprar caso"): a Pix charge to the client or one of the agent's
credits; a confirmed charge marks the case paid (PAYMENT_CONFIRMED_HANDLERS →
tasks.case_charge_paid) and tells client and agent."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from formaliza.cases import gateway
from formaliza.cases.models import AgentProfile, Case, CaseStatus
from formaliza.cases.services.cases import case_lock, case_mark_paid
from formaliza.core.errors import ApplicationError, Conflict
from formaliza.payments import services as payments
from formaliza.payments.models import Charge
from formaliza.payments.qr import qr_svg

logger = logging.getLogger(__name__)


def _awaiting(case: Case) -> None:
    if case.status != CaseStatus.AWAITING_PAYMENT or not case.client.email:
        raise Conflict(
            "case_not_awaiting_payment",
            f"O caso {case.number} não está aguardando pagamento ({case.get_status_display()}).",
        )


def case_charge(*, case: Case) -> Charge:
    """The case's Pix charge to the client (the active one, or a new one)."""
    _awaiting(case)
    return payments.charge_create(
        tenant=case.tenant, subject_kind="case", subject_id=case.pk,
        amount=Decimal(settings.CASE_PRICE), description=f"Caso {case.number}",
        payer_name=case.client.name, payer_document=case.client.cpf or "",
    )  # fmt: skip


@transaction.atomic
def case_pay_with_credit(*, case: Case, user) -> Case:
    """ "Usar crédito": one of the agent's credits pays the case (one debit per case).

    Locks, in this order, the case's row and then the agent's wallet (credit_spend), and checks
    the status on the locked row: two pays of one case at once (a double click, two tabs, the
    API and the page) queue on the case, the second sees it paid and is refused without a
    debit; a Pix confirmed meanwhile wins the same way. Should marking fail after the debit,
    the transaction takes the debit back."""
    case = case_lock(case)
    _awaiting(case)
    wallet = payments.wallet_for(tenant=case.tenant, owner=case.agent)
    entry = payments.credit_spend(
        wallet=wallet, reference=f"case:{case.pk}", note=f"Caso {case.number}", created_by=user
    )
    case = case_mark_paid(case=case, source="credito", reference=f"credit:{entry.pk}")
    _paid_notify(case)
    return case


@transaction.atomic
def case_charge_paid(*, charge: Charge) -> Case | None:
    if charge.subject_kind != "case" or charge.status != Charge.Status.PAID:
        return None
    case = Case.objects.select_related("client", "agent").get(
        pk=charge.subject_id, tenant=charge.tenant
    )
    already = case.payment_reference == charge.txid
    try:
        case = case_mark_paid(case=case, source="pix", reference=charge.txid)
    except Conflict as exc:  # paid twice, or the case moved on: the operator sees the flag
        logger.warning("charge %s not applied to case %s: %s", charge.txid, case.pk, exc.code)
        payments.charge_flag(charge=charge, reason=exc.message)
        return None
    if not already:
        _paid_notify(case)
    return case


@transaction.atomic
def case_static_confirm(*, case: Case, user, reference: str) -> Case:
    """Staff saw the static BR Code's Pix in the statement: confirm it (the charge's handlers
    then mark the case paid, as for a PSP's webhook)."""
    charge = payments.charge_for_subject(
        tenant=case.tenant, subject_kind="case", subject_id=case.pk
    )
    if charge is None:
        raise Conflict("charge_not_found", "Este caso não tem cobrança Pix.")
    payments.charge_confirm(charge=charge, user=user, reference=reference)
    charge.refresh_from_db()
    return case_charge_paid(charge=charge) or case


def _paid_notify(case: Case) -> None:
    profile = AgentProfile.objects.filter(user=case.agent).first()
    notes = gateway.payment_notes(
        case=case, client=case.client,
        agent_phone=profile.phone if profile else "", agent_email=case.agent.email,
    )  # fmt: skip
    for recipient, (whatsapp, email) in notes.items():
        gateway.notify(
            tenant=case.tenant, kind="payment_confirmed", recipient=recipient, case=case,
            client=case.client, key=f"case:{case.pk}:paid:{recipient}", whatsapp=whatsapp,
            email=email, both=True,
        )  # fmt: skip


def case_payment_panel(*, case: Case, create: bool) -> dict:
    """What a page shows about paying the case: the charge (created when `create` and the case
    awaits payment), its QR code and copia-e-cola, or why there is none."""
    charge = payments.charge_for_subject(
        tenant=case.tenant, subject_kind="case", subject_id=case.pk
    )
    panel: dict = {"charge": charge, "error": "", "qr": "", "fake_pay_url": ""}
    usable = charge is not None and charge.status in (Charge.Status.ACTIVE, Charge.Status.PAID)
    if create and case.status == CaseStatus.AWAITING_PAYMENT and not usable:
        try:
            charge = panel["charge"] = case_charge(case=case)
        except Conflict as exc:
            panel["error"] = "" if exc.code == "pix_not_configured" else exc.message
        except ApplicationError as exc:
            panel["error"] = exc.message
    panel.update(charge_display(charge))
    return panel


def charge_display(charge: Charge | None) -> dict:
    """An active charge's QR code (inline SVG) and, on the demo's fake PSP, its pay link."""
    shown = {"qr": "", "fake_pay_url": ""}
    if charge is not None and charge.status == Charge.Status.ACTIVE and charge.copia_e_cola:
        shown["qr"] = qr_svg(charge.copia_e_cola)
        if charge.account.api_url.startswith(settings.FAKE_PIX_PSP_URL):
            shown["fake_pay_url"] = f"{settings.FAKE_PIX_PSP_URL}/_fake/pagar/{charge.txid}"
    return shown


def agent_credits_buy(*, agent, quantity: int) -> Charge:
    """ "Comprar créditos": a Pix charge for `quantity` credits of the agent's wallet; paid, the
    credits enter the balance (payments.tasks.credit_purchase_paid)."""
    wallet = payments.wallet_for(tenant=agent.tenant, owner=agent)
    return payments.credit_purchase_start(wallet=wallet, quantity=quantity, buyer=agent)


def charge_review(*, charge: Charge, user, accept: bool, note: str) -> Charge:
    """An operator's decision on a charge that needed one (see payments.services.review)."""
    if accept:
        return payments.charge_accept(charge=charge, user=user, note=note)
    return payments.charge_dismiss(charge=charge, user=user, note=note)
