"""Brazilian documents, phones, money and dates — on top of maintained libraries.

CPF/CNPJ: validate-docbr (rejects repeated digits, knows the alphanumeric CNPJ).
Phones: phonenumbers (E.164; 8-digit legacy mobiles get their 9th digit).
Money: Babel with the pt_BR locale.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import phonenumbers
from babel.numbers import NumberFormatError, format_currency, format_decimal, parse_decimal
from validate_docbr import CNPJ, CPF

UFS = (
    "AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA",
    "PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO",
)  # fmt: skip
UF_CHOICES = [(uf, uf) for uf in UFS]

_cpf = CPF()
_cnpj = CNPJ()


def only_digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def cpf_normalize(value: str) -> str | None:
    """The 11 digits of a valid CPF, or None."""
    digits = only_digits(value)
    if len(digits) != 11 or not _cpf.validate(digits):
        return None
    return digits


def cpf_format(value: str) -> str:
    digits = only_digits(value)
    return _cpf.mask(digits) if len(digits) == 11 else value


def cnpj_normalize(value: str) -> str | None:
    """The 14 characters of a valid CNPJ (numeric or alphanumeric), upper-case, or None."""
    compact = re.sub(r"[^0-9A-Za-z]", "", value or "").upper()
    if len(compact) != 14 or not _cnpj.validate(compact):
        return None
    return compact


def cnpj_format(value: str) -> str:
    compact = re.sub(r"[^0-9A-Za-z]", "", value or "").upper()
    return _cnpj.mask(compact) if len(compact) == 14 else value


def document_format(value: str) -> str:
    return cpf_format(value) if len(value or "") == 11 else cnpj_format(value)


@dataclass(frozen=True)
class Phone:
    e164: str  # +5511987654321
    is_mobile: bool

    @property
    def national(self) -> str:
        parsed = phonenumbers.parse(self.e164)
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)

    @property
    def digits(self) -> str:
        return self.e164.lstrip("+")


def _with_ninth_digit(national: str) -> str:
    # Mobiles in Brazil gained a leading 9 (2012-2016). WhatsApp ids and old records still carry
    # the 8-digit form (DDD + [6-9]XXXXXXX); we store the current 9-digit form.
    if len(national) == 10 and national[2] in "6789":
        return national[:2] + "9" + national[2:]
    return national


def phone_parse(value: str) -> Phone | None:
    """Parse a Brazilian phone typed with area code ('(11) 98765-4321', '11987654321',
    '+55 11 98765-4321', or a WhatsApp id '551187654321'). None when it is not a valid number."""
    raw = (value or "").strip()
    if not raw:
        return None
    digits = only_digits(raw)
    if raw.startswith("+") or (digits.startswith("55") and len(digits) in (12, 13)):
        candidate = "+" + digits
    else:
        candidate = digits.lstrip("0")  # 0 + DDD is common when dialled from a landline
    try:
        parsed = phonenumbers.parse(candidate, "BR")
    except phonenumbers.NumberParseException:
        return None
    if parsed.country_code == 55:
        national = _with_ninth_digit(str(parsed.national_number))
        parsed = phonenumbers.parse("+55" + national)
    if not phonenumbers.is_valid_number(parsed):
        return None
    kind = phonenumbers.number_type(parsed)
    is_mobile = kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    return Phone(
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        is_mobile=is_mobile,
    )


def phone_format(e164: str) -> str:
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    if parsed.country_code == 55:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def money_parse(value: str | Decimal | int | float) -> Decimal | None:
    """'R$ 1.234,56', '1234,56', '1234.56' (API) -> Decimal('1234.56'); None if not money."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = (value or "").replace("R$", "").replace("\xa0", "").strip()
    if not text:
        return None
    if re.fullmatch(r"-?\d+(\.\d{1,2})?", text):
        return Decimal(text)
    try:
        return Decimal(parse_decimal(text, locale="pt_BR", strict=True))
    except (NumberFormatError, InvalidOperation):
        return None


def money_format(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format_currency(value, "BRL", locale="pt_BR").replace("\xa0", " ")


def percent_format(value: Decimal | None, digits: int = 2) -> str:
    if value is None:
        return ""
    pattern = "#,##0." + "0" * digits
    return format_decimal(value, format=pattern, locale="pt_BR") + "%"


def decimal_format(value: Decimal | None, digits: int = 2) -> str:
    """'1234.5678' -> '1.234,5678' (pt-BR separators, exactly `digits` decimals)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0." + "0" * digits, locale="pt_BR")


def date_format(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def cep_normalize(value: str) -> str | None:
    digits = only_digits(value)
    return digits if len(digits) == 8 else None


def cep_format(value: str) -> str:
    digits = only_digits(value)
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 8 else value
