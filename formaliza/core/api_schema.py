"""Pieces every router of the public API shares: the error body, the error statuses, an ISO
date that refuses a number, and bounds for paging (an unbounded `page` overflows the offset).

The API (formaliza/api/api.py) also adds to every operation of the OpenAPI document the answers
its shared machinery can give — 400 `invalid_json`, 401 `invalid_api_key`, 422
`invalid_request`, 404 for a path naming another tenant's object, and on POSTs the
`Idempotency-Key` header with its 400/409/422 — so a router documents only its own."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator, WithJsonSchema

MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200


class ErrorBody(Schema):
    code: str
    message: str
    fields: list[dict] | None = None


class ErrorOut(Schema):
    error: ErrorBody


ERRORS: dict[int, type[Schema]] = dict.fromkeys((400, 401, 403, 404, 409, 415, 422), ErrorOut)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_only(value: Any) -> Any:
    """`2026-12-03` (or a date); a number is not read as seconds since 1970."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("use uma data no formato AAAA-MM-DD")
    return value


IsoDate = Annotated[
    dt.date,
    BeforeValidator(_iso_only),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]


Money = Annotated[
    Decimal,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
            ]
        }
    ),
]


def page_field():
    return Field(1, ge=1, le=MAX_PAGE, description=f"Página (1 a {MAX_PAGE}).")


def page_size_field(default: int = 50):
    return Field(
        default, ge=1, le=MAX_PAGE_SIZE, description=f"Itens por página (até {MAX_PAGE_SIZE})."
    )
