from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from formaliza.accounts.models import ApiKey, Branch, Tenant, User
from formaliza.accounts.roles import Role
from formaliza.core import clock
from formaliza.core.errors import ApplicationError
from formaliza.core.ids import random_token, sha256_hex

API_KEY_PREFIX = "fz_"


def tenant_create(*, name: str, slug: str | None = None, cnpj: str = "") -> Tenant:
    return Tenant.objects.create(name=name, slug=slug or slugify(name), cnpj=cnpj)


def branch_create(*, tenant: Tenant, code: str, name: str) -> Branch:
    return Branch.objects.create(tenant=tenant, code=code, name=name)


def user_create(
    *,
    tenant: Tenant,
    email: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    branch: Branch | None = None,
) -> User:
    if role not in Role.values:
        raise ApplicationError(code="invalid_role", message=f"Papel desconhecido: {role}.")
    if branch is not None and branch.tenant_id != tenant.pk:
        raise ApplicationError(code="invalid_branch", message="Filial de outra empresa.")
    user = User(
        tenant=tenant,
        username=email.lower(),
        email=email.lower(),
        role=role,
        first_name=first_name,
        last_name=last_name,
        branch=branch,
    )
    user.set_password(password)
    user.save()
    return user


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    plaintext: str  # shown once, never stored


def api_key_create(*, tenant: Tenant, name: str, created_by: User | None = None) -> IssuedApiKey:
    prefix = random_token(6)[:8].replace("-", "x").replace("_", "y")
    secret = random_token(32)
    plaintext = f"{API_KEY_PREFIX}{prefix}_{secret}"
    key = ApiKey.objects.create(
        tenant=tenant,
        name=name,
        prefix=prefix,
        key_hash=sha256_hex(plaintext),
        created_by=created_by,
    )
    return IssuedApiKey(api_key=key, plaintext=plaintext)


@transaction.atomic
def api_key_revoke(*, tenant: Tenant, key_id: int) -> ApiKey:
    key = ApiKey.objects.select_for_update().get(tenant=tenant, pk=key_id)
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at", "updated_at"])
    return key
