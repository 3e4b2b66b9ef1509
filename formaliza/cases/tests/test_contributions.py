from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from formaliza.cases.contributions import history_parse
from formaliza.core.errors import ValidationFailed

TODAY = dt.date(2026, 6, 1)


def test_csv_with_header_origin_and_pt_br_values():
    parsed = history_parse(
        "competencia;remuneracao;origem\n07/1994;1.234,56;Empresa A\n1994-08;R$ 2.000,00;Empresa A\n",
        today=TODAY,
    )
    assert [(c.month, c.amount) for c in parsed.contributions] == [
        (dt.date(1994, 7, 1), Decimal("1234.56")),
        (dt.date(1994, 8, 1), Decimal("2000.00")),
    ]


def test_pasted_text_with_spaces_and_two_jobs_in_a_month_are_added_up():
    parsed = history_parse("07/1994   1.000,00\n07/1994 R$ 500,00\n08/1994\t700", today=TODAY)
    assert parsed.contributions[0].amount == Decimal("1500.00")
    assert "Linha 2" in parsed.notices[0] and "somados" in parsed.notices[0]


def test_every_bad_row_is_named_and_nothing_is_accepted():
    with pytest.raises(ValidationFailed) as caught:
        history_parse(
            "07/1994;1000,00\n13/2001;500,00\n08/1994;abc\n09/2099;10,00\n10/1994", today=TODAY
        )
    messages = [f.message for f in caught.value.fields]
    assert messages == [
        "Linha 2: competência “13/2001” inválida (use MM/AAAA).",
        "Linha 3: valor “abc” não é um valor em reais (ex.: 1.234,56).",
        "Linha 4: competência 09/2099 fora do período possível.",
        "Linha 5: informe a competência e o valor (ex.: 07/1994;1.234,56).",
    ]


def test_an_empty_history_is_refused():
    with pytest.raises(ValidationFailed):
        history_parse("\n\n", today=TODAY)
