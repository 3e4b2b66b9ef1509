"""The tenant's connector, built from its `ErpAccount` (None when it has none or it is off).

Connectors are cached per account and version (`updated_at`), so each keeps its pooled HTTP
connections, its session token and its circuit breaker across steps; saving the account
(new credentials) builds a new one and closes the old."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.db import transaction

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import Tenant
from formaliza.accounts.roles import Perm
from formaliza.core.errors import FieldErrors
from formaliza.core.net import UnsafeURL, check_outbound_url
from formaliza.erp.adapters.hubsoft import HubsoftConnector
from formaliza.erp.adapters.ixc import IxcConnector
from formaliza.erp.adapters.mk import MkConnector
from formaliza.erp.adapters.sgp import SgpConnector
from formaliza.erp.models import ErpAccount
from formaliza.erp.ports import Capabilities, ErpFailure, IspErpConnector

logger = logging.getLogger("formaliza.erp")

_cache: dict[int, tuple[object, IspErpConnector]] = {}
_cache_lock = threading.Lock()


# Which `ErpAccount` field holds what, per system (the settings page labels them so):
# Hubsoft: client_id, client_secret, username, password (OAuth password grant);
# IXC: username = id do usuário, password = token; SGP: client_id = app, client_secret = token;
# MK-Solutions: client_secret = token do usuário, password = contra-senha do webservice.
def _build(account: ErpAccount) -> IspErpConnector | None:
    timeout = float(account.timeout_seconds)
    if account.kind == ErpAccount.Kind.HUBSOFT:
        return HubsoftConnector(
            base_url=account.base_url, client_id=account.client_id,
            client_secret=account.client_secret, username=account.username,
            password=account.password, timeout=timeout,
        )  # fmt: skip
    if account.kind == ErpAccount.Kind.IXC:
        return IxcConnector(
            base_url=account.base_url, user=account.username, token=account.password,
            timeout=timeout,
        )  # fmt: skip
    if account.kind == ErpAccount.Kind.SGP:
        return SgpConnector(
            base_url=account.base_url, app=account.client_id, token=account.client_secret,
            timeout=timeout,
        )  # fmt: skip
    if account.kind == ErpAccount.Kind.MK_SOLUTIONS:
        return MkConnector(
            base_url=account.base_url, token=account.client_secret, password=account.password,
            timeout=timeout,
        )  # fmt: skip
    return None


def connector_for_account(account: ErpAccount) -> IspErpConnector | None:
    version = (account.updated_at, account.kind, account.base_url)
    with _cache_lock:
        cached = _cache.get(account.pk)
        if cached is not None and cached[0] == version:
            return cached[1]
        connector = _build(account)
        if cached is not None and hasattr(cached[1], "http"):
            cached[1].http.close()
        if connector is not None:
            _cache[account.pk] = (version, connector)
        return connector


def connector_for(*, tenant: Tenant) -> IspErpConnector | None:
    account = ErpAccount.objects.filter(tenant=tenant, is_active=True).first()
    if account is None:
        return None
    return connector_for_account(account)


def capabilities_for(*, tenant: Tenant) -> Capabilities:
    connector = connector_for(tenant=tenant)
    return connector.capabilities if connector is not None else Capabilities()


# --- the tenant's account: save and test (the settings page and the API) --------------------

# Which credential fields each system needs, with the names its documentation gives them.
CREDENTIALS: dict[str, dict[str, str]] = {
    ErpAccount.Kind.HUBSOFT: {
        "client_id": "Client ID", "client_secret": "Client secret",
        "username": "Usuário (e-mail) da API", "password": "Senha do usuário da API",
    },
    ErpAccount.Kind.IXC: {"username": "ID do usuário do webservice", "password": "Token"},
    ErpAccount.Kind.SGP: {"client_id": "App (nome do token)", "client_secret": "Token"},
    ErpAccount.Kind.MK_SOLUTIONS: {
        "client_secret": "Token do usuário", "password": "Contra-senha do webservice",
    },
}  # fmt: skip
SECRET_FIELDS = ("client_secret", "password")  # encrypted; blank on save keeps the stored one


@dataclass(frozen=True)
class AccountInput:
    kind: str
    base_url: str
    client_id: str = ""
    client_secret: str = ""
    username: str = ""
    password: str = ""
    timeout_seconds: int = 8
    is_active: bool = True


def erp_account_get(*, tenant: Tenant) -> ErpAccount | None:
    return ErpAccount.objects.filter(tenant=tenant).first()


def _validate(tenant: Tenant, data: AccountInput, current: ErpAccount | None) -> None:
    errors = FieldErrors()
    if data.kind not in CREDENTIALS:
        errors.add("kind", "erp_kind_invalid", "Escolha um dos sistemas da lista.")
        errors.raise_if_any()
    try:
        check_outbound_url(data.base_url, extra_allow=tenant.outbound_allowlist or ())
    except UnsafeURL as exc:
        errors.add("base_url", "erp_url_unsafe", exc.message)
    if not 1 <= data.timeout_seconds <= 30:
        errors.add("timeout_seconds", "erp_timeout_range", "Use de 1 a 30 segundos.")
    for name, label in CREDENTIALS[data.kind].items():
        kept = name in SECRET_FIELDS and current is not None and getattr(current, name)
        if not str(getattr(data, name)).strip() and not kept:
            errors.add(name, "erp_credential_missing", f"Informe “{label}”.")
    errors.raise_if_any()


def erp_account_save(*, tenant: Tenant, actor: Actor, data: AccountInput) -> ErpAccount:
    """Create or update the tenant's ERP. A blank secret keeps the stored one (the form never
    shows it back); fields the chosen system does not use are cleared."""
    actor.require(Perm.FLOW_MANAGE)
    with transaction.atomic():
        current = ErpAccount.objects.select_for_update().filter(tenant=tenant).first()
        _validate(tenant, data, current)
        account = current or ErpAccount(tenant=tenant)
        used = CREDENTIALS[data.kind]
        account.kind, account.base_url = data.kind, data.base_url.strip()
        account.timeout_seconds, account.is_active = data.timeout_seconds, data.is_active
        for name in ("client_id", "client_secret", "username", "password"):
            value = str(getattr(data, name)).strip()
            if name not in used:
                setattr(account, name, "")
            elif value or name not in SECRET_FIELDS:
                setattr(account, name, value)
        account.save()
    who = actor.user.pk if actor.user else (f"key:{actor.api_key.pk}" if actor.api_key else "-")
    logger.info("erp account saved: tenant=%s kind=%s by=%s", tenant.pk, data.kind, who)
    return account


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    code: str  # "ok" or the failure kind: timeout, unavailable, malformed, auth, unsafe_url...
    message: str  # pt-BR, for the person who configures it (never a credential)


def erp_connection_test(*, tenant: Tenant, actor: Actor) -> ConnectionCheck:
    """The "testar conexão" button: reach the tenant's ERP and authenticate, changing
    nothing there."""
    actor.require(Perm.FLOW_MANAGE)
    account = erp_account_get(tenant=tenant)
    if account is None:
        return ConnectionCheck(False, "not_configured", "Nenhum ERP configurado ainda.")
    try:
        check_outbound_url(account.base_url, extra_allow=tenant.outbound_allowlist or ())
    except UnsafeURL as exc:
        return ConnectionCheck(False, "unsafe_url", exc.message)
    connector = connector_for_account(account)
    try:
        connector.connection_check()
    except ErpFailure as exc:
        logger.warning("erp connection test failed: tenant=%s kind=%s tipo=%s: %s",
                       tenant.pk, account.kind, exc.kind, exc.detail)  # fmt: skip
        return ConnectionCheck(False, exc.kind, exc.detail)
    return ConnectionCheck(True, "ok", f"Conexão com o {account.get_kind_display()} funcionando.")
