"""Consent cards: opt-in at the flow's start and opt-out."""

from __future__ import annotations

from pydantic import Field

from formaliza.flows import actions
from formaliza.flows.cards.interaction.common import (
    RESERVED_OUTPUTS,
    Question,
    Retries,
    ask_yes_no,
    pick,
    yes_no,
)
from formaliza.flows.cards.registry import register
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import Finish, Next

# --- consent ------------------------------------------------------------------------------------

OPT_IN_TEXT = (
    "Olá! Para continuarmos o atendimento por aqui, você autoriza a {{empresa}} a enviar "
    "mensagens para você pelo WhatsApp? Você pode cancelar a qualquer momento enviando /bloquear."
)
OPT_OUT_DONE = (
    "Tudo bem, você não receberá mais mensagens nossas por aqui. "
    "Se mudar de ideia, envie /desbloquear."
)


@register
class OptIn(Question):
    """At the flow's start: ask for the client's consent to receive messages. Yes records the
    opt-in and goes on through `accepted`; no records the opt-out, says so and ends the run."""

    type = "opt_in"
    label = "Opt-in"
    start_only = True
    fixed_outputs = ("accepted", *RESERVED_OUTPUTS)

    class Settings(Retries):
        text: str = Field(default=OPT_IN_TEXT, min_length=1, max_length=1024)
        yes: str = Field(default="Sim, autorizo", min_length=1, max_length=20)
        no: str = Field(default="Não autorizo", min_length=1, max_length=20)
        refused_text: str = Field(default=OPT_OUT_DONE, max_length=1024)

    def ask(self, ctx, card):
        ask_yes_no(ctx, card.settings)

    def answered(self, ctx, card, event):
        s = card.settings
        answer = pick(event, [("sim", s.yes), ("nao", s.no)]) or yes_no(event)
        if answer == "sim":
            ctx.emit(actions.Effect(name="opt_in", payload={}))
            return Next("accepted")
        if answer == "nao":
            return _opt_out(ctx, s.refused_text)
        return self.retry(ctx, card)


def _opt_out(ctx, text: str):
    # The goodbye goes before the opt-out: after it, the channel refuses every message.
    if text.strip():
        ctx.emit(actions.SendText(text=ctx.render(text)))
    ctx.emit(actions.Effect(name="opt_out", payload={}))
    return Finish(reason="cliente pediu para não receber mensagens", scope="run")


@register
class OptOut(Question):
    """At the flow's start: tell the client they may stop receiving messages, with a button to
    do it. "Parar" records the opt-out and ends the run; "Continuar" (or anything else the
    client writes, which then counts as their first answer to nothing) goes on through
    `next`. `/bloquear` also works at any point of any flow (the channel handles it)."""

    type = "opt_out"
    label = "Opt-out"
    start_only = True
    fixed_outputs = ("next", "timeout")
    optional_outputs = ("timeout",)

    class Settings(CardSettings):
        text: str = Field(
            default=(
                "Você pode deixar de receber nossas mensagens a qualquer momento: toque em "
                "“Parar de receber” ou envie /bloquear."
            ),
            min_length=1,
            max_length=1024,
        )
        keep: str = Field(default="Continuar", min_length=1, max_length=20)
        stop: str = Field(default="Parar de receber", min_length=1, max_length=20)
        done_text: str = Field(default=OPT_OUT_DONE, max_length=1024)
        timeout_minutes: int | None = Field(default=None, ge=1, le=7 * 24 * 60)

    def ask(self, ctx, card):
        s = card.settings
        options = (actions.Option("continuar", s.keep), actions.Option("parar", s.stop))
        ctx.emit(actions.SendChoices(text=ctx.render(s.text), options=options))

    def answered(self, ctx, card, event):
        s = card.settings
        if pick(event, [("continuar", s.keep), ("parar", s.stop)]) == "parar":
            return _opt_out(ctx, s.done_text)
        return Next()
