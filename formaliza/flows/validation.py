"""Validation of what a client types into an `input` card. Pure: each validator takes the text
and returns the normalized value, or None when the answer is not valid. CPF/CNPJ go through
validate-docbr, phones through phonenumbers (both via `core.br`), e-mails through Django's
validator (email-validator rules), dates are dd/mm/aaaa, numbers are written the Brazilian way
(1.234,56) or plainly (1234.56)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from formaliza.core import br

KINDS = ("cpf", "cnpj", "cpf_cnpj", "email", "phone", "date", "number", "text", "image", "file")
MEDIA_KINDS = ("image", "file")  # answered with a file, not with words

# What the client is told when the answer is not valid (pt-BR), per kind.
INVALID_PT_BR = {
    "cpf": "CPF inválido. Envie os 11 números do CPF, por exemplo 123.456.789-09.",
    "cnpj": "CNPJ inválido. Envie os 14 caracteres do CNPJ, por exemplo 12.345.678/0001-95.",
    "cpf_cnpj": "Documento inválido. Envie um CPF (11 números) ou um CNPJ (14 caracteres).",
    "email": "E-mail inválido. Envie um endereço como nome@exemplo.com.br.",
    "phone": "Telefone inválido. Envie o número com DDD, por exemplo (11) 98765-4321.",
    "date": "Data inválida. Envie no formato dd/mm/aaaa, por exemplo 25/12/1990.",
    "number": "Número inválido. Envie apenas o número, por exemplo 1.500,00.",
    "text": "Por favor, responda com um texto.",
    "image": "Por favor, envie uma foto (imagem).",
    "file": "Por favor, envie o arquivo (imagem ou documento PDF).",
}

_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_BR_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$")


def cpf(text: str) -> str | None:
    return br.cpf_normalize(text)


def cnpj(text: str) -> str | None:
    return br.cnpj_normalize(text)


def cpf_cnpj(text: str) -> str | None:
    return br.cpf_normalize(text) or br.cnpj_normalize(text)


def email(text: str) -> str | None:
    address = (text or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def phone(text: str) -> str | None:
    parsed = br.phone_parse(text)
    return parsed.e164 if parsed is not None else None


def date(text: str) -> str | None:
    """dd/mm/aaaa (also with '-' or '.') -> ISO 8601 date; years 1900-2100."""
    match = _DATE.match(text or "")
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    if not 1900 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def number(text: str) -> str | None:
    """'1.234,56', '1234,56', '1234.56', '-3' -> the decimal as plain text ('1234.56')."""
    value = (text or "").replace("R$", "").replace(" ", "").strip()
    if not value:
        return None
    try:
        if _PLAIN_NUMBER.match(value) and not re.match(r"^-?\d{1,3}(\.\d{3})+$", value):
            return str(Decimal(value))
        if _BR_NUMBER.match(value):
            return str(Decimal(value.replace(".", "").replace(",", ".")))
    except InvalidOperation:
        return None
    return None


def text(value: str) -> str | None:
    stripped = (value or "").strip()
    return stripped or None


VALIDATORS: dict[str, Callable[[str], str | None]] = {
    "cpf": cpf,
    "cnpj": cnpj,
    "cpf_cnpj": cpf_cnpj,
    "email": email,
    "phone": phone,
    "date": date,
    "number": number,
    "text": text,
}


def validate(kind: str, value: str) -> str | None:
    """The normalized value of a typed answer, or None. Media kinds are checked by the card."""
    return VALIDATORS[kind](value)
