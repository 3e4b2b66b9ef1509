"""The PaymentProvider port: what the payments services need from a Pix PSP."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class ProviderError(Exception):
    """The PSP refused or failed (its problem `type`/`title` in the message)."""

    def __init__(self, message: str, *, status: int = 0, retryable: bool = False):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


@dataclass(frozen=True)
class ChargeRequest:
    txid: str
    amount: Decimal
    expiration_seconds: int
    payer_name: str = ""
    payer_document: str = ""  # CPF (11) or CNPJ (14) digits
    description: str = ""  # solicitacaoPagador
    due_date: dt.date | None = None  # a `cobv` when given


@dataclass(frozen=True)
class ChargeCreated:
    txid: str
    status: str  # the PSP's: ATIVA, CONCLUIDA, REMOVIDA_PELO_USUARIO_RECEBEDOR, REMOVIDA_PELO_PSP
    revisao: int
    location: str
    copia_e_cola: str


@dataclass(frozen=True)
class PixReceived:
    end_to_end_id: str
    txid: str
    amount: Decimal
    paid_at: dt.datetime
    raw: dict


@dataclass(frozen=True)
class ChargeState:
    txid: str
    status: str
    amount: Decimal
    pix: tuple[PixReceived, ...]


@dataclass(frozen=True)
class WebhookRequest:
    body: bytes
    headers: dict[str, str]  # lower-case names
    query: dict[str, str]


class PaymentProvider(Protocol):
    def charge_create(self, request: ChargeRequest) -> ChargeCreated: ...

    def charge_get(self, txid: str, *, kind: str) -> ChargeState: ...

    def webhook_register(self, url: str) -> None: ...

    def webhook_verify(self, request: WebhookRequest) -> bool: ...

    def webhook_parse(self, body: bytes) -> list[PixReceived]: ...
