"""The default `RevisionCalculator`: the RMI of an INSS benefit recomputed from the client's
contribution history, compared with the RMI the INSS granted.

Pure functions over Decimal money and an index table; no database. The order of the steps is
the order of the demonstrative: closed thesis → decadência → period and correction → average →
coefficient → limits → comparison → evolution and arrears (arrears.py). The rules and their
legal basis are explained in docs/cases.md.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from formaliza.cases.calculation import arrears
from formaliza.cases.calculation.ports import (
    CalculationRequest,
    CalculationResult,
    MonthRow,
    Outcome,
    Step,
)
from formaliza.cases.calculation.rules import (
    EC103_IN_FORCE,
    POINTS_RULE_FROM,
    RULES,
    Rule,
    rule_era_mismatch,
)
from formaliza.cases.calculation.theses import THESES
from formaliza.cases.indices import IndexTableData, month_add, month_label
from formaliza.core import br, clock
from formaliza.core.errors import FieldErrors

CENTS = Decimal("0.01")
PERIOD_START = dt.date(1994, 7, 1)
FATOR_ALPHA = Decimal("0.31")
AUXILIO_LAST12_FROM = dt.date(2015, 3, 1)  # Lei 13.135/2015 (MP 664/2014), art. 29, § 10
DECADENCE_FLOOR = dt.date(1997, 8, 1)  # STF Tema 313: older awards count from here
YEAR_DAYS = Decimal(365)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENTS, ROUND_HALF_UP)


def brl(value: Decimal) -> str:
    return br.money_format(value)


def num(value: Decimal, digits: int = 4) -> str:
    return br.decimal_format(value, digits)


def decadence_deadline(first_payment: dt.date) -> dt.date:
    """Ten years from the first day of the month after the first payment (Lei 8.213/91,
    art. 103, I); awards paid before it existed count from 01/08/1997 (STF Tema 313)."""
    start = max(month_add(first_payment.replace(day=1), 1), DECADENCE_FLOOR)
    return start.replace(year=start.year + 10)


class InssRevisionCalculator:
    name = "formaliza-inss-rmi/1"

    def calculate(self, request: CalculationRequest, table: IndexTableData) -> CalculationResult:
        facts, today = request.facts, request.today or clock.today()
        rule = RULES[facts.rule]
        base = {
            "rule": rule.key, "rule_label": rule.label, "table_label": table.label,
            "table_synthetic": table.synthetic, "granted_rmi": facts.granted_rmi,
        }  # fmt: skip
        thesis = THESES[request.thesis]
        if thesis.closed:
            return CalculationResult(
                outcome=Outcome.REFUSED, headline=f"Tese encerrada: {thesis.label}",
                explanation=thesis.explanation, **base,
            )  # fmt: skip
        deadline = decadence_deadline(facts.first_payment)
        if today >= deadline:
            return CalculationResult(
                outcome=Outcome.DECADENT, decadence_deadline=deadline, **base,
                headline="Benefício atingido pela decadência: não há valor a pedir.",
                explanation=(
                    f"O primeiro pagamento foi em {br.date_format(facts.first_payment)}; o prazo "
                    "de 10 anos para pedir a revisão do ato de concessão (Lei 8.213/91, art. 103, "
                    f"I) terminou em {br.date_format(deadline)}."
                ),
            )  # fmt: skip
        _validate(request, rule, table, today)
        return self._compute(request, rule, table, today, base, deadline)

    def _compute(self, request, rule, table, today, base, deadline) -> CalculationResult:
        facts = request.facts
        result = CalculationResult(
            outcome=Outcome.NO_DIFFERENCE, headline="", decadence_deadline=deadline, **base
        )
        rows, notices = period_rows(request, rule, table)
        result.notices.extend(notices)
        if rule.era == "lei9876" and facts.dib > EC103_IN_FORCE:
            result.notices.append(
                "Regra anterior à EC 103/2019 aplicada a benefício posterior a 13/11/2019: "
                "só vale com direito adquirido (requisitos cumpridos até 13/11/2019)."
            )
        sb, result.months = average(rule, rows, facts.dib, result.steps)
        rmi = coefficient(rule, facts, sb, result.months, table, result.steps)
        result.new_rmi = limits(rmi, facts.dib, table, result.steps)
        compare(result, facts.granted_rmi)
        if result.outcome == Outcome.COMPUTED:
            arrears.evolve(result, facts, table, today)
        return result


def _validate(request: CalculationRequest, rule: Rule, table: IndexTableData, today) -> None:
    facts, errors = request.facts, FieldErrors()
    if rule.era == "ec103" and (problem := rule_era_mismatch(rule, facts.dib)):
        errors.add("rule", "rule_era", problem)
    if rule.era == "lei9876" and (problem := rule_era_mismatch(rule, facts.dib)):
        errors.add("dib", "dib_before_rules", problem)
    if facts.dib > today:
        errors.add("dib", "dib_future", "A data de início do benefício está no futuro.")
    if facts.first_payment < facts.dib:
        errors.add(
            "first_payment", "before_dib", "O primeiro pagamento não pode ser anterior à DIB."
        )
    if facts.birth_date.replace(year=facts.birth_date.year + 14) > facts.dib:
        errors.add("birth_date", "too_young", "A data de nascimento não é compatível com a DIB.")
    if facts.granted_rmi <= 0:
        errors.add("granted_rmi", "not_positive", "Informe a RMI concedida (carta de concessão).")
    if facts.contribution_days <= 0:
        errors.add("contribution_days", "not_positive", "Informe o tempo de contribuição.")
    last = month_add(facts.dib.replace(day=1), -1)
    if not table.covers(last) or not table.covers(facts.dib.replace(day=1)):
        errors.add(
            "dib", "table_does_not_cover",
            f"A tabela de índices {table.label} vai até {month_label(table.last_month)}: não "
            "cobre a DIB informada.",
        )  # fmt: skip
    inside = [c for c in request.contributions if PERIOD_START <= c.month <= last]
    if not inside:
        errors.add(
            "contributions", "no_contributions",
            "Nenhum salário de contribuição entre 07/1994 e o mês anterior à DIB.",
        )  # fmt: skip
    errors.raise_if_any()


def period_rows(request: CalculationRequest, rule: Rule, table: IndexTableData):
    """The competências of the period (07/1994 to the month before the DIB), each capped at
    its month's ceiling and corrected to the DIB."""
    dib, last = request.facts.dib, month_add(request.facts.dib.replace(day=1), -1)
    notices, rows = [], []
    before = [c for c in request.contributions if c.month < PERIOD_START]
    after = [c for c in request.contributions if c.month > last]
    if before:
        notices.append(
            f"{len(before)} salário(s) anteriores a 07/1994 não entram na média (Lei 9.876/99, "
            "art. 3º; STF, ADIs 2.110 e 2.111)."
        )
    if after:
        notices.append(f"{len(after)} competência(s) a partir do mês da DIB não entram no cálculo.")
    for item in sorted(request.contributions, key=lambda c: c.month):
        if not PERIOD_START <= item.month <= last:
            continue
        month_data = table.month(item.month)
        capped = min(item.amount, month_data.ceiling)
        factor = table.factor(item.month, dib)
        note = "limitado ao teto do mês" if capped < item.amount else ""
        rows.append(MonthRow(item.month, item.amount, capped, factor, money(capped * factor),
                             used=True, note=note))  # fmt: skip
    return rows, notices


