"""The card that hands the conversation over to people (a department's queue or an attendant)."""

from __future__ import annotations

from pydantic import Field

from formaliza.flows import actions
from formaliza.flows.cards.registry import CardType, register
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import Finish

# --- transfer -----------------------------------------------------------------------------------


@register
class TransferCard(CardType):
    """Hand the conversation to people: a department's queue, or one attendant. The bot stops
    here; the conversation appears in the attendants' inbox (/atendimento/)."""

    type = "transfer"
    group = "interaction"
    label = "Transferir"
    fixed_outputs = ()

    class Settings(CardSettings):
        department: str = Field(default="", max_length=80)  # department name
        attendant: str = Field(default="", max_length=150)  # username
        text: str = Field(
            default="Aguarde um momento, vou transferir você para um de nossos atendentes.",
            max_length=1024,
        )
        note: str = Field(default="", max_length=1024)  # for the attendant (with variables)

    def enter(self, ctx, card):
        s = card.settings
        if s.text.strip():
            ctx.emit(actions.SendText(text=ctx.render(s.text)))
        ctx.emit(
            actions.Transfer(
                department=s.department.strip(),
                attendant=s.attendant.strip(),
                note=ctx.render(s.note) if s.note else "",
            )
        )
        target = s.attendant or s.department or "fila geral"
        return Finish(reason=f"transferido: {target}", scope="run", status="transferred")
