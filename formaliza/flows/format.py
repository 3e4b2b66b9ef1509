"""The flow definition format, version 1 ("formaliza.flow/1").

A flow is a JSON object:

    {
      "format": "formaliza.flow/1",
      "key": "formalizacao",                  # slug, unique per tenant
      "name": "Assistente de formalização",
      "description": "",
      "start": "boas_vindas",                 # id of the first card
      "variables": [{"name": "cpf", "default": ""}],
      "cards": [
        {
          "id": "boas_vindas",                # unique in the flow: [a-z0-9_-], at most 64
          "type": "message",                  # a registered card type (cards/registry.py)
          "label": "Boas-vindas",             # optional, for people
          "settings": {"text": "Olá, {{cliente}}!"},
          "next": {"next": "optin"},          # named output -> card id (null: not connected)
          "position": {"x": 0, "y": 0}        # optional, for the diagram
        }
      ]
    }

Connections live in each card's `next`: one entry per named output of the card's type (a
conditional's "true"/"false", a choice's options, "max_attempts", "failure", "timeout"...). An
output missing from `next` or set to null is not connected: reaching it ends the flow (or returns
to the calling flow). `parse` checks everything and reports each problem with the card id and
field, in pt-BR; nothing is imported unless the whole document is valid. `dump` gives the
canonical JSON that `parse` reads back to an equal document.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import Field, ValidationError

from formaliza.core.errors import ApplicationError, FieldError
from formaliza.flows.cards.registry import CARD_TYPES
from formaliza.flows.document import (
    CardDef,
    FlowDocument,
    Position,
    Variable,
    _Strict,
)

FORMAT = "formaliza.flow/1"
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
MAX_CARDS = 500
MAX_BYTES = 1_000_000  # an exported flow of MAX_CARDS cards stays well under this


class RawCard(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    type: str
    label: str = Field(default="", max_length=120)
    settings: dict[str, Any] = Field(default_factory=dict)
    next: dict[str, str | None] = Field(default_factory=dict)
    position: Position | None = None


class RawFlow(_Strict):
    format: str
    key: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    start: str
    variables: list[Variable] = Field(default_factory=list)
    cards: list[RawCard] = Field(min_length=1, max_length=MAX_CARDS)


@dataclass(frozen=True)
class Problem:
    card: str  # card id, or "" for the flow itself
    field: str  # dotted path inside the card (or the flow), e.g. "settings.options.0.title"
    message: str  # pt-BR

    def as_dict(self) -> dict[str, str]:
        return {"card": self.card, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = f"card '{self.card}'" if self.card else "fluxo"
        return (
            f"{where}, campo '{self.field}': {self.message}"
            if self.field
            else f"{where}: {self.message}"
        )


class FlowFormatError(ApplicationError):
    """The document has problems and nothing was imported: `problems` lists each one (card,
    field, pt-BR message). Answered as 422 `flow_invalid`, with the problems as field errors
    and as `problems` in the body."""

    def __init__(self, problems: list[Problem], message: str | None = None):
        super().__init__(
            code="flow_invalid",
            message=message
            or "O fluxo tem problemas e nada foi importado. Corrija-os e tente de novo.",
            status=422,
            fields=[
                FieldError(
                    field=".".join(part for part in (p.card, p.field) if part) or "arquivo",
                    code="invalid",
                    message=p.message,
                )
                for p in problems
            ],
            extra={"problems": [p.as_dict() for p in problems]},
        )
        self.problems = problems

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems)


# pydantic error types -> pt-BR. Unlisted types fall back to a generic sentence with pydantic's
# own context, never to English text.
_MESSAGES = {
    "missing": "campo obrigatório ausente",
    "extra_forbidden": "campo desconhecido",
    "string_type": "deve ser um texto",
    "string_too_short": "texto curto demais (mínimo {min_length})",
    "string_too_long": "texto longo demais (máximo {max_length} caracteres)",
    "string_pattern_mismatch": "formato inválido",
    "int_type": "deve ser um número inteiro",
    "int_parsing": "deve ser um número inteiro",
    "float_type": "deve ser um número",
    "float_parsing": "deve ser um número",
    "bool_type": "deve ser verdadeiro ou falso",
    "bool_parsing": "deve ser verdadeiro ou falso",
    "greater_than": "deve ser maior que {gt}",
    "greater_than_equal": "deve ser no mínimo {ge}",
    "less_than": "deve ser menor que {lt}",
    "less_than_equal": "deve ser no máximo {le}",
    "too_short": "itens de menos (mínimo {min_length})",
    "too_long": "itens demais (máximo {max_length})",
    "list_type": "deve ser uma lista",
    "dict_type": "deve ser um objeto",
    "model_type": "deve ser um objeto",
    "literal_error": "valor não permitido (use {expected})",
    "enum": "valor não permitido (use {expected})",
    "url_parsing": "URL inválida",
    "url_scheme": "URL deve começar com {expected_schemes}",
    "finite_number": "deve ser um número finito",
    "none_required": "deve ser nulo",
    "union_tag_invalid": "tipo não permitido (use {expected_tags})",
    "union_tag_not_found": "campo obrigatório ausente: {discriminator}",
    "value_error": "{reason}",
    "assertion_error": "{reason}",
}


def _message(error: dict) -> str:
    ctx = dict(error.get("ctx") or {})
    if error["type"] in ("value_error", "assertion_error"):
        reason = str(ctx.get("error", error.get("msg", "")))
        ctx["reason"] = reason.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    template = _MESSAGES.get(error["type"])
    if template is None:
        return "valor inválido"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return "valor inválido"


def _dotted(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def _problems_of(exc: ValidationError, *, card: str = "", prefix: str = "") -> list[Problem]:
    problems = []
    for error in exc.errors():
        path = _dotted(error["loc"])
        problems.append(
            Problem(
                card=card,
                field=f"{prefix}{path}" if path else prefix.rstrip("."),
                message=_message(error),
            )
        )
    return problems


def _raw_problems(exc: ValidationError, data: Any) -> list[Problem]:
    """Errors of the envelope; those inside `cards[i]` are attributed to that card's id."""
    problems = []
    cards = data.get("cards") if isinstance(data, dict) else None
    for error in exc.errors():
        loc = error["loc"]
        card_id = ""
        if len(loc) >= 2 and loc[0] == "cards" and isinstance(loc[1], int):
            raw = cards[loc[1]] if isinstance(cards, list) and loc[1] < len(cards) else None
            card_id = (
                str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"#{loc[1] + 1}"
            )
            loc = loc[2:]
        problems.append(Problem(card=card_id, field=_dotted(loc), message=_message(error)))
    return problems


