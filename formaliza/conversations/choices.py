"""Offering choices within WhatsApp's limits, and reading the client's answer back.

1-3 options with short titles become reply buttons; up to 10 a list; more, pages of a list with a
"Mais opções" row; titles too long for either (or channels without interactive messages) become
numbered text. Whatever was shown, `choice_resolve` maps the answer (a tap, a typed number or a
typed title) to the option id the caller gave.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from formaliza.conversations.content import Choice, Interactive, NumberedChoices
from formaliza.conversations.errors import InvalidContent

BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
LIST_ROWS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
LIST_BUTTON_MAX = 20
INTERACTIVE_BODY_MAX = 1024
HEADER_MAX = 60
FOOTER_MAX = 60
TEXT_BODY_MAX = 4096
MORE_PREFIX = "fz:more:"
MORE_TITLE = "Mais opções ▸"
DEFAULT_LIST_BUTTON = "Ver opções"
NUMBERED_HINT = "Responda com o número da opção."


def _fold(text: str) -> str:
    """Case- and accent-insensitive form, so 'Não' typed as 'nao' still matches."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def choices_normalize(items: Iterable[Choice | tuple | dict]) -> list[Choice]:
    """Accept Choice, (id, title[, description]) or {"id", "title"[, "description"]}; check
    ids and titles are present and unique (titles compared without case or accents)."""
    result: list[Choice] = []
    for item in items:
        if isinstance(item, Choice):
            choice = item
        elif isinstance(item, dict):
            choice = Choice(str(item["id"]), str(item["title"]), str(item.get("description", "")))
        else:
            choice = Choice(*[str(part) for part in item])
        result.append(Choice(choice.id.strip(), choice.title.strip(), choice.description.strip()))
    if not result:
        raise InvalidContent("Informe ao menos uma opção.", code="choices_empty", field="choices")
    ids = [c.id for c in result]
    if any(not i for i in ids) or any(len(i) > ROW_ID_MAX for i in ids):
        raise InvalidContent(
            f"Cada opção precisa de um identificador de 1 a {ROW_ID_MAX} caracteres.",
            code="choice_id_invalid",
            field="choices",
        )
    if any(i.startswith(MORE_PREFIX) for i in ids):
        raise InvalidContent(
            f"Identificadores começando com “{MORE_PREFIX}” são reservados.",
            code="choice_id_reserved",
            field="choices",
        )
    if len(set(ids)) != len(ids):
        raise InvalidContent(
            "Há opções com o mesmo identificador.", code="choice_id_duplicate", field="choices"
        )
    titles = [_fold(c.title) for c in result]
    if any(not t for t in titles):
        raise InvalidContent("Toda opção precisa de um título.", code="choice_title_empty")
    if len(set(titles)) != len(titles):
        raise InvalidContent(
            "Os títulos das opções precisam ser diferentes entre si.",
            code="choice_title_duplicate",
            field="choices",
        )
    return result


def _check_texts(body: str, header: str, footer: str, button: str) -> None:
    if not body.strip():
        raise InvalidContent("O texto da pergunta é obrigatório.", code="body_empty", field="body")
    if len(body) > INTERACTIVE_BODY_MAX:
        raise InvalidContent(
            f"O texto da pergunta tem {len(body)} caracteres; o máximo é {INTERACTIVE_BODY_MAX}.",
            code="body_too_long",
            field="body",
        )
    for value, limit, name, label in (
        (header, HEADER_MAX, "header", "O cabeçalho"),
        (footer, FOOTER_MAX, "footer", "O rodapé"),
        (button, LIST_BUTTON_MAX, "button", "O rótulo do botão da lista"),
    ):
        if len(value) > limit:
            raise InvalidContent(
                f"{label} tem {len(value)} caracteres; o máximo é {limit}.",
                code=f"{name}_too_long",
                field=name,
            )


def _pages(choices: Sequence[Choice]) -> list[list[Choice]]:
    """Split into list pages: 10 rows at most, the last row of a non-final page being 'more'."""
    pages, rest = [], list(choices)
    while len(rest) > LIST_ROWS_MAX:
        pages.append(rest[: LIST_ROWS_MAX - 1])
        rest = rest[LIST_ROWS_MAX - 1 :]
    pages.append(rest)
    return pages


