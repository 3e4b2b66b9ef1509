"""Reads of the payments app."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from formaliza.payments.models import Charge, CreditEntry, CreditWallet, PixAccount, PixPayment


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


def review_filter(*, resolved: bool) -> Q:
    """Charges that need (or needed) an operator: flagged, paid but not taken by their subject,
    or with a Pix that arrived on a charge no longer active."""
    needs = (
        Q(status=Charge.Status.FLAGGED)
        | (Q(status=Charge.Status.PAID) & ~Q(flag_reason=""))
        | Q(pix__outcome=PixPayment.Outcome.NOT_ACTIVE)
    )
    return needs & Q(resolved_at__isnull=not resolved)


def charges_for_review(*, tenant, resolved: bool = False):
    ids = Charge.objects.filter(review_filter(resolved=resolved), tenant=tenant).values("pk")
    return (
        Charge.objects.filter(pk__in=ids)
        .select_related("resolved_by", "confirmed_by")
        .prefetch_related("pix")
        .order_by("-updated_at", "-pk")
    )


def charge_get(*, tenant, txid: str) -> Charge | None:
    return Charge.objects.filter(tenant=tenant, txid=txid).prefetch_related("pix").first()


def wallet_purchases(*, wallet: CreditWallet):
    """The wallet's credit purchases (Pix charges), newest first."""
    return Charge.objects.filter(
        tenant_id=wallet.tenant_id, subject_kind="credits", subject_id=wallet.pk
    ).order_by("-created_at", "-pk")