def average(rule: Rule, rows: list[MonthRow], dib: dt.date, steps: list[Step]):
    count = len(rows)
    corrected = sorted(rows, key=lambda r: r.corrected, reverse=True)
    lines = [
        f"Salários de contribuição no período (07/1994 até {month_label(month_add(dib.replace(day=1), -1))}): {count}."
    ]
    if rule.average == "best80":
        best = math.ceil(Decimal(count) * Decimal("0.8"))
        divisor = best
        lines.append(
            f"80% do período contributivo: {best} maiores salários corrigidos (arredondado para cima: “no mínimo 80%”)."
        )
        if rule.minimum_divisor:
            elapsed = (dib.year - 1994) * 12 + dib.month - 7
            minimum = math.ceil(Decimal(elapsed) * Decimal("0.6"))
            divisor = max(best, min(minimum, count))
            lines.append(
                f"Divisor mínimo: 60% dos {elapsed} meses decorridos desde 07/1994 = {minimum}, "
                f"limitado a {count} contribuições → divisor {divisor}."
            )
        used = {id(r) for r in corrected[:divisor]}
        basis = "Lei 9.876/99, art. 3º, caput e § 2º; Lei 8.213/91, art. 29, I e II"
    else:
        divisor, used = count, {id(r) for r in rows}
        lines.append("EC 103/2019: média de 100% dos salários desde 07/1994, sem descarte.")
        basis = "EC 103/2019, art. 26, caput"
    total = sum((r.corrected for r in rows if id(r) in used), Decimal(0))
    sb = money(total / divisor)
    lines.append(f"Soma dos salários considerados: {brl(total)} ÷ {divisor} = média {brl(sb)}.")
    steps.append(Step("Média dos salários de contribuição corrigidos", tuple(lines), basis))
    marked = [
        r if id(r) in used else MonthRow(r.month, r.amount, r.capped, r.factor, r.corrected,
                                         used=False, note=(r.note + " descartado").strip())
        for r in rows
    ]  # fmt: skip
    return sb, marked


