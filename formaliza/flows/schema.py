"""The published JSON Schema of the flow format, generated from the pydantic models of the
envelope and from the card registry (one entry per card type, told apart by `type`).

`python manage.py flows_schema` writes it to `formaliza/flows/schema/formaliza.flow-1.schema.json`;
`--check` fails when the committed file is out of date (a card type was added or changed). The
schema documents the format for other tools and editors; `format.parse` stays the authority (it
also checks what a schema cannot: connections to existing cards, start-only cards, repeated ids).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from formaliza.flows.cards.registry import CARD_TYPES, CardType
from formaliza.flows.document import Position, Variable
from formaliza.flows.format import FORMAT, ID_PATTERN, MAX_CARDS

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "formaliza.flow-1.schema.json"
_GROUPS = {"interaction": "interação", "system": "sistema"}


def _lift(schema: dict, prefix: str, defs: dict) -> dict:
    """Move a model schema's own `$defs` into the shared ones under `prefix`."""
    for name, sub in schema.pop("$defs", {}).items():
        defs[f"{prefix}{name}"] = sub
    return schema


def _model(model, prefix: str, defs: dict) -> dict:
    return _lift(
        model.model_json_schema(by_alias=True, ref_template=f"#/$defs/{prefix}{{model}}"),
        prefix,
        defs,
    )


def published_types() -> dict[str, CardType]:
    """The card types the product ships (defined under `formaliza.flows.cards`); a card type a
    test registers for its own use never reaches the published schema."""
    return {
        name: kind
        for name, kind in CARD_TYPES.items()
        if type(kind).__module__.startswith("formaliza.flows.cards.")
    }


def has_dynamic_outputs(kind: CardType) -> bool:
    return type(kind).outputs is not CardType.outputs


def _next_schema(kind: CardType) -> dict:
    target = {"type": ["string", "null"], "pattern": ID_PATTERN}
    if has_dynamic_outputs(kind):
        return {
            "type": "object",
            "description": "saídas definidas pelas configurações do card (ex.: uma por opção)"
            + (f"; sempre: {', '.join(kind.fixed_outputs)}" if kind.fixed_outputs else ""),
            "additionalProperties": target,
        }
    return {
        "type": "object",
        "properties": dict.fromkeys(kind.fixed_outputs, target),
        "additionalProperties": False,
    }


def _card_schema(kind: CardType, defs: dict) -> dict:
    settings_name = f"settings.{kind.type}"
    defs[settings_name] = _model(kind.Settings, f"{kind.type}.", defs)
    return {
        "title": kind.label,
        "description": f"Card “{kind.label}” ({_GROUPS.get(kind.group, kind.group)}).",
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": ID_PATTERN},
            "type": {"const": kind.type},
            "label": {"type": "string", "maxLength": 120},
            "settings": {"$ref": f"#/$defs/{settings_name}"},
            "next": _next_schema(kind),
            "position": {"$ref": "#/$defs/Position"},
        },
        "required": ["id", "type"],
        "additionalProperties": False,
        "x-group": kind.group,
        "x-outputs": list(kind.fixed_outputs),
        "x-dynamic-outputs": has_dynamic_outputs(kind),
        "x-optional-outputs": list(kind.optional_outputs),
        "x-start-only": kind.start_only,
        "x-can-wait": kind.can_wait,
    }


def generate() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    defs["Position"] = _model(Position, "", defs)
    defs["Variable"] = _model(Variable, "", defs)
    cards = []
    shipped = published_types()
    for name in sorted(shipped):
        defs[f"card.{name}"] = _card_schema(shipped[name], defs)
        cards.append({"$ref": f"#/$defs/card.{name}"})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Fluxo Formaliza (formaliza.flow/1)",
        "description": "Formato de importação e exportação de fluxos. Gerado por "
        "`python manage.py flows_schema`; não edite à mão.",
        "type": "object",
        "properties": {
            "format": {"const": FORMAT},
            "key": {"type": "string", "pattern": ID_PATTERN},
            "name": {"type": "string", "minLength": 1, "maxLength": 120},
            "description": {"type": "string", "maxLength": 2000},
            "start": {"type": "string"},
            "variables": {"type": "array", "items": {"$ref": "#/$defs/Variable"}},
            "cards": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_CARDS,
                "items": {"oneOf": cards},
            },
        },
        "required": ["format", "key", "name", "start", "cards"],
        "additionalProperties": False,
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    return json.dumps(generate(), ensure_ascii=False, indent=2) + "\n"


def write(path: Path = SCHEMA_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path
