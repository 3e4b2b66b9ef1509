"""The tenant's connector, built from its `ErpAccount` (None when it has none or it is off).

Connectors are cached per account and version (`updated_at`), so each keeps its pooled HTTP
connections, its session token and its circuit breaker across steps; saving the account
(new credentials) builds a new one and closes the old."""

from __future__ import annotations

import threading

from formaliza.accounts.models import Tenant
from formaliza.erp.adapters.hubsoft import HubsoftConnector
from formaliza.erp.adapters.ixc import IxcConnector
from formaliza.erp.adapters.mk import MkConnector
from formaliza.erp.adapters.sgp import SgpConnector
from formaliza.erp.models import ErpAccount
from formaliza.erp.ports import Capabilities, IspErpConnector

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