def choices_render(
    *,
    body: str,
    choices: Sequence[Choice],
    interactive: bool = True,
    header: str = "",
    footer: str = "",
    button: str = "",
    mode: str = "auto",
    page: int = 1,
) -> Interactive | NumberedChoices:
    """The content that offers `choices` (page `page` when they are paged)."""
    if mode not in ("auto", "buttons", "list", "text"):
        raise InvalidContent(f"Modo de opções desconhecido: {mode}.", code="choices_mode")
    button = button or DEFAULT_LIST_BUTTON
    _check_texts(body, header, footer, button)
    longest = max(len(c.title) for c in choices)
    has_descriptions = any(c.description for c in choices)
    too_long_desc = any(len(c.description) > ROW_DESCRIPTION_MAX for c in choices)
    fits_buttons = len(choices) <= BUTTONS_MAX and longest <= BUTTON_TITLE_MAX
    fits_rows = longest <= ROW_TITLE_MAX and not too_long_desc
    if mode == "buttons" and not (fits_buttons and not has_descriptions):
        raise InvalidContent(
            f"Botões aceitam de 1 a {BUTTONS_MAX} opções com até {BUTTON_TITLE_MAX} caracteres "
            "e sem descrição.",
            code="buttons_limit",
            field="choices",
        )
    if mode == "list" and not fits_rows:
        raise InvalidContent(
            f"Em listas, o título vai até {ROW_TITLE_MAX} caracteres e a descrição até "
            f"{ROW_DESCRIPTION_MAX}.",
            code="list_limit",
            field="choices",
        )
    if mode == "text" or not interactive or (mode == "auto" and not fits_rows):
        return _numbered(body, header, footer, choices)
    if mode in ("auto", "buttons") and fits_buttons and not has_descriptions:
        return Interactive(
            style="button", body=body, choices=list(choices), rows=list(choices),
            header=header, footer=footer,
        )  # fmt: skip
    pages = _pages(choices)
    page = min(max(page, 1), len(pages))
    rows = list(pages[page - 1])
    if page < len(pages):
        rows.append(Choice(f"{MORE_PREFIX}{page + 1}", MORE_TITLE, f"Página {page + 1}"))
    return Interactive(
        style="list", body=body, choices=list(choices), rows=rows, header=header,
        footer=footer, button=button, page=page, pages=len(pages),
    )  # fmt: skip


def _numbered(body: str, header: str, footer: str, choices: Sequence[Choice]) -> NumberedChoices:
    lines = [header.strip(), body.strip(), ""] if header.strip() else [body.strip(), ""]
    for n, choice in enumerate(choices, start=1):
        detail = f" — {choice.description}" if choice.description else ""
        lines.append(f"{n} - {choice.title}{detail}")
    lines += ["", NUMBERED_HINT]
    if footer.strip():
        lines.append(footer.strip())
    text = "\n".join(lines)
    if len(text) > TEXT_BODY_MAX:
        raise InvalidContent(
            f"As opções em texto somam {len(text)} caracteres; o máximo é {TEXT_BODY_MAX}.",
            code="body_too_long",
            field="choices",
        )
    return NumberedChoices(body=text, choices=list(choices))


_NUMBER = re.compile(r"^\s*(?:op[cç][aã]o\s*)?(\d{1,3})\s*[).:-]?\s*$", re.IGNORECASE)


def choice_resolve(*, answer: str, choices: Sequence[Choice], numbered: bool) -> str:
    """The id of the option a typed answer picks, or "" when it picks none. Numbers count only
    when the options were shown numbered; a title counts anywhere."""
    if numbered:
        match = _NUMBER.match(answer or "")
        if match:
            n = int(match.group(1))
            if 1 <= n <= len(choices):
                return choices[n - 1].id
    folded = _fold(answer or "")
    for choice in choices:
        if folded and folded == _fold(choice.title):
            return choice.id
    return ""


def more_page_requested(choice_id: str) -> int | None:
    """The page a 'Mais opções' row asks for, or None for a real option."""
    if choice_id.startswith(MORE_PREFIX):
        try:
            return int(choice_id[len(MORE_PREFIX) :])
        except ValueError:
            return None
    return None


def content_text(content: Interactive | NumberedChoices) -> str:
    """How an offer of choices reads in the history."""
    if isinstance(content, NumberedChoices):
        return content.body
    options = " · ".join(c.title for c in content.rows)
    return f"{content.body}\n[{options}]"
