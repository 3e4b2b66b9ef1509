from __future__ import annotations

import datetime as dt

from formaliza.cases.cnj import cnj_check

TODAY = dt.date(2026, 6, 1)


def test_a_real_number_with_or_without_punctuation_is_accepted_and_formatted():
    # A published TJRJ number (its check digits are the Resolution's 98 - N mod 97).
    assert cnj_check("0058967-77.2016.8.19.0000", today=TODAY) == ("0058967-77.2016.8.19.0000", "")
    assert cnj_check(" 00589677720168190000 ", today=TODAY)[0] == "0058967-77.2016.8.19.0000"


def test_wrong_check_digits_are_explained():
    number, problem = cnj_check("0058967-76.2016.8.19.0000", today=TODAY)
    assert number == "" and "dígitos verificadores 76 não conferem" in problem and "77" in problem


def test_format_court_and_year_problems_have_their_own_message():
    assert "20 dígitos" in cnj_check("12345-67.2020.4.03", today=TODAY)[1]
    assert "tribunal 07" in cnj_check("0000001-00.2020.4.07.0000", today=TODAY)[1]
    assert "futuro" in cnj_check("0000001-00.2030.4.03.0000", today=TODAY)[1]


def test_federal_courts_include_trf6():
    from stdnum.iso7064 import mod_97_10

    base = "5000123" + "2025" + "4" + "06" + "3800"
    dd = mod_97_10.calc_check_digits(base)
    assert cnj_check(f"5000123-{dd}.2025.4.06.3800", today=TODAY)[1] == ""
