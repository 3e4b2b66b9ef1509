"""The credit ledger: append-only entries; the wallet's balance moves with a conditional
UPDATE in the same transaction, so it never goes below zero under concurrent spends (and a
CHECK constraint holds the line should any other write try). The same reference twice at once
(a double click, a retried task) waits on the wallet's row lock and gets the first entry."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F

from formaliza.accounts.models import Tenant
from formaliza.core.errors import Conflict, FieldErrors
from formaliza.payments.models import Charge, CreditEntry, CreditWallet
from formaliza.payments.services.charges import charge_create


def wallet_for(*, tenant: Tenant, owner) -> CreditWallet:
    wallet, _ = CreditWallet.objects.get_or_create(tenant=tenant, owner=owner)
    return wallet


def _locked(wallet: CreditWallet) -> None:
    """Serialize writers of one wallet before the reference lookup, so a concurrent duplicate
    sees the committed entry instead of failing on the unique reference."""
    CreditWallet.objects.select_for_update().filter(pk=wallet.pk).values_list("pk").first()


def _entry(wallet_id, *, kind, delta, reference, charge=None, note="", created_by=None):
    wallet = CreditWallet.objects.get(pk=wallet_id)
    return CreditEntry.objects.create(
        tenant_id=wallet.tenant_id, wallet=wallet, kind=kind, delta=delta,
        balance_after=wallet.balance, reference=reference[:120], charge=charge, note=note[:200],
        created_by=created_by,
    )  # fmt: skip


@transaction.atomic
def credit_add(
    *, wallet: CreditWallet, quantity: int, kind: str, reference: str, charge: Charge | None = None,
    note: str = "", created_by=None,
) -> CreditEntry:  # fmt: skip
    if quantity <= 0:
        raise Conflict("invalid_quantity", "A quantidade de créditos deve ser positiva.")
    _locked(wallet)
    known = CreditEntry.objects.filter(wallet=wallet, reference=reference).first()
    if known is not None:
        return known
    CreditWallet.objects.filter(pk=wallet.pk).update(balance=F("balance") + quantity)
    return _entry(
        wallet.pk, kind=kind, delta=quantity, reference=reference, charge=charge, note=note,
        created_by=created_by,
    )  # fmt: skip


@transaction.atomic
def credit_spend(
    *, wallet: CreditWallet, reference: str, note: str = "", created_by=None
) -> CreditEntry:
    """Debit one credit for `reference` (e.g. "case:12"); the same reference again is the same
    entry. No credit left → Conflict("insufficient_credits"), nothing written."""
    _locked(wallet)
    known = CreditEntry.objects.filter(wallet=wallet, reference=reference).first()
    if known is not None:
        return known
    debited = CreditWallet.objects.filter(pk=wallet.pk, balance__gte=1).update(
        balance=F("balance") - 1
    )
    if not debited:
        raise Conflict(
            "insufficient_credits", "Você não tem créditos disponíveis. Compre créditos para usar."
        )
    return _entry(
        wallet.pk, kind=CreditEntry.Kind.SPEND, delta=-1, reference=reference, note=note,
        created_by=created_by,
    )  # fmt: skip


def credit_purchase_start(*, wallet: CreditWallet, quantity: int, buyer) -> Charge:
    """A Pix charge for `quantity` credits; paid, it adds them (tasks.credit_purchase_paid)."""
    errors = FieldErrors()
    if not 1 <= quantity <= settings.PAYMENT_CREDIT_MAX_PER_PURCHASE:
        errors.add(
            "quantity", "invalid_quantity",
            f"Compre de 1 a {settings.PAYMENT_CREDIT_MAX_PER_PURCHASE} créditos.",
        )  # fmt: skip
    errors.raise_if_any()
    amount = Decimal(settings.PAYMENT_CREDIT_PRICE) * quantity
    return charge_create(
        tenant=wallet.tenant, subject_kind="credits", subject_id=wallet.pk, amount=amount,
        description=f"{quantity} crédito(s) Formaliza", payer_name=buyer.get_full_name(),
        metadata={"quantity": quantity, "buyer_id": buyer.pk}, single_payment=False,
    )  # fmt: skip


def credit_purchase_settle(*, charge: Charge) -> CreditEntry | None:
    if charge.subject_kind != "credits" or charge.status != Charge.Status.PAID:
        return None
    wallet = CreditWallet.objects.get(pk=charge.subject_id, tenant=charge.tenant)
    return credit_add(
        wallet=wallet, quantity=int(charge.metadata["quantity"]), kind=CreditEntry.Kind.PURCHASE,
        reference=f"charge:{charge.txid}", charge=charge, note=charge.description,
    )  # fmt: skip
