"""System cards that route and count: tag, condition (answer, business hours, shift, channel,
variable...) and the two-path metric."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from formaliza.flows import actions
from formaliza.flows.cards.registry import CardType, register
from formaliza.flows.cards.system.common import (
    OPTIONAL_VARIABLE,
    SHIFTS,
    shift_of,
    typed_number,
    within_business_hours,
)
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import Ignore, Next, Wait
from formaliza.flows.intent import fold

# --- tag ------------------------------------------------------------------------------------


@register
class Tag(CardType):
    """Add tags (etiquetas) to the conversation; already present ones are kept once."""

    type = "tag"
    group = "system"
    label = "Etiqueta"

    class Settings(CardSettings):
        tags: list[str] = Field(min_length=1, max_length=10)

        @field_validator("tags")
        @classmethod
        def _clean(cls, value):
            cleaned = [t.strip() for t in value]
            if any(not t or len(t) > 40 for t in cleaned):
                raise ValueError("cada etiqueta deve ter de 1 a 40 caracteres")
            return cleaned

    def enter(self, ctx, card):
        tags = list(card.settings.tags)
        ctx.emit(actions.Effect(name="tag", payload={"tags": tags}))
        # Remembered for a tag conditional later in the same run (facts were read at the start).
        seen = list(ctx.vars.get("_tags", []))
        ctx.set_var("_tags", seen + [t for t in tags if t not in seen])
        return Next()


# --- condition ------------------------------------------------------------------------------

ConditionKind = Literal[
    "answer",
    "business_hours",
    "shift",
    "channel",
    "variable",
    "registration_type",
    "origin",
    "branch",
    "tag",
]
Operator = Literal["equals", "not_equals", "contains", "gt", "lt", "regex", "empty", "not_empty"]
_LIST_KINDS = {"shift", "channel", "registration_type", "origin", "branch", "tag"}
_ALLOWED = {
    "shift": set(SHIFTS),
    "channel": {"whatsapp", "sms", "email"},
    "registration_type": {"person", "company", "unknown"},
    "origin": {"client", "business"},
}


@register
class Condition(CardType):
    """Branch on one rule; outputs `true` and `false`. `values` is a list: the rule holds when
    any of them matches (shift, channel, registration type, origin, branch, tag, answer)."""

    type = "condition"
    group = "system"
    label = "Condicional"
    fixed_outputs = ("true", "false")
    can_wait: ClassVar[bool] = True  # kind "answer" with a question waits for the reply

    class Settings(CardSettings):
        kind: ConditionKind
        values: list[str] = Field(default_factory=list, max_length=50)
        variable: str = Field(default="", pattern=OPTIONAL_VARIABLE)
        operator: Operator = "equals"
        value: str = Field(default="", max_length=500)
        question: str = Field(default="", max_length=1024)  # kind "answer": ask first

        @model_validator(mode="after")
        def _coherent(self):
            if self.kind in _LIST_KINDS and not self.values:
                raise ValueError("informe ao menos um valor para comparar")
            allowed = _ALLOWED.get(self.kind)
            if allowed and (bad := [v for v in self.values if v not in allowed]):
                raise ValueError(
                    f"valor não permitido: {', '.join(bad)} (use {', '.join(sorted(allowed))})"
                )
            if self.kind == "answer" and not self.values:
                raise ValueError("informe as respostas que levam à saída verdadeira")
            if self.kind == "variable":
                if not self.variable:
                    raise ValueError("informe a variável a comparar")
                if self.operator in ("gt", "lt") and typed_number(self.value) is None:
                    raise ValueError("para maior/menor que, o valor precisa ser um número")
                if self.operator == "regex":
                    try:
                        re.compile(self.value)
                    except re.error as exc:
                        raise ValueError(f"expressão regular inválida: {exc}") from None
            return self

    def enter(self, ctx, card):
        s = card.settings
        if s.kind == "answer" and s.question.strip():
            ctx.emit(actions.SendText(text=ctx.render(s.question)))
            return Wait()
        return Next("true" if self.holds(ctx, s) else "false")

    def resume(self, ctx, card, event):
        if event.kind != "message":
            return Ignore()
        s = card.settings
        answer = event.choice or event.text
        if s.variable:
            ctx.set_var(s.variable, answer)
        return Next("true" if self._answer_matches(answer, s.values) else "false")

    @staticmethod
    def _answer_matches(answer, values) -> bool:
        folded = fold(str(answer or ""))
        return any(folded == fold(v) for v in values)

    def holds(self, ctx, s) -> bool:
        f = ctx.facts
        if s.kind == "answer":
            return self._answer_matches(ctx.lookup(s.variable or "resposta"), s.values)
        if s.kind == "business_hours":
            return within_business_hours(f.now, f.business_hours)
        if s.kind == "shift":
            return shift_of(f.now) in s.values
        if s.kind == "channel":
            return f.channel in s.values
        if s.kind == "origin":
            return f.origin in s.values
        if s.kind == "registration_type":
            kind = ctx.vars.get("tipo_cadastro") or f.registration_type or "unknown"
            return kind in s.values
        if s.kind == "branch":
            return fold(f.branch) in {fold(v) for v in s.values} if f.branch else False
        if s.kind == "tag":
            have = {fold(t) for t in f.tags} | {fold(t) for t in ctx.vars.get("_tags", [])}
            return any(fold(v) in have for v in s.values)
        return self._variable(ctx.lookup(s.variable), s.operator, s.value)

    @staticmethod
    def _variable(current, operator: str, value: str) -> bool:
        text = "" if current is None else str(current)
        if operator == "empty":
            return not text.strip()
        if operator == "not_empty":
            return bool(text.strip())
        if operator == "equals":
            return fold(text) == fold(value)
        if operator == "not_equals":
            return fold(text) != fold(value)
        if operator == "contains":
            return fold(value) in fold(text)
        if operator == "regex":
            return re.search(value, text) is not None
        left, right = typed_number(current), typed_number(value)
        if left is None or right is None:
            return False
        return left > right if operator == "gt" else left < right


# --- metric -------------------------------------------------------------------------------


@register
class Metric(CardType):
    """Two paths with counts: asks a yes/no question (two buttons); the answer takes
    `positive` or `negative` and adds one to that path's count (report in the back office).
    An answer that is neither button is asked again up to 3 times, then counts as negative."""

    type = "metric"
    group = "system"
    label = "Métrica"
    fixed_outputs = ("positive", "negative")
    can_wait: ClassVar[bool] = True
    MAX_ASKS: ClassVar[int] = 3

    class Settings(CardSettings):
        text: str = Field(min_length=1, max_length=1024)
        positive_label: str = Field(default="Sim", min_length=1, max_length=20)
        negative_label: str = Field(default="Não", min_length=1, max_length=20)

    def _ask(self, ctx, card, text):
        s = card.settings
        options = (
            actions.Option(id="positive", title=s.positive_label),
            actions.Option(id="negative", title=s.negative_label),
        )
        ctx.emit(actions.SendChoices(text=ctx.render(text), options=options))

    def enter(self, ctx, card):
        self._ask(ctx, card, card.settings.text)
        return Wait(data={"asks": 1})

    def _count(self, ctx, card, path):
        ctx.emit(
            actions.Effect(
                name="metric", payload={"flow": ctx.state.flow, "card": card.id, "path": path}
            )
        )
        return Next(path)

    def resume(self, ctx, card, event):
        if event.kind != "message":
            return Ignore()
        s = card.settings
        answer = fold(event.choice or event.text)
        if answer in ("positive", fold(s.positive_label), "1"):
            return self._count(ctx, card, "positive")
        if answer in ("negative", fold(s.negative_label), "2"):
            return self._count(ctx, card, "negative")
        asks = int(ctx.wait_data.get("asks", 1))
        if asks >= self.MAX_ASKS:
            return self._count(ctx, card, "negative")
        self._ask(ctx, card, s.text)
        return Wait(data={"asks": asks + 1})
