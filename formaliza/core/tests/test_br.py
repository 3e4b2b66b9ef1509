from decimal import Decimal

import pytest

from formaliza.core import br


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("529.982.247-25", "52998224725"), ("52998224725", "52998224725"), ("111.111.111-11", None),
     ("000.000.000-00", None), ("529.982.247-24", None), ("123", None), ("", None)],
)  # fmt: skip
def test_cpf(typed, expected):
    assert br.cpf_normalize(typed) == expected


def test_cnpj_numeric_and_alphanumeric():
    assert br.cnpj_normalize("11.222.333/0001-81") == "11222333000181"
    assert br.cnpj_normalize("12.abc.345/01de-35") == "12ABC34501DE35"
    assert br.cnpj_normalize("11.111.111/1111-11") is None
    assert br.cnpj_format("12ABC34501DE35") == "12.ABC.345/01DE-35"


@pytest.mark.parametrize(
    ("typed", "e164", "mobile"),
    [
        ("(11) 98765-4321", "+5511987654321", True),
        ("11 8765-4321", "+5511987654321", True),  # legacy 8-digit mobile
        ("551187654321", "+5511987654321", True),  # WhatsApp wa_id form
        ("+55 21 99876-5432", "+5521998765432", True),
        ("011 98765-4321", "+5511987654321", True),
        ("(11) 3265-4321", "+551132654321", False),
    ],
)
def test_phone_parse(typed, e164, mobile):
    phone = br.phone_parse(typed)
    assert (phone.e164, phone.is_mobile) == (e164, mobile)


@pytest.mark.parametrize("typed", ["", "123", "abc", "(00) 0000-0000"])
def test_phone_parse_rejects(typed):
    assert br.phone_parse(typed) is None


@pytest.mark.parametrize(
    ("typed", "value"),
    [("R$ 1.234,56", Decimal("1234.56")), ("1234,5", Decimal("1234.5")), ("1234.56", Decimal("1234.56")),
     ("1.234", Decimal("1234")), (10, Decimal("10")), ("1,234.56", None), ("abc", None), ("", None)],
)  # fmt: skip
def test_money_parse(typed, value):
    assert br.money_parse(typed) == value


def test_formats():
    assert br.money_format(Decimal("1234.5")) == "R$ 1.234,50"
    assert br.percent_format(Decimal("1.8")) == "1,80%"
    assert br.cpf_format("52998224725") == "529.982.247-25"
    assert br.phone_format("+5511987654321") == "(11) 98765-4321"
    assert br.cep_format("01310100") == "01310-100"
