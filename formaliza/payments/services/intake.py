"""The PSP's `pix` webhook: authenticate, keep, enqueue; then apply each Pix exactly once."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from formaliza.core import clock
from formaliza.core.errors import ApplicationError, NotFound
from formaliza.core.tasks import enqueue
from formaliza.payments.models import Charge, PixAccount, PixNotification, PixPayment
from formaliza.payments.ports import PixReceived, WebhookRequest
from formaliza.payments.services.charges import charge_paid_announce, provider_for

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 256 * 1024


class WebhookRefused(ApplicationError):
    def __init__(self):
        super().__init__("webhook_unauthenticated", "Notificação sem autenticação válida.")


@transaction.atomic
def pix_webhook_receive(*, token: str, request: WebhookRequest) -> PixNotification:
    account = PixAccount.objects.filter(webhook_token=token).first()
    if account is None:
        raise NotFound("Webhook")
    provider = provider_for(account)
    if len(request.body) > MAX_BODY_BYTES or not provider.webhook_verify(request):
        raise WebhookRefused()
    try:
        provider.webhook_parse(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApplicationError("invalid_payload", f"Notificação inválida: {exc}") from exc
    notification = PixNotification.objects.create(account=account, body=request.body.decode())
    enqueue(
        "formaliza.payments.tasks.pix_notification_process", notification.pk, queue_name="webhooks"
    )
    return notification


def pix_notification_process(*, notification_id: int) -> list[PixPayment]:
    notification = PixNotification.objects.select_related("account").get(pk=notification_id)
    if notification.processed_at is not None:
        return []
    account = notification.account
    applied = [
        pix_apply(account=account, pix=pix)
        for pix in provider_for(account).webhook_parse(notification.body.encode())
    ]
    PixNotification.objects.filter(pk=notification.pk).update(processed_at=clock.now())
    return applied


def _outcome(charge: Charge | None, pix: PixReceived) -> tuple[str, str]:
    if charge is None:
        return PixPayment.Outcome.UNKNOWN_CHARGE, ""
    if charge.status != Charge.Status.ACTIVE:
        return (
            PixPayment.Outcome.NOT_ACTIVE,
            f"Pix {pix.end_to_end_id} numa cobrança {charge.get_status_display().lower()}.",
        )
    if pix.paid_at > charge.expires_at:
        return (
            PixPayment.Outcome.EXPIRED,
            f"Pago em {pix.paid_at:%d/%m/%Y %H:%M}, depois da expiração da cobrança.",
        )
    if pix.amount != charge.amount:
        return (
            PixPayment.Outcome.AMOUNT_MISMATCH,
            f"Pago R$ {pix.amount}, cobrado R$ {charge.amount}.",
        )
    return PixPayment.Outcome.APPLIED, ""


@transaction.atomic
def pix_apply(*, account: PixAccount, pix: PixReceived) -> PixPayment:
    """One received Pix, once (unique endToEndId per account, the charge row locked): the
    charge becomes paid only when the amount is the charged one and it was still valid;
    otherwise the charge is flagged for an operator."""
    charge = (
        Charge.objects.select_for_update().filter(account=account, txid=pix.txid).first()
        if pix.txid
        else None
    )
    known = PixPayment.objects.filter(account=account, end_to_end_id=pix.end_to_end_id).first()
    if known is not None:
        return known
    outcome, reason = _outcome(charge, pix)
    try:
        with transaction.atomic():
            payment = PixPayment.objects.create(
                tenant=account.tenant, account=account, charge=charge,
                end_to_end_id=pix.end_to_end_id, txid=pix.txid, amount=pix.amount,
                paid_at=pix.paid_at, outcome=outcome, payload=pix.raw,
            )  # fmt: skip
    except IntegrityError:  # the same Pix delivered concurrently: the other one won
        return PixPayment.objects.get(account=account, end_to_end_id=pix.end_to_end_id)
    if charge is None:
        logger.warning("pix %s for unknown txid %r", pix.end_to_end_id, pix.txid)
        return payment
    if outcome == PixPayment.Outcome.APPLIED:
        charge.status, charge.paid_at, charge.end_to_end_id = (
            Charge.Status.PAID, pix.paid_at, pix.end_to_end_id,
        )  # fmt: skip
        charge.save(update_fields=["status", "paid_at", "end_to_end_id", "updated_at"])
        charge_paid_announce(charge)
    elif charge.status == Charge.Status.ACTIVE:
        charge.status, charge.flag_reason = Charge.Status.FLAGGED, reason[:300]
        charge.save(update_fields=["status", "flag_reason", "updated_at"])
    elif charge.resolved_at is not None:  # a new Pix on a charge an operator closed: reopen it
        charge.resolved_at, charge.resolved_by, charge.resolution = None, None, ""
        charge.save(update_fields=["resolved_at", "resolved_by", "resolution", "updated_at"])
    return payment
