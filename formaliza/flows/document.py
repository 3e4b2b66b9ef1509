"""A flow as the engine runs it: the value types `format.parse` builds from a valid document
(cards with their validated settings and connections, variables, positions for the diagram).
Plain data, with no parsing and no card behaviour, so that the engine, the cards and the parser
can all use it and none of them needs another."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

VARIABLE_PATTERN = r"^[a-z_][a-z0-9_]{0,39}$"


class CardSettings(BaseModel):
    """Base of every card's settings: unknown fields are an import error, not silently kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoSettings(CardSettings):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Position(_Strict):
    x: float = Field(default=0, allow_inf_nan=False)
    y: float = Field(default=0, allow_inf_nan=False)


class Variable(_Strict):
    name: str = Field(pattern=VARIABLE_PATTERN)
    default: str | int | float | bool | None = ""
    description: str = Field(default="", max_length=500)

    @field_validator("default")
    @classmethod
    def _finite(cls, value):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("o valor padrão precisa ser um número finito")
        return value


@dataclass(frozen=True)
class CardDef:
    id: str
    type: str
    label: str
    settings: CardSettings
    next: dict[str, str | None]
    position: Position | None = None

    def target(self, output: str) -> str | None:
        return self.next.get(output)


@dataclass(frozen=True)
class FlowDocument:
    key: str
    name: str
    description: str
    start: str
    variables: tuple[Variable, ...]
    cards: dict[str, CardDef]  # in document order

    def card(self, card_id: str) -> CardDef:
        return self.cards[card_id]
