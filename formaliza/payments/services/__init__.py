"""Writes of the payments app (keyword-only arguments)."""

from formaliza.payments.services.charges import (
    charge_confirm,
    charge_create,
    charge_for_subject,
    provider_for,
)
from formaliza.payments.services.credits import (
    credit_add,
    credit_purchase_settle,
    credit_purchase_start,
    credit_spend,
    wallet_for,
)
from formaliza.payments.services.intake import (
    WebhookRefused,
    pix_apply,
    pix_notification_process,
    pix_webhook_receive,
)
from formaliza.payments.services.review import charge_accept, charge_dismiss, charge_flag

__all__ = [
    "WebhookRefused",
    "charge_accept",
    "charge_confirm",
    "charge_create",
    "charge_dismiss",
    "charge_flag",
    "charge_for_subject",
    "credit_add",
    "credit_purchase_settle",
    "credit_purchase_start",
    "credit_spend",
    "pix_apply",
    "pix_notification_process",
    "pix_webhook_receive",
    "provider_for",
    "wallet_for",
]
