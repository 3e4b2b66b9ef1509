"""Index tables: the versioned data files the calculator corrects salaries with.

Format `formaliza.indices/1` (documented in docs/cases.md): one JSON file with the table's
name, version, title, whether it is synthetic, its source, and

- `months`: consecutive months from at least 06/1994, each with the end-of-month number index
  of the correction index (INPC), the contribution ceiling (teto) and the minimum wage of the
  month, and the benefit adjustment (%) decreed for that month, if any;
- `life_expectancy`: the IBGE life tables (both sexes) by the date each came into force, for
  the fator previdenciário.

`table_parse` checks a file and reports every problem as "months[12] (07/1995): ..." in pt-BR;
nothing is imported from an invalid file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property

from formaliza.core.errors import ApplicationError

FORMAT = "formaliza.indices/1"
FIRST_MONTH = dt.date(1994, 6, 1)  # the base of July 1994's correction
FACTOR_PLACES = Decimal("0.000001")


class TableInvalid(ApplicationError):
    def __init__(self, problems: list[str]):
        super().__init__(
            code="index_table_invalid",
            message="A tabela de índices tem problemas: " + "; ".join(problems[:20]),
            status=422,
            extra={"problems": problems},
        )


def month_parse(text: str) -> dt.date | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})", str(text or ""))
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return dt.date(int(match[1]), int(match[2]), 1)


def month_add(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_label(month: dt.date) -> str:
    return f"{month.month:02d}/{month.year}"


@dataclass(frozen=True)
class MonthData:
    index: Decimal
    ceiling: Decimal
    minimum_wage: Decimal
    benefit_adjustment: Decimal | None  # percent


@dataclass(frozen=True)
class IndexTableData:
    name: str
    version: str
    title: str
    synthetic: bool
    source: str
    correction_index: str
    months: dict[dt.date, MonthData]
    life_tables: tuple[tuple[dt.date, dict[int, Decimal]], ...] = field(default=())

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    @cached_property
    def last_month(self) -> dt.date:
        return max(self.months)

    def covers(self, month: dt.date) -> bool:
        return month in self.months

    def month(self, month: dt.date) -> MonthData:
        return self.months[month]

    def factor(self, month: dt.date, dib: dt.date) -> Decimal:
        """Correction of a competência up to the month before the DIB: the index accumulated
        over the competência and every month after it until then."""
        last = month_add(dib.replace(day=1), -1)
        if month > last:
            return Decimal("1")
        ratio = self.months[last].index / self.months[month_add(month, -1)].index
        return ratio.quantize(FACTOR_PLACES, ROUND_HALF_UP)

    def life_expectancy(self, *, age: int, at: dt.date) -> Decimal | None:
        table = None
        for valid_from, ages in self.life_tables:
            if valid_from <= at:
                table = ages
        return None if table is None else table.get(age)


def _decimal(value, *, positive: bool = True) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or (positive and number <= 0):
        return None
    return number


def _months(rows, problems: list[str]) -> dict[dt.date, MonthData]:
    months: dict[dt.date, MonthData] = {}
    expected = None
    for i, row in enumerate(rows if isinstance(rows, list) else []):
        row = row if isinstance(row, dict) else {}
        month = month_parse(row.get("month", ""))
        where = f"months[{i}]" + (f" ({month_label(month)})" if month else "")
        if month is None:
            problems.append(f"{where}: mês ausente ou inválido (use AAAA-MM)")
            continue
        if expected is not None and month != expected:
            problems.append(
                f"{where}: esperado {month_label(expected)} (os meses são consecutivos)"
            )
        expected = month_add(month, 1)
        values = {key: _decimal(row.get(key)) for key in ("index", "ceiling", "minimum_wage")}
        for key, value in values.items():
            if value is None:
                problems.append(f"{where}: campo “{key}” ausente ou não positivo")
        adjustment = row.get("benefit_adjustment")
        if adjustment not in (None, "") and _decimal(adjustment, positive=False) is None:
            problems.append(f"{where}: “benefit_adjustment” não é um percentual")
        if None not in values.values():
            months[month] = MonthData(
                index=values["index"], ceiling=values["ceiling"],
                minimum_wage=values["minimum_wage"],
                benefit_adjustment=None if adjustment in (None, "") else Decimal(str(adjustment)),
            )  # fmt: skip
    if not months:
        problems.append("months: nenhum mês válido")
    elif min(months) > FIRST_MONTH:
        problems.append("months: a tabela deve começar em 1994-06 (base da correção de 07/1994)")
    return months


def _life_tables(rows, problems: list[str]) -> tuple:
    tables = []
    for i, row in enumerate(rows if isinstance(rows, list) else []):
        valid_from = None
        try:
            valid_from = dt.date.fromisoformat(str(row.get("valid_from", "")))
        except (ValueError, AttributeError):
            problems.append(f"life_expectancy[{i}]: “valid_from” inválido (use AAAA-MM-DD)")
            continue
        ages = {}
        for age, years in (row.get("ages") or {}).items():
            value = _decimal(years)
            if not str(age).isdigit() or value is None:
                problems.append(f"life_expectancy[{i}]: idade {age} com expectativa inválida")
                continue
            ages[int(age)] = value
        tables.append((valid_from, ages))
    return tuple(sorted(tables, key=lambda item: item[0]))


def table_parse(raw: bytes) -> tuple[IndexTableData, str]:
    """The table in a file, and the file's SHA-256; TableInvalid lists every problem."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TableInvalid([f"o arquivo não é um JSON válido ({exc})"]) from exc
    if not isinstance(data, dict):
        raise TableInvalid(["o arquivo deve conter um objeto JSON"])
    problems: list[str] = []
    if data.get("format") != FORMAT:
        problems.append(f"“format” deve ser “{FORMAT}”")
    for key in ("name", "version", "title", "source"):
        if not str(data.get(key) or "").strip():
            problems.append(f"“{key}” é obrigatório")
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,59}", str(data.get("name") or "")):
        problems.append("“name” deve ter só letras minúsculas, números, ponto, hífen e sublinhado")
    if not isinstance(data.get("synthetic"), bool):
        problems.append("“synthetic” deve ser true ou false")
    months = _months(data.get("months"), problems)
    life_tables = _life_tables(data.get("life_expectancy"), problems)
    if problems:
        raise TableInvalid(problems)
    table = IndexTableData(
        name=data["name"], version=str(data["version"]), title=data["title"],
        synthetic=data["synthetic"], source=data["source"],
        correction_index=str(data.get("correction_index") or "INPC"), months=months,
        life_tables=life_tables,
    )  # fmt: skip
    return table, hashlib.sha256(raw).hexdigest()