def parse(data: Any) -> FlowDocument:
    """Validate a decoded JSON document and build the flow, or raise FlowFormatError listing every
    problem found."""
    if not isinstance(data, dict):
        raise FlowFormatError([Problem("", "", "o arquivo deve conter um objeto JSON de fluxo")])
    if _has_nul(data):
        # PostgreSQL cannot store U+0000 in JSON; no flow needs it.
        raise FlowFormatError(
            [Problem("", "", "o arquivo contém o caractere nulo (\\u0000), que não é permitido")]
        )
    try:
        raw = RawFlow.model_validate(data)
    except ValidationError as exc:
        # Report the envelope's problems and, in the same pass, those of every card that is
        # itself well formed: one import attempt shows everything to fix.
        problems = _raw_problems(exc, data)
        problems.extend(_build_cards(_well_formed_cards(exc, data))[1])
        raise FlowFormatError(problems) from None

    problems: list[Problem] = []
    if raw.format != FORMAT:
        problems.append(Problem("", "format", f'formato não suportado: use "{FORMAT}"'))

    cards, card_problems = _build_cards(raw.cards)
    problems.extend(card_problems)

    ids = {rc.id for rc in raw.cards}
    if raw.start not in ids:
        problems.append(Problem("", "start", f'o card inicial "{raw.start}" não existe'))
    for card in cards.values():
        problems.extend(_connection_problems(raw, card, ids))

    names = [v.name for v in raw.variables]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem("", "variables", f'variável repetida: "{name}"'))

    if problems:
        raise FlowFormatError(problems)
    return FlowDocument(
        key=raw.key,
        name=raw.name,
        description=raw.description,
        start=raw.start,
        variables=tuple(raw.variables),
        cards=cards,
    )


def _has_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item, depth + 1) for item in value)
    return False


def _well_formed_cards(exc: ValidationError, data: dict) -> list[RawCard]:
    cards = data.get("cards")
    if not isinstance(cards, list) or len(cards) > MAX_CARDS:
        return []
    broken = {
        e["loc"][1]
        for e in exc.errors()
        if len(e["loc"]) >= 2 and e["loc"][0] == "cards" and isinstance(e["loc"][1], int)
    }
    good = []
    for index, item in enumerate(cards):
        if index in broken:
            continue
        try:
            good.append(RawCard.model_validate(item))
        except ValidationError:
            continue
    return good


def _build_cards(raw_cards: list[RawCard]) -> tuple[dict[str, CardDef], list[Problem]]:
    """Each card's id, type and settings; connections are checked once all ids are known."""
    cards: dict[str, CardDef] = {}
    problems: list[Problem] = []
    seen: set[str] = set()
    for rc in raw_cards:
        if rc.id in seen:
            problems.append(Problem(rc.id, "id", "id repetido: cada card precisa de um id único"))
            continue
        seen.add(rc.id)
        kind = CARD_TYPES.get(rc.type)
        if kind is None:
            problems.append(Problem(rc.id, "type", f'tipo de card desconhecido: "{rc.type}"'))
            continue
        try:
            settings = kind.Settings.model_validate(rc.settings)
        except ValidationError as exc:
            problems.extend(_problems_of(exc, card=rc.id, prefix="settings."))
            continue
        cards[rc.id] = CardDef(rc.id, rc.type, rc.label, settings, dict(rc.next), rc.position)
    return cards, problems


