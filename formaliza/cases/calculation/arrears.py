"""From the RMI difference to today's difference and the arrears estimate.

Both benefits (granted and revised) are carried month by month from the DIB with the yearly
adjustments of the index table (the first one pro rata by the index since the DIB month, Lei
8.213/91, art. 41-A), each kept between the minimum wage and the ceiling of its month. The
arrears are the differences of the five years before today (Lei 8.213/91, art. 103, parágrafo
único), with the abono anual (13º) of each December, without interest or correction: an
estimate for the client's decision, not the court's liquidation.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from formaliza.cases.calculation.ports import CalculationResult, EvolutionRow, Step
from formaliza.cases.indices import IndexTableData, month_add, month_label
from formaliza.core import br

CENTS = Decimal("0.01")
PRESCRIPTION_MONTHS = 60


def _adjust(value: Decimal, factor: Decimal, month) -> Decimal:
    adjusted = (value * factor).quantize(CENTS, ROUND_HALF_UP)
    return min(max(adjusted, month.minimum_wage), month.ceiling)


def _factor(table: IndexTableData, month: dt.date, dib_month: dt.date) -> Decimal | None:
    data = table.month(month)
    if data.benefit_adjustment is None:
        return None
    full = 1 + data.benefit_adjustment / 100
    if month_add(dib_month, 12) > month:  # first adjustment after the DIB: pro rata
        since = (
            table.month(month_add(month, -1)).index / table.month(month_add(dib_month, -1)).index
        )
        return min(since, full)
    return full


def evolve(result: CalculationResult, facts, table: IndexTableData, today: dt.date) -> None:
    dib_month = facts.dib.replace(day=1)
    end = min(month_add(today.replace(day=1), -1), table.last_month)
    window_start = max(dib_month, month_add(today.replace(day=1), -PRESCRIPTION_MONTHS))
    granted, revised = facts.granted_rmi, result.new_rmi
    total, month, adjustments = Decimal(0), dib_month, []
    while month <= end:
        factor = _factor(table, month, dib_month) if month > dib_month else None
        if factor is not None:
            data = table.month(month)
            granted, revised = _adjust(granted, factor, data), _adjust(revised, factor, data)
            adjustments.append(f"{month_label(month)}: × {br.decimal_format(factor, 6)}")
        if month >= window_start:
            difference = revised - granted
            note = ""
            if month.month == 12:  # the 13º, proportional in the DIB's year
                months = 12 if month.year > dib_month.year else 13 - dib_month.month
                bonus = (difference * months / 12).quantize(CENTS, ROUND_HALF_UP)
                total += bonus
                note = f"13º: {br.money_format(bonus)}"
            total += difference
            result.evolution.append(EvolutionRow(month, granted, revised, difference, note))
        month = month_add(month, 1)
    result.current_difference = revised - granted
    result.arrears = total
    if end < month_add(today.replace(day=1), -1):
        result.notices.append(
            f"A tabela de índices vai até {month_label(table.last_month)}: a evolução e os "
            "atrasados param nesse mês."
        )
    result.steps.append(Step(
        "Evolução e atrasados (estimativa)",
        (
            "Reajustes aplicados aos dois benefícios: " + ("; ".join(adjustments) or "nenhum") + ".",
            f"Diferença mensal atual: {br.money_format(result.current_difference)}.",
            f"Atrasados dos últimos 5 anos ({month_label(window_start)} a {month_label(end)}), com 13º, "
            f"sem juros nem correção: {br.money_format(total)}.",
        ),
        "Lei 8.213/91, arts. 41-A e 103, parágrafo único",
    ))  # fmt: skip
