"""Charges: create one for a subject of another app, find it, confirm a static one."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from formaliza.accounts.models import Tenant
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, Conflict
from formaliza.core.tasks import enqueue
from formaliza.payments.models import Charge, PixAccount, PixPayment
from formaliza.payments.ports import ChargeRequest, PaymentProvider, ProviderError

_ALPHABET = string.ascii_letters + string.digits


def provider_for(account: PixAccount) -> PaymentProvider:
    return import_string(settings.PAYMENT_PROVIDERS[account.provider])(account)


def txid_new() -> str:
    """32 characters of [a-zA-Z0-9] (the Pix API's `cob` txid: 26 to 35)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(32))


def _account(tenant: Tenant) -> PixAccount:
    account = PixAccount.objects.filter(tenant=tenant).first()
    if account is None:
        raise Conflict("pix_not_configured", "O Pix desta empresa não está configurado.")
    return account


def charge_for_subject(*, tenant: Tenant, subject_kind: str, subject_id: int) -> Charge | None:
    """The subject's latest charge (an active one past its expiration is marked expired)."""
    charge = (
        Charge.objects.filter(tenant=tenant, subject_kind=subject_kind, subject_id=subject_id)
        .order_by("-created_at", "-pk")
        .first()
    )
    if charge is not None and charge.is_expired:
        Charge.objects.filter(pk=charge.pk, status=Charge.Status.ACTIVE).update(
            status=Charge.Status.EXPIRED, updated_at=clock.now()
        )
        charge.refresh_from_db()
    return charge


@transaction.atomic
def charge_create(
    *, tenant: Tenant, subject_kind: str, subject_id: int, amount: Decimal, description: str,
    payer_name: str = "", payer_document: str = "", due_date: dt.date | None = None,
    metadata: dict | None = None, single_payment: bool = True,
) -> Charge:  # fmt: skip
    """A Pix charge for the subject — or its active one with the same amount (no duplicate
    charge for a client who opens the page twice). `single_payment`: the subject is paid once
    (a case), so a paid one gets no new charge; a wallet buys credits again and again."""
    account = _account(tenant)
    current = charge_for_subject(tenant=tenant, subject_kind=subject_kind, subject_id=subject_id)
    if single_payment and current is not None and current.status == Charge.Status.PAID:
        raise Conflict("charge_already_paid", "Esta cobrança já foi paga.")
    if (
        current is not None
        and current.status == Charge.Status.ACTIVE
        and current.amount == Decimal(amount)
    ):
        return current
    static = account.provider == PixAccount.Provider.STATIC
    kind = Charge.Kind.STATIC if static else (Charge.Kind.COBV if due_date else Charge.Kind.COB)
    now = clock.now()
    expires_at = (
        dt.datetime.combine(due_date, dt.time(23, 59, 59), tzinfo=dt.UTC)
        + dt.timedelta(seconds=account.charge_expiration_seconds)
        if due_date
        else now + dt.timedelta(seconds=account.charge_expiration_seconds)
    )
    charge = Charge.objects.create(
        tenant=tenant, account=account, txid=txid_new(), kind=kind, amount=amount,
        description=description[:140], payer_name=payer_name[:200],
        payer_document=payer_document[:14], subject_kind=subject_kind, subject_id=subject_id,
        expires_at=expires_at, due_date=due_date, metadata=metadata or {},
    )  # fmt: skip
    request = ChargeRequest(
        txid=charge.txid, amount=charge.amount,
        expiration_seconds=account.charge_expiration_seconds, payer_name=payer_name,
        payer_document=payer_document, description=description, due_date=due_date,
    )  # fmt: skip
    try:
        created = provider_for(account).charge_create(request)
    except ProviderError as exc:
        raise ApplicationError(
            "psp_unavailable", f"O banco não gerou a cobrança Pix agora ({exc}). Tente de novo."
        ) from exc
    charge.copia_e_cola, charge.location, charge.revisao = (
        created.copia_e_cola,
        created.location[:77],
        created.revisao,
    )
    charge.save(update_fields=["copia_e_cola", "location", "revisao", "updated_at"])
    return charge


def charge_paid_announce(charge: Charge) -> None:
    """Enqueue, in this transaction, the tasks other apps registered for a paid charge."""
    for path in settings.PAYMENT_CONFIRMED_HANDLERS:
        enqueue(path, charge.pk)


@transaction.atomic
def charge_confirm(*, charge: Charge, user, reference: str) -> Charge:
    """An operator confirms a static BR Code payment seen in the bank statement."""
    charge = Charge.objects.select_for_update().get(pk=charge.pk)
    if charge.kind != Charge.Kind.STATIC:
        raise Conflict(
            "charge_not_static", "Só cobranças por BR Code estático são confirmadas à mão."
        )
    if charge.status == Charge.Status.PAID:
        return charge
    if charge.status != Charge.Status.ACTIVE:
        raise Conflict("charge_not_active", "Esta cobrança não está aguardando pagamento.")
    reference = (reference or "").strip()[:32]
    if not reference:
        raise Conflict("reference_required", "Informe o identificador do Pix (endToEndId).")
    now = clock.now()
    PixPayment.objects.create(
        tenant=charge.tenant, account=charge.account, charge=charge, end_to_end_id=reference,
        txid=charge.txid, amount=charge.amount, paid_at=now,
        outcome=PixPayment.Outcome.APPLIED, confirmed_by=user, payload={"manual": True},
    )  # fmt: skip
    charge.status, charge.paid_at, charge.end_to_end_id, charge.confirmed_by = (
        Charge.Status.PAID, now, reference, user,
    )  # fmt: skip
    charge.save(update_fields=["status", "paid_at", "end_to_end_id", "confirmed_by", "updated_at"])
    charge_paid_announce(charge)
    return charge