def _connection_problems(raw: RawFlow, card: CardDef, ids: set[str]) -> list[Problem]:
    problems = []
    kind = CARD_TYPES[card.type]
    allowed = kind.outputs(card.settings)
    for output, target in card.next.items():
        if output not in allowed:
            problems.append(
                Problem(
                    card.id,
                    f"next.{output}",
                    f"saída inexistente neste card (use: {', '.join(allowed) or 'nenhuma'})",
                )
            )
        elif target is not None and target not in ids:
            problems.append(
                Problem(card.id, f"next.{output}", f'conecta a um card que não existe: "{target}"')
            )
    if kind.start_only and not _at_start(raw, card.id):
        problems.append(Problem(card.id, "type", "este card precisa estar no início do fluxo"))
    return problems


def _at_start(raw: RawFlow, card_id: str) -> bool:
    """A start-only card must be the start card or reached from it through start-only cards
    (opt-in followed by opt-out, say), before anything talks to the client."""
    by_id = {c.id: c for c in raw.cards}
    seen = set()
    current = [raw.start]
    while current:
        nxt = []
        for cid in current:
            if cid == card_id:
                return True
            if cid in seen or cid not in by_id:
                continue
            seen.add(cid)
            rc = by_id[cid]
            kind = CARD_TYPES.get(rc.type)
            if kind is not None and kind.start_only:
                nxt.extend(t for t in rc.next.values() if t)
        current = nxt
    return False


# json's own messages -> pt-BR (the position is given apart, as line and column).
_JSON_MESSAGES = (
    ("Expecting value", "era esperado um valor"),
    ("Expecting property name", "era esperado o nome de um campo entre aspas duplas"),
    ("Expecting ',' delimiter", "era esperada uma vírgula"),
    ("Expecting ':' delimiter", "eram esperados dois-pontos"),
    ("Unterminated string", "texto sem as aspas de fechamento"),
    ("Invalid control character", "caractere de controle dentro de um texto"),
    ("Invalid \\escape", "sequência de escape inválida"),
    ("Invalid \\uXXXX escape", "sequência \\u inválida"),
    ("Extra data", "há conteúdo depois do fim do JSON"),
)


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _no_constant(name: str):
    raise ValueError(name)


def decode(text: str | bytes) -> Any:
    """Decode the JSON of a flow file, or raise FlowFormatError with a pt-BR reason (and the line
    and column of a syntax error). Limits the size; refuses NaN/Infinity and repeated keys."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise FlowFormatError(
            [Problem("", "", f"arquivo grande demais (máximo {MAX_BYTES // 1_000_000} MB)")]
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FlowFormatError(
                [Problem("", "", "o arquivo precisa estar codificado em UTF-8")]
            ) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except _DuplicateKey as exc:
        message = f'campo repetido no JSON: "{exc.key}"'
    except json.JSONDecodeError as exc:
        reason = next(
            (pt for en, pt in _JSON_MESSAGES if exc.msg.startswith(en)), "sintaxe inválida"
        )
        message = f"JSON inválido na linha {exc.lineno}, coluna {exc.colno}: {reason}"
    except ValueError as exc:
        message = f"JSON inválido: o valor {exc} não é permitido"
    except RecursionError:
        message = "JSON inválido: aninhamento profundo demais"
    raise FlowFormatError([Problem("", "", message)])


def loads(text: str | bytes) -> FlowDocument:
    return parse(decode(text))


def to_data(doc: FlowDocument) -> dict:
    """The canonical JSON-able form: what export writes and `parse` reads back as equal."""
    cards = []
    for card in doc.cards.values():
        item: dict[str, Any] = {"id": card.id, "type": card.type}
        if card.label:
            item["label"] = card.label
        item["settings"] = card.settings.model_dump(mode="json", by_alias=True)
        item["next"] = dict(card.next)
        if card.position is not None:
            item["position"] = card.position.model_dump(mode="json")
        cards.append(item)
    return {
        "format": FORMAT,
        "key": doc.key,
        "name": doc.name,
        "description": doc.description,
        "start": doc.start,
        "variables": [v.model_dump(mode="json") for v in doc.variables],
        "cards": cards,
    }


def dumps_data(data: dict) -> str:
    """The export text of a canonical document (`to_data`, or a stored version's document)."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def dumps(doc: FlowDocument) -> str:
    return dumps_data(to_data(doc))


def checksum(data: dict) -> str:
    """SHA-256 of a document, independent of key order and whitespace."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
