"""The default RevisionCalculator against the synthetic table: the rules, the refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from formaliza.cases.calculation.inss import InssRevisionCalculator, decadence_deadline
from formaliza.cases.calculation.ports import (
    BenefitFacts,
    CalculationRequest,
    Contribution,
    Outcome,
)
from formaliza.cases.indices import month_add, table_parse
from formaliza.core.errors import ValidationFailed

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def table():
    return table_parse(settings.CASE_DEMO_INDEX_TABLE.read_bytes())[0]


def months(start, end, amount="2000.00"):
    out, month = [], start
    while month <= end:
        out.append(Contribution(month, Decimal(amount)))
        month = month_add(month, 1)
    return tuple(out)


def facts(**overrides):
    data = {
        "rule": "ec103_aposentadoria", "dib": dt.date(2021, 3, 15), "first_payment": dt.date(2021, 4, 10),
        "granted_rmi": Decimal("1000.00"), "birth_date": dt.date(1958, 5, 2), "sex": "M",
        "contribution_days": 30 * 365,
    }  # fmt: skip
    data.update(overrides)
    return BenefitFacts(**data)


def run(table, contributions, **overrides):
    thesis = overrides.pop("thesis", "recalculo")
    request = CalculationRequest(facts(**overrides), contributions, thesis=thesis, today=TODAY)
    return InssRevisionCalculator().calculate(request, table)


def test_ec103_averages_every_salary_and_pays_60_percent_plus_2_per_year_beyond_20(table):
    # given 30 years of contribution (10 beyond the men's 20) and a constant salary
    contributions = months(dt.date(1994, 7, 1), dt.date(2021, 2, 1))
    # when
    result = run(table, contributions)
    # then every competência is in the average and the coefficient is 80%
    assert all(row.used for row in result.months)
    average = sum(r.corrected for r in result.months) / len(result.months)
    expected = (average.quantize(Decimal("0.01")) * Decimal("0.80")).quantize(Decimal("0.01"))
    assert result.new_rmi == expected
    assert any("80% (60% + 2% por ano além de 20" in line for s in result.steps for line in s.lines)
    assert result.outcome == Outcome.COMPUTED and result.arrears > 0 and result.evolution


def test_women_count_the_2_percent_from_15_years(table):
    result = run(table, months(dt.date(1994, 7, 1), dt.date(2021, 2, 1)), sex="F")
    assert any("90% (60% + 2% por ano além de 15" in line for s in result.steps for line in s.lines)


def test_lei_9876_discards_the_lowest_20_percent(table):
    # given 100 high salaries and 100 low ones before a 2018 disability retirement
    high = months(dt.date(1996, 1, 1), dt.date(2004, 4, 1), "3000.00")
    low = months(dt.date(2004, 5, 1), dt.date(2012, 8, 1), "700.00")
    result = run(table, high + low, rule="lei9876_invalidez", dib=dt.date(2018, 3, 10),
                 first_payment=dt.date(2018, 4, 2))  # fmt: skip
    # then 160 of 200 salaries are used: the 40 lowest corrected ones are discarded
    used = [r for r in result.months if r.used]
    assert len(used) == 160
    assert min(r.corrected for r in used) >= max(r.corrected for r in result.months if not r.used)


def test_retirement_by_contribution_time_has_the_minimum_divisor_and_the_fator(table):
    # given the same 200 salaries: 60% of the 284 months since 07/1994 is 171 > 160
    high = months(dt.date(1996, 1, 1), dt.date(2004, 4, 1), "3000.00")
    low = months(dt.date(2004, 5, 1), dt.date(2012, 8, 1), "700.00")
    result = run(table, high + low, rule="lei9876_tempo", dib=dt.date(2018, 3, 10),
                 first_payment=dt.date(2018, 4, 2), contribution_days=32 * 365)  # fmt: skip
    assert sum(1 for r in result.months if r.used) == 171
    average_lines = result.steps[0].lines
    assert any("Divisor mínimo" in line and "divisor 171" in line for line in average_lines)
    assert result.steps[1].title == "Fator previdenciário"
    assert "O fator previdenciário se aplica obrigatoriamente." in result.steps[2].lines


def test_salaries_before_july_1994_are_left_out_with_a_notice(table):
    contributions = months(dt.date(1990, 1, 1), dt.date(2021, 2, 1))
    result = run(table, contributions)
    assert min(r.month for r in result.months) == dt.date(1994, 7, 1)
    assert any("anteriores a 07/1994" in n for n in result.notices)


def test_salaries_are_capped_at_the_ceiling_of_their_month(table):
    result = run(table, months(dt.date(1994, 7, 1), dt.date(2021, 2, 1), "999999.00"))
    first = result.months[0]
    assert first.capped == table.month(dt.date(1994, 7, 1)).ceiling and "teto" in first.note
    assert result.new_rmi <= table.month(dt.date(2021, 3, 1)).ceiling


def test_a_decadent_benefit_is_flagged_and_no_value_is_computed(table):
    # given a benefit first paid in March 2014: the deadline was 01/04/2024
    result = run(table, months(dt.date(1994, 7, 1), dt.date(2014, 1, 1)), rule="lei9876_tempo",
                 dib=dt.date(2014, 2, 3), first_payment=dt.date(2014, 3, 5))  # fmt: skip
    assert result.outcome == Outcome.DECADENT
    assert result.decadence_deadline == dt.date(2024, 4, 1)
    assert result.new_rmi is None and result.arrears is None and not result.steps
    assert "art. 103" in result.explanation


def test_awards_older_than_the_decadence_rule_count_from_august_1997():
    assert decadence_deadline(dt.date(1995, 6, 1)) == dt.date(2007, 8, 1)
    assert decadence_deadline(dt.date(2020, 1, 31)) == dt.date(2030, 2, 1)


def test_the_closed_vida_toda_thesis_is_refused_with_the_reason(table):
    result = run(table, months(dt.date(1985, 1, 1), dt.date(2021, 2, 1)), thesis="vida_toda")
    assert result.outcome == Outcome.REFUSED
    assert "ADIs 2.110 e 2.111" in result.explanation and result.new_rmi is None


def test_a_recalculation_not_above_the_granted_rmi_has_no_value(table):
    result = run(
        table,
        months(dt.date(1994, 7, 1), dt.date(2021, 2, 1), "1500.00"),
        granted_rmi=Decimal("9000.00"),
    )
    assert result.outcome == Outcome.NO_DIFFERENCE and result.arrears is None


def test_an_ec103_rule_before_the_amendment_is_refused_by_field(table):
    with pytest.raises(ValidationFailed) as caught:
        run(table, months(dt.date(1994, 7, 1), dt.date(2018, 1, 1)), dib=dt.date(2018, 2, 1),
            first_payment=dt.date(2018, 3, 1))  # fmt: skip
    assert caught.value.fields[0].field == "rule"


def test_auxilio_is_limited_to_the_average_of_the_last_12_salaries(table):
    contributions = months(dt.date(1994, 7, 1), dt.date(2019, 12, 1), "4000.00") + months(
        dt.date(2020, 1, 1), dt.date(2021, 2, 1), "1200.00"
    )
    result = run(table, contributions, rule="ec103_auxilio", granted_rmi=Decimal("900.00"))
    assert any(s.title == "Limite do auxílio" for s in result.steps)
