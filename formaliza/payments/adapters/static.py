"""No PSP: a static BR Code with the tenant's key. Nothing can tell us a payment arrived, so
the charge is never paid automatically; an operator confirms it (services.charge_confirm)."""

from __future__ import annotations

from formaliza.payments.brcode import brcode_static
from formaliza.payments.ports import ChargeCreated, ChargeRequest, ChargeState, ProviderError


class StaticBrCodeProvider:
    def __init__(self, account):
        self.account = account

    def charge_create(self, request: ChargeRequest) -> ChargeCreated:
        payload = brcode_static(
            key=self.account.chave, name=self.account.merchant_name,
            city=self.account.merchant_city, amount=request.amount, txid=request.txid[:25],
        )  # fmt: skip
        return ChargeCreated(request.txid, "ATIVA", 0, "", payload)

    def charge_get(self, txid: str, *, kind: str = "static") -> ChargeState:
        raise ProviderError("BR Code estático: não há PSP para consultar")

    def webhook_register(self, url: str) -> None:
        return None

    def webhook_verify(self, request) -> bool:
        return False  # no PSP calls us: every webhook for a static account is refused

    def webhook_parse(self, body: bytes):
        return []
