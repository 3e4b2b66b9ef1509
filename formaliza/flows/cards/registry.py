"""The card registry: what a card type is to the format (its settings model and named outputs)
and to the engine (what it does when entered and when an event reaches it while it waits).

A card type is a subclass of `CardType` decorated with `@register`:

    @register
    class SendMessage(CardType):
        type = "message"
        group = "interaction"
        label = "Enviar mensagem"

        class Settings(CardSettings):
            text: str

        def enter(self, ctx, card):
            ctx.emit(actions.SendText(text=ctx.render(card.settings.text)))
            return Next()

The engine knows card types only through its `Program` (the runtime's and the tests' programs
look them up here), so this registry sits above the engine and imports it, never the reverse.

Handlers are pure: they read `ctx` (state, variables, facts given by the service) and return an
outcome, emitting actions on the way. They never touch the database, the clock or the network;
what needs the world is asked for with an `actions.Effect` whose result comes back as an event.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Literal

from formaliza.flows.document import CardDef, CardSettings, NoSettings
from formaliza.flows.engine import Context, Event, Ignore, Outcome


class CardType(ABC):
    type: ClassVar[str]
    group: ClassVar[Literal["interaction", "system"]]
    label: ClassVar[str]  # pt-BR name shown in the back office
    Settings: ClassVar[type[CardSettings]] = NoSettings
    # Named outputs every card of this type has ("next" for a plain sequence). Types whose
    # outputs depend on their settings (a choice has one per option) override `outputs`.
    fixed_outputs: ClassVar[tuple[str, ...]] = ("next",)
    # Outputs that may be left unconnected without a warning (e.g. "timeout" when no timeout).
    optional_outputs: ClassVar[tuple[str, ...]] = ()
    # Must sit at the start of the flow (opt-in/opt-out).
    start_only: ClassVar[bool] = False
    # Can stop and wait for the client or a timer (a question, a delay). A loop of cards none of
    # which can wait would spin without input: the diagnostics warn about it.
    can_wait: ClassVar[bool] = False

    def outputs(self, settings: CardSettings) -> tuple[str, ...]:
        return self.fixed_outputs

    @abstractmethod
    def enter(self, ctx: Context, card: CardDef) -> Outcome:
        """The run reached this card: emit actions and say where to go (or wait)."""

    def resume(self, ctx: Context, card: CardDef, event: Event) -> Outcome:
        """An event reached this card while the run waits on it. The default ignores it."""
        return Ignore()


CARD_TYPES: dict[str, CardType] = {}


def register(cls: type[CardType]) -> type[CardType]:
    if cls.type in CARD_TYPES:
        raise RuntimeError(f"card type {cls.type!r} registered twice")
    CARD_TYPES[cls.type] = cls()
    return cls


def card_type(name: str) -> CardType:
    return CARD_TYPES[name]
