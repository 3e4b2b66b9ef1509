"""Helpers for tests of flows and cards: build documents tersely and run the pure engine over an
in-memory program."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from formaliza.flows import engine
from formaliza.flows.cards.registry import CardType, card_type
from formaliza.flows.document import FlowDocument
from formaliza.flows.format import FORMAT, parse

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def card(id: str, type: str, next: dict | str | None = None, **settings) -> dict:
    """`next` as a string connects the "next" output."""
    if isinstance(next, str):
        next = {"next": next}
    return {"id": id, "type": type, "settings": settings, "next": next or {}}


def flow(*cards: dict, key: str = "teste", start: str | None = None, variables=()) -> dict:
    return {
        "format": FORMAT,
        "key": key,
        "name": f"Fluxo {key}",
        "description": "",
        "start": start or cards[0]["id"],
        "variables": [{"name": v, "default": ""} for v in variables],
        "cards": list(cards),
    }


@dataclass
class MemoryProgram:
    """Published versions kept in memory: {key: [doc v1, doc v2, ...]}."""

    versions: dict[str, list[FlowDocument]] = field(default_factory=dict)

    def publish(self, data: dict) -> int:
        doc = parse(data)
        self.versions.setdefault(doc.key, []).append(doc)
        return len(self.versions[doc.key])

    def document(self, key: str, version: int) -> FlowDocument:
        return self.versions[key][version - 1]

    def card_type(self, name: str) -> CardType:
        return card_type(name)

    def latest(self, key: str):
        docs = self.versions.get(key)
        return (docs[-1], len(docs)) if docs else None


def facts(**overrides) -> engine.Facts:
    base = {
        "now": dt.datetime(2026, 11, 23, 10, 0, tzinfo=SAO_PAULO),
        "protocol": "20261123000001",
        "whatsapp_name": "Maria",
        "client_name": "Maria da Silva",
        "phone": "+5511987654321",
        "company_name": "Promotora Exemplo",
        "channel": "whatsapp",
        "provider": "fake",
        "origin": "client",
    }
    base.update(overrides)
    return engine.Facts(**base)


class Runner:
    """Drive one run through the pure engine, collecting the actions."""

    def __init__(self, data: dict, *others: dict, facts_: engine.Facts | None = None, **variables):
        self.program = MemoryProgram()
        for other in others:
            self.program.publish(other)
        self.version = self.program.publish(data)
        self.key = data["key"]
        self.facts = facts_ or facts()
        result = engine.start(self.program, self.key, self.version, self.facts, variables)
        self.state = result.state
        self.actions = list(result.actions)

    def send(self, event: engine.Event) -> engine.StepResult:
        result = engine.step(self.program, self.state, event, self.facts)
        self.state = result.state
        self.actions.extend(result.actions)
        return result

    def text(self, text: str = "", **kw) -> engine.StepResult:
        return self.send(engine.Event(kind="message", text=text, **kw))

    def choose(self, choice: str, text: str = "") -> engine.StepResult:
        return self.send(engine.Event(kind="message", choice=choice, text=text or choice))

    def timer(self, token: str | None = None) -> engine.StepResult:
        return self.send(engine.Event(kind="timer", token=token or self.state.wait.token))

    def result(self, data: dict, token: str | None = None) -> engine.StepResult:
        return self.send(
            engine.Event(kind="result", token=token or self.state.wait.token, data=data)
        )

    def of(self, kind: str) -> list:
        return [a for a in self.actions if a.kind == kind]

    def texts(self) -> list[str]:
        return [a.text for a in self.actions if a.kind in ("send_text", "send_choices")]
