"""Reads of the payments app."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from formaliza.payments.models import CreditEntry, CreditWallet, PixAccount


def webhook_url(account: PixAccount) -> str:
    """The webhookUrl to register with the PSP (it posts to this + "/pix")."""
    url = settings.PUBLIC_BASE_URL + reverse(
        "payments:pix_webhook_base", args=[account.webhook_token]
    )
    if account.webhook_auth == PixAccount.WebhookAuth.URL_SECRET:
        url += f"?hmac={account.webhook_secret}&ignorar="
    return url


def wallet_balance(*, tenant, owner) -> int:
    wallet = CreditWallet.objects.filter(tenant=tenant, owner=owner).first()
    return wallet.balance if wallet else 0


def wallet_entries(wallet: CreditWallet):
    return CreditEntry.objects.filter(wallet=wallet).order_by("-created_at", "-pk")
