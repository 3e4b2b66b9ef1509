"""The tenant's connector: built from its `ErpAccount` (None when it has none or it is off)."""

from __future__ import annotations

from formaliza.accounts.models import Tenant
from formaliza.erp.adapters.hubsoft import HubsoftConnector
from formaliza.erp.models import ErpAccount
from formaliza.erp.ports import Capabilities, IspErpConnector


def connector_for(*, tenant: Tenant) -> IspErpConnector | None:
    account = ErpAccount.objects.filter(tenant=tenant, is_active=True).first()
    if account is None:
        return None
    if account.kind == ErpAccount.Kind.HUBSOFT:
        return HubsoftConnector(
            base_url=account.base_url, client_id=account.client_id,
            client_secret=account.client_secret, username=account.username,
            password=account.password, timeout=float(account.timeout_seconds),
        )  # fmt: skip
    return None


def capabilities_for(*, tenant: Tenant) -> Capabilities:
    connector = connector_for(tenant=tenant)
    return connector.capabilities if connector is not None else Capabilities()
