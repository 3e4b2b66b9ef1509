"""The `IspErpConnector` port: what the flow cards ask of an internet provider's ERP.

A connector declares the actions it can do (`capabilities`); the flows refuse a card whose
action the tenant's connector lacks. Every call raises `ErpFailure` (with a `kind` the card
routes on and a pt-BR `detail` for the operator's log line) instead of returning half an answer.
It is not an `ApplicationError`: it never leaves the effect executor that catches it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol


class Action(StrEnum):
    INVOICE = "invoice"  # segunda via: boleto PDF, linha digitável, Pix copia e cola
    TRUST_UNLOCK = "trust_unlock"  # desbloqueio de confiança
    DIAGNOSIS = "diagnosis"  # condicional: ativo, inativo, em atraso, desbloqueio usado, conexão
    TICKET = "ticket"  # abrir atendimento em departamentos/assuntos
    WIFI = "wifi"  # nome/senha do Wi-Fi via ACS


ACTION_LABELS = {
    Action.INVOICE: "Segunda via da fatura",
    Action.TRUST_UNLOCK: "Desbloqueio de confiança",
    Action.DIAGNOSIS: "Condicional / diagnóstico",
    Action.TICKET: "Abrir atendimento",
    Action.WIFI: "Alterar Wi-Fi (ACS)",
}


@dataclass(frozen=True)
class Contract:
    id: str
    plan: str
    status: Literal["active", "inactive", "blocked", "reduced", "cancelled"]
    phones: tuple[str, ...] = ()  # the holder's phones, digits with area code
    last_unlock: dt.date | None = None  # the last trust unlock, when the ERP tells it
    unlock_in_use: bool = False  # a trust unlock is running now


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    document: str  # digits
    contracts: tuple[Contract, ...] = ()


@dataclass(frozen=True)
class Invoice:
    id: str
    contract: str
    amount: str  # decimal as text, e.g. "119.90"
    due: dt.date
    digitable_line: str = ""
    pix_code: str = ""  # Pix copia e cola
    pdf_url: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class UnlockResult:
    ok: bool
    message: str = ""
    available_on: dt.date | None = None  # when refused because already used


@dataclass(frozen=True)
class TicketOption:
    """A department ("setor") or a subject ("assunto") to open a ticket in."""

    id: str
    name: str


@dataclass(frozen=True)
class Diagnosis:
    """The connection as the ERP sees it (its RADIUS/connection records)."""

    online: bool | None  # None: the ERP does not tell
    detail: str = ""
    signal: str = ""  # optical signal (dBm) as the ERP records it, e.g. "-21.5"
    session_started: dt.datetime | None = None  # the last session's start (naive, ERP's clock)
    session_ended: dt.datetime | None = None  # its end, when it ended
    disconnect_reason: str = ""


def next_month(today: dt.date) -> dt.date:
    """The first day of the month after `today`: when a monthly trust unlock is available again."""
    return dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)


def same_phone(a: str, b: str) -> bool:
    """Do two Brazilian phones (any formatting, with or without +55) name the same line? Area
    code and the last 8 digits are compared, so the legacy 8-digit mobile (WhatsApp's `wa_id`)
    matches the 9-digit one."""
    a, b = re.sub(r"\D", "", a or ""), re.sub(r"\D", "", b or "")
    a, b = (p[2:] if p.startswith("55") and len(p) >= 12 else p for p in (a, b))
    return len(a) >= 10 and len(b) >= 10 and a[:2] == b[:2] and a[-8:] == b[-8:]


class ErpFailure(Exception):
    def __init__(
        self, kind: Literal["timeout", "unavailable", "malformed", "auth"], detail: str
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class Capabilities:
    actions: frozenset[Action] = field(default_factory=frozenset)

    def can(self, action: Action | str) -> bool:
        return Action(action) in self.actions


class IspErpConnector(Protocol):
    capabilities: Capabilities
    base_url: str

    def connection_check(self) -> None:
        """Reach the ERP and authenticate, with a call that changes nothing (raises
        `ErpFailure`)."""
        ...

    def customer_find(self, *, document: str) -> Customer | None: ...

    def invoices_open(self, *, customer: Customer) -> list[Invoice]: ...

    def trust_unlock(self, *, customer: Customer, contract: Contract) -> UnlockResult: ...


class DiagnosisConnector(IspErpConnector, Protocol):
    def connection_diagnosis(self, *, customer: Customer, contract: Contract) -> Diagnosis: ...


class TicketConnector(IspErpConnector, Protocol):
    def ticket_departments(self) -> list[TicketOption]: ...

    def ticket_subjects(self, *, department: TicketOption) -> list[TicketOption]: ...

    def ticket_open(
        self,
        *,
        customer: Customer,
        contract: Contract,
        department: TicketOption,
        subject: TicketOption,
        text: str,
    ) -> str:
        """The ticket's number (protocol) as the client should see it."""
        ...


@dataclass(frozen=True)
class ChangeResult:
    """An ERP's answer to a change it may refuse (its rules): `message` is the ERP's text."""

    ok: bool
    message: str = ""


class WifiConnector(IspErpConnector, Protocol):
    def wifi_change(
        self, *, customer: Customer, contract: Contract, ssid: str, password: str
    ) -> ChangeResult: ...