def contribution_years(facts) -> Decimal:
    return Decimal(facts.contribution_days) / YEAR_DAYS


def age_at(birth: dt.date, when: dt.date) -> Decimal:
    years = when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))
    anniversary = birth.replace(year=birth.year + years) if not (
        birth.month == 2 and birth.day == 29) else dt.date(birth.year + years, 3, 1)  # fmt: skip
    return Decimal(years) + Decimal((when - anniversary).days) / YEAR_DAYS


def fator_previdenciario(facts, table: IndexTableData, steps: list[Step]) -> Decimal:
    tc = contribution_years(facts)
    bonus = Decimal(5) if facts.sex == "F" else Decimal(0)
    if facts.teacher:
        bonus += Decimal(5)
    tc_total = tc + bonus
    age = age_at(facts.birth_date, facts.dib)
    es = table.life_expectancy(age=int(age), at=facts.dib)
    if es is None:
        errors = FieldErrors()
        errors.add(
            "dib", "no_life_table",
            f"A tabela {table.label} não tem expectativa de sobrevida para {int(age)} anos na DIB.",
        )  # fmt: skip
        errors.raise_if_any()
    f = (tc_total * FATOR_ALPHA / es) * (1 + (age + tc_total * FATOR_ALPHA) / 100)
    f = f.quantize(Decimal("0.0001"), ROUND_HALF_UP)
    steps.append(Step(
        "Fator previdenciário",
        (
            f"Tc = {num(tc)} anos" + (f" + {bonus} (bônus)" if bonus else "")
            + f" = {num(tc_total)}; a = 0,31; Id = {num(age)} anos; Es = {num(es, 1)} anos "
            f"(tábua do IBGE vigente na DIB, tabela {table.label}).",
            f"f = (Tc × a ÷ Es) × [1 + (Id + Tc × a) ÷ 100] = {num(f)}.",
        ),
        "Lei 8.213/91, art. 29, §§ 7º a 9º",
    ))  # fmt: skip
    return f


def _points_rule(facts) -> bool:
    """Lei 8.213/91, art. 29-C: 85/95 points (86/96 from 31/12/2018) exempt from the fator."""
    if facts.dib < POINTS_RULE_FROM:
        return False
    tc = contribution_years(facts)
    points = age_at(facts.birth_date, facts.dib) + tc
    woman = facts.sex == "F"
    needed = (86 if woman else 96) if facts.dib >= dt.date(2018, 12, 31) else (85 if woman else 95)
    return tc >= (30 if woman else 35) and points >= needed


def _last12_average(rows: list[MonthRow]) -> Decimal:
    last = sorted(rows, key=lambda r: r.month)[-12:]
    return money(sum((r.corrected for r in last), Decimal(0)) / len(last))


