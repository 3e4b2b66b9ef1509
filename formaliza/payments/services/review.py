"""Charges that need an operator: a Pix of another amount or after the expiration (the charge
is *flagged*, not paid), a paid charge its subject could not take (the case was already paid
by a credit), an extra Pix on a charge already paid, expired or cancelled. The operator either
**accepts** the Pix received as the payment (the charge becomes paid and the handlers run, as
for a webhook) or **closes** the case with a note (refunded outside, say). Nothing is hidden:
the decision, its author and note stay on the charge."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from formaliza.core import clock
from formaliza.core.errors import Conflict, FieldErrors
from formaliza.payments.models import Charge, PixPayment
from formaliza.payments.services.charges import charge_paid_announce

ACCEPTABLE = (Charge.Status.FLAGGED, Charge.Status.EXPIRED, Charge.Status.CANCELLED)


def _note(note: str) -> str:
    note = " ".join((note or "").split())[:300]
    if len(note) < 5:
        errors = FieldErrors()
        errors.add("note", "note_required", "Escreva o que foi decidido (ao menos 5 caracteres).")
        errors.raise_if_any()
    return note


def _locked(charge: Charge) -> Charge:
    charge = Charge.objects.select_for_update().get(pk=charge.pk)
    if charge.resolved_at is not None:
        raise Conflict(
            "charge_already_resolved",
            f"Esta cobrança já foi resolvida em {timezone.localtime(charge.resolved_at):%d/%m/%Y %H:%M}.",
        )
    return charge


def _unapplied_pix(charge: Charge) -> PixPayment | None:
    return (
        PixPayment.objects.filter(charge=charge)
        .exclude(outcome=PixPayment.Outcome.APPLIED)
        .order_by("paid_at", "pk")
        .first()
    )


@transaction.atomic
def charge_accept(*, charge: Charge, user, note: str) -> Charge:
    """The Pix received (another amount, or after the expiration) is the payment: the charge
    becomes paid with that Pix and its handlers are enqueued (the case is marked paid, the
    credits are added) in this transaction."""
    note = _note(note)
    charge = _locked(charge)
    pix = _unapplied_pix(charge)
    if charge.status not in ACCEPTABLE or pix is None:
        raise Conflict(
            "charge_not_acceptable",
            "Só se aceita o Pix de uma cobrança divergente, expirada ou cancelada que recebeu um "
            f"Pix (esta está {charge.get_status_display().lower()}).",
        )  # fmt: skip
    now = clock.now()
    charge.status, charge.paid_at, charge.end_to_end_id, charge.confirmed_by = (
        Charge.Status.PAID, pix.paid_at, pix.end_to_end_id, user,
    )  # fmt: skip
    charge.resolved_at, charge.resolved_by, charge.resolution = now, user, "accepted"
    charge.resolution_note = note
    charge.metadata = {**charge.metadata, "accepted_amount": str(pix.amount)}
    charge.save()
    charge_paid_announce(charge)
    return charge


@transaction.atomic
def charge_dismiss(*, charge: Charge, user, note: str) -> Charge:
    """Close a charge that needed an operator without paying it (the status stays)."""
    note = _note(note)
    charge = _locked(charge)
    charge.resolved_at, charge.resolved_by, charge.resolution = clock.now(), user, "dismissed"
    charge.resolution_note = note
    charge.save(
        update_fields=["resolved_at", "resolved_by", "resolution", "resolution_note", "updated_at"]
    )
    return charge


def charge_flag(*, charge: Charge, reason: str) -> None:
    """A subject's handler could not take this paid charge (e.g. the case was already paid):
    the reason is kept and the charge goes (back) to the operators' list."""
    Charge.objects.filter(pk=charge.pk).update(
        flag_reason=reason[:300], resolved_at=None, resolved_by=None, resolution="",
        resolution_note="", updated_at=clock.now(),
    )  # fmt: skip
