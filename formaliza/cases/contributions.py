"""The client's contribution history, typed, pasted or imported from a CNIS-like CSV.

One competência per line: `MM/AAAA;valor` (also `AAAA-MM`, tab or spaces instead of `;`, values
as `1.234,56`, `1234,56`, `1234.56` or `R$ 1.234,56`), optionally a third column with the
employer (origem). A first line without a competência is a header (`competencia;remuneracao;
origem`). Several lines for the same month (two jobs at once) are added up — the ceiling of the
month is applied later, to the sum. Every bad line is reported by its number, in pt-BR; nothing
is accepted from a text with errors. The format is documented in docs/cases.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass

from formaliza.cases.calculation.ports import Contribution
from formaliza.core import br
from formaliza.core.errors import FieldError, ValidationFailed

MAX_LINES = 1200
MAX_BYTES = 256 * 1024
EARLIEST = dt.date(1940, 1, 1)


@dataclass(frozen=True)
class ParsedHistory:
    contributions: tuple[Contribution, ...]
    notices: tuple[str, ...]


def _month(text: str) -> dt.date | None:
    text = text.strip()
    if match := re.fullmatch(r"(\d{1,2})/(\d{4})", text):
        month, year = int(match[1]), int(match[2])
    elif match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(match[1]), int(match[2])
    else:
        return None
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, 1)


def _split(line: str) -> list[str]:
    if ";" in line or "\t" in line:
        return next(csv.reader([line], delimiter=";" if ";" in line else "\t"))
    # Pasted text: "07/1994   1.234,56   Empresa" (or "07/1994 R$ 1.234,56").
    parts = line.replace("R$ ", "R$").split(None, 2)
    return [part.replace("R$", "") if i == 1 else part for i, part in enumerate(parts)]


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and _month(cells[0]) is None and not re.search(r"\d", cells[0])


def history_parse(text: str, *, today: dt.date, field: str = "contributions") -> ParsedHistory:
    """Parse the lines; ValidationFailed lists every bad line."""
    if len(text.encode()) > MAX_BYTES:
        raise ValidationFailed([FieldError(field, "too_large", "O histórico passa de 256 KB.")])
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise ValidationFailed([FieldError(
            field, "too_many_lines", f"O histórico tem {len(lines)} linhas; o máximo é {MAX_LINES}.")])  # fmt: skip
    problems, sums, seen = [], {}, {}
    notices = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        cells = [c.strip() for c in _split(line)]
        if number == 1 and _is_header(cells):
            continue
        problem = _line_problem(cells, today)
        if problem:
            problems.append(FieldError(field, "invalid_line", f"Linha {number}: {problem}"))
            continue
        month, amount = _month(cells[0]), br.money_parse(cells[1])
        if month in sums:
            notices.append(
                f"Linha {number}: {cells[0]} repete a linha {seen[month]}; os valores foram somados (atividades concomitantes)."
            )
        sums[month] = sums.get(month, 0) + amount
        seen.setdefault(month, number)
    if problems:
        raise ValidationFailed(
            problems, message="Há linhas inválidas no histórico de contribuições."
        )
    if not sums:
        raise ValidationFailed([FieldError(field, "empty", "Informe ao menos um salário de contribuição.")])  # fmt: skip
    contributions = tuple(Contribution(month, amount) for month, amount in sorted(sums.items()))
    return ParsedHistory(contributions, tuple(notices))


def _line_problem(cells: list[str], today: dt.date) -> str:
    if len(cells) < 2 or not cells[1]:
        return "informe a competência e o valor (ex.: 07/1994;1.234,56)."
    month = _month(cells[0])
    if month is None:
        return f"competência “{cells[0]}” inválida (use MM/AAAA)."
    if month < EARLIEST or month > today.replace(day=1):
        return f"competência {cells[0]} fora do período possível."
    amount = br.money_parse(cells[1])
    if amount is None:
        return f"valor “{cells[1]}” não é um valor em reais (ex.: 1.234,56)."
    if amount <= 0:
        return f"valor {cells[1]} deve ser maior que zero."
    return ""


def history_format(contributions) -> str:
    """The lines back, as `MM/AAAA;1.234,56` (to show a draft's history in its form)."""
    return "\n".join(
        f"{c.month.month:02d}/{c.month.year};{br.money_format(c.amount).replace('R$ ', '')}"
        for c in contributions
    )
