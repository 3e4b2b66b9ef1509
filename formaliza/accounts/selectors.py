from __future__ import annotations

import datetime as dt
import hmac

from django.db.models import QuerySet

from formaliza.accounts.models import ApiKey, Branch, Tenant, User
from formaliza.core import clock
from formaliza.core.ids import sha256_hex

# Touching last_used_at on every request would make every API call a write; once a minute is
# enough to show an integrator which keys are alive.
_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def api_key_authenticate(plaintext: str) -> ApiKey | None:
    """The active key for a presented secret, or None. The hash comparison is constant-time."""
    if not plaintext or not plaintext.startswith("fz_"):
        return None
    try:
        prefix = plaintext[3:].split("_", 1)[0]
    except IndexError:
        return None
    key = (
        ApiKey.objects.select_related("tenant")
        .filter(prefix=prefix, revoked_at__isnull=True, tenant__is_active=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, sha256_hex(plaintext)):
        return None
    now = clock.now()
    if key.last_used_at is None or now - key.last_used_at > _LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def api_key_list(*, tenant: Tenant) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(tenant=tenant).order_by("-created_at")


def branch_list(*, tenant: Tenant) -> QuerySet[Branch]:
    return Branch.objects.filter(tenant=tenant).order_by("code")


def user_list(*, tenant: Tenant) -> QuerySet[User]:
    return User.objects.filter(tenant=tenant).select_related("branch").order_by("first_name")
