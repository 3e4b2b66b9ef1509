"""Links that open a client's pages on the phone, and the e-mail code to join a record."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.conf import settings
from django.urls import reverse

from formaliza.cases.models import CaseClient, ClientAccessLink
from formaliza.core import clock
from formaliza.core.ids import random_token, sha256_hex


def client_access_url(*, client: CaseClient) -> str:
    """A new link (valid CASE_CLIENT_LINK_TTL_DAYS) to the client's documents page."""
    token = random_token()
    ClientAccessLink.objects.create(
        tenant_id=client.tenant_id, client=client, token_hash=sha256_hex(token),
        expires_at=clock.now() + dt.timedelta(days=settings.CASE_CLIENT_LINK_TTL_DAYS),
    )  # fmt: skip
    return settings.PUBLIC_BASE_URL + reverse("cases_client:access", args=[token])


def access_resolve(*, token: str) -> CaseClient | None:
    if not token or len(token) > 100:
        return None
    link = (
        ClientAccessLink.objects.select_related("client__tenant")
        .filter(token_hash=sha256_hex(token), expires_at__gt=clock.now())
        .first()
    )
    return link.client if link else None


def code_new() -> tuple[str, str]:
    code = f"{secrets.randbelow(1_000_000):06d}"
    return code, sha256_hex(code)


def code_matches(code: str, code_hash: str) -> bool:
    return hmac.compare_digest(sha256_hex((code or "").strip()), code_hash)