def coefficient(rule: Rule, facts, sb: Decimal, rows, table, steps: list[Step]) -> Decimal:
    """The RMI from the salário de benefício, by the rule's coefficient."""
    kind, years = rule.coefficient, int(facts.contribution_days // 365)
    if kind in ("fator", "fator_sempre", "idade"):
        f = fator_previdenciario(facts, table, steps)
    if kind == "fator":
        exempt = _points_rule(facts)
        applied = max(f, Decimal(1)) if exempt else f
        note = (
            "Pontos suficientes (art. 29-C): o fator só se aplica se maior que 1."
            if exempt
            else "O fator previdenciário se aplica obrigatoriamente."
        )
        return _apply(
            steps, sb, applied, f"100% do salário de benefício × fator {num(applied)}", note
        )
    if kind == "fator_sempre":
        return _apply(steps, sb, f, f"100% da média × fator {num(f)}", "EC 103/2019, art. 17.")
    if kind == "idade":
        percent = min(Decimal(70 + years), Decimal(100))
        applied = max(f, Decimal(1))
        return _apply(
            steps, sb, percent / 100 * applied,
            f"{percent}% (70% + 1% por grupo de 12 contribuições: {years}) × fator {num(applied)}",
            "O fator só se aplica na aposentadoria por idade quando maior que 1 (Lei 9.876/99, art. 7º).",
        )  # fmt: skip
    if kind == "ec103":
        threshold = 15 if facts.sex == "F" else 20
        percent = Decimal(60 + 2 * max(0, years - threshold))
        return _apply(
            steps, sb, percent / 100,
            f"{percent}% (60% + 2% por ano além de {threshold} anos de contribuição: {years} anos)",
            "EC 103/2019, art. 26, §§ 2º e 5º.",
        )  # fmt: skip
    if kind == "auxilio":
        rmi = _apply(
            steps, sb, Decimal("0.91"), "91% do salário de benefício", "Lei 8.213/91, art. 61."
        )
        if rule.era == "ec103" or facts.dib >= AUXILIO_LAST12_FROM:
            cap = _last12_average(rows)
            if rmi > cap:
                steps.append(Step("Limite do auxílio", (
                    f"Limitado à média dos 12 últimos salários de contribuição: {brl(cap)}.",
                ), "Lei 8.213/91, art. 29, § 10"))  # fmt: skip
                return cap
        return rmi
    return _apply(steps, sb, Decimal(1), "100% do salário de benefício", rule.legal_basis)


def _apply(steps, sb: Decimal, multiplier: Decimal, label: str, note: str) -> Decimal:
    rmi = money(sb * multiplier)
    steps.append(Step("Renda mensal inicial (RMI)", (f"{brl(sb)} × {label} = {brl(rmi)}.", note)))
    return rmi


def limits(rmi: Decimal, dib: dt.date, table: IndexTableData, steps: list[Step]) -> Decimal:
    month = table.month(dib.replace(day=1))
    bounded = min(max(rmi, month.minimum_wage), month.ceiling)
    if bounded != rmi:
        steps.append(Step("Limites da RMI", (
            f"A RMI fica entre o salário mínimo ({brl(month.minimum_wage)}) e o teto "
            f"({brl(month.ceiling)}) do mês da DIB: {brl(bounded)}.",
        ), "Lei 8.213/91, arts. 29, § 2º, e 33"))  # fmt: skip
    return bounded


def compare(result: CalculationResult, granted: Decimal) -> None:
    difference = result.new_rmi - granted
    result.monthly_difference = difference
    lines = (
        f"RMI recalculada: {brl(result.new_rmi)}; RMI concedida: {brl(granted)}; "
        f"diferença na DIB: {brl(difference)}.",
    )
    result.steps.append(Step("Comparação com a RMI concedida", lines))
    if difference > 0:
        result.outcome = Outcome.COMPUTED
        result.headline = f"A RMI recalculada é {brl(difference)} maior que a concedida."
    else:
        result.outcome = Outcome.NO_DIFFERENCE
        result.headline = "A RMI recalculada não é maior que a concedida: não há revisão a pedir."
