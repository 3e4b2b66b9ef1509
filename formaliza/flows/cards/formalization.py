"""Formalization cards: the assistant that takes a client through a journey (seed 000).

The journey itself (its link, renewal, operator tasks) lives in the journeys app; these cards
only ask for it through effects (`flows/effects/formalization.py`), whose results come back as
`result` events. The journey of a run is the one that started it (`FlowRun.context["journey"]`)
or, for a run started otherwise, the latest journey sent to the conversation's phone.

- `journey_invite`: the first card of the formalization flow. The invitation template already
  went out (outside the 24-hour window nothing else may be sent), so it waits for the client's
  reply, then greets.
- `journey_wait`: wait for the client's next message (any), e.g. after the link was sent.
- `journey_link`: send the journey's current link again (`failure`: expired, closed...).
- `journey_renew`: issue a new link and send it; the old one stops working.
- `journey_help`: open a task in "Pendências" for an operator to call the client.
- `journey_status`: is the journey finished? `done` (signed), `pending` (still open: active or
  stopped waiting for an operator), `closed` (expired, cancelled, or no journey).
"""

from __future__ import annotations

from pydantic import Field

from formaliza.flows import actions
from formaliza.flows.cards.registry import CardType, register
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import Ignore, Next, Wait

DEFAULT_GREETING = (
    "Olá, {{cliente}}! Sou a assistente virtual da {{empresa}} e vou ajudar você com o envio dos "
    "seus documentos e a assinatura digital do seu contrato. Este é o WhatsApp comercial oficial "
    "da {{empresa}}: pode confiar e seguir os próximos passos por aqui."
)
DEFAULT_HELP_TEXT = (
    "Certo! Registramos seu pedido de ajuda: um de nossos atendentes vai ligar para você em breve."
)


class _AwaitsResult(CardType):
    """A card that asks an effect for something and waits for its result (the runtime feeds it
    back in the same step)."""

    group = "system"
    can_wait = True
    effect: str = ""

    def enter(self, ctx, card):
        ctx.emit(
            actions.Effect(name=self.effect, payload=self.payload(ctx, card), token=ctx.token())
        )
        return Wait()

    def payload(self, ctx, card) -> dict:
        return {}

    def resume(self, ctx, card, event):
        if event.kind != "result":
            return Ignore()  # a message while the effect runs: not for this card
        return self.outcome(ctx, card, event.data or {})

    def outcome(self, ctx, card, data: dict):
        return Next("next" if data.get("ok") else "failure")


@register
class JourneyInvite(CardType):
    type = "journey_invite"
    group = "system"
    label = "Convite da formalização"
    start_only = True
    can_wait = True

    class Settings(CardSettings):
        greeting: str = Field(default=DEFAULT_GREETING, max_length=4096)

    def enter(self, ctx, card):
        return Wait()

    def resume(self, ctx, card, event):
        if event.kind != "message":
            return Ignore()
        if card.settings.greeting.strip():
            ctx.emit(actions.SendText(text=ctx.render(card.settings.greeting)))
        return Next()


@register
class JourneyWait(CardType):
    type = "journey_wait"
    group = "system"
    label = "Aguardar mensagem do cliente"
    can_wait = True

    def enter(self, ctx, card):
        return Wait()

    def resume(self, ctx, card, event):
        return Next() if event.kind == "message" else Ignore()


@register
class JourneyLink(_AwaitsResult):
    type = "journey_link"
    label = "Enviar o link da jornada"
    fixed_outputs = ("next", "failure")
    effect = "journey_link_send"


@register
class JourneyRenew(_AwaitsResult):
    type = "journey_renew"
    label = "Renovar o link da jornada"
    fixed_outputs = ("next", "failure")
    effect = "journey_link_renew"


@register
class JourneyHelp(_AwaitsResult):
    type = "journey_help"
    label = "Pedir ligação de um operador"
    fixed_outputs = ("next", "failure")
    effect = "journey_help"

    class Settings(CardSettings):
        text: str = Field(default=DEFAULT_HELP_TEXT, max_length=4096)

    def outcome(self, ctx, card, data):
        if not data.get("ok"):
            return Next("failure")
        if card.settings.text.strip():
            ctx.emit(actions.SendText(text=ctx.render(card.settings.text)))
        return Next()


@register
class JourneyStatus(_AwaitsResult):
    type = "journey_status"
    label = "Jornada concluída?"
    fixed_outputs = ("done", "pending", "closed")
    optional_outputs = ("closed",)
    effect = "journey_status"

    def outcome(self, ctx, card, data):
        status = data.get("status", "")
        if status == "signed":
            return Next("done")
        if status in ("active", "stopped"):
            return Next("pending")
        return Next("closed")
