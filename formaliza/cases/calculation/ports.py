"""The `RevisionCalculator` port: what a revision calculation receives and what it answers.

The default implementation is `formaliza.cases.calculation.inss.InssRevisionCalculator`
(settings.CASE_REVISION_CALCULATOR names the class). Everything here is plain data: Decimal
money, dates, strings in pt-BR for people; the result is stored as JSON (`result_to_dict`) so
the demonstrative can be shown and printed again exactly as it was computed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


class Outcome:
    COMPUTED = "computed"  # a higher RMI: the revision has a value
    NO_DIFFERENCE = "no_difference"  # recomputed, but not above what the INSS pays
    DECADENT = "decadent"  # the 10-year deadline to claim has passed: no value computed
    REFUSED = "refused"  # a thesis the courts have closed: no value computed

    LABELS = {
        COMPUTED: "Revisão com diferença a favor do cliente",
        NO_DIFFERENCE: "Sem diferença a favor do cliente",
        DECADENT: "Decadência: o prazo para pedir a revisão terminou",
        REFUSED: "Tese encerrada pelos tribunais",
    }


@dataclass(frozen=True)
class Contribution:
    month: dt.date  # first day of the competência
    amount: Decimal


@dataclass(frozen=True)
class BenefitFacts:
    rule: str  # a key of calculation.rules.RULES
    dib: dt.date  # data de início do benefício
    first_payment: dt.date  # data do primeiro pagamento (starts the decadência clock)
    granted_rmi: Decimal  # the RMI on the award letter
    birth_date: dt.date
    sex: str  # "F" | "M"
    contribution_days: int  # tempo de contribuição at the DIB, in days
    teacher: bool = False


@dataclass(frozen=True)
class CalculationRequest:
    facts: BenefitFacts
    contributions: tuple[Contribution, ...]
    thesis: str = "recalculo"  # a key of calculation.theses.THESES
    today: dt.date | None = None  # the claim date the estimate assumes (default: today)


@dataclass(frozen=True)
class MonthRow:
    """One competência of the period, as the demonstrative shows it."""

    month: dt.date
    amount: Decimal
    capped: Decimal  # limited to the ceiling of its month
    factor: Decimal
    corrected: Decimal
    used: bool
    note: str = ""


@dataclass(frozen=True)
class Step:
    title: str
    lines: tuple[str, ...]
    legal_basis: str = ""


@dataclass(frozen=True)
class EvolutionRow:
    month: dt.date
    granted: Decimal
    revised: Decimal
    difference: Decimal
    note: str = ""


@dataclass
class CalculationResult:
    outcome: str
    headline: str
    explanation: str = ""
    rule: str = ""
    rule_label: str = ""
    table_label: str = ""
    table_synthetic: bool = False
    new_rmi: Decimal | None = None
    granted_rmi: Decimal | None = None
    monthly_difference: Decimal | None = None  # at the DIB
    current_difference: Decimal | None = None  # today, after the yearly adjustments
    arrears: Decimal | None = None  # sum of the non-prescribed monthly differences (estimate)
    decadence_deadline: dt.date | None = None
    steps: list[Step] = field(default_factory=list)
    months: list[MonthRow] = field(default_factory=list)
    evolution: list[EvolutionRow] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def claimable(self) -> bool:
        return self.outcome == Outcome.COMPUTED


class RevisionCalculator(Protocol):
    name: str

    def calculate(self, request: CalculationRequest, table) -> CalculationResult:
        """Recompute the benefit with `table` (an `indices.IndexTableData`)."""
        ...


# --- JSON round trip ------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def result_to_dict(result: CalculationResult) -> dict:
    return _plain(result)


def request_to_dict(request: CalculationRequest) -> dict:
    return _plain(request)
