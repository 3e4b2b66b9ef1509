"""The catalog (what the picker and docs/erp.md say) matches what each connector declares,
and an ERP without documentation has no connector."""

from __future__ import annotations

from formaliza.erp.catalog import CATALOG
from formaliza.erp.models import ErpAccount
from formaliza.erp.services import _build


def test_each_connector_declares_what_the_catalog_says():
    for info in CATALOG:
        account = ErpAccount(kind=info.kind, base_url="https://erp.exemplo.com.br")
        connector = _build(account)
        if info.kind in ErpAccount.Kind.values:
            assert connector.capabilities.actions == info.implemented, info.kind
        else:
            assert connector is None and not info.implemented, info.kind


def test_undocumented_erps_say_why():
    for info in CATALOG:
        if not info.implemented:
            assert "sem documentação" in info.source or "não feito" in info.source, info.kind
