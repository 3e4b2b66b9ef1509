"""Cards every flow needs: send a message, ask for a description, wait a while, go to another
flow, end."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from formaliza.flows import actions
from formaliza.flows.cards.registry import CardType, register
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import Call, Finish, Ignore, Next, Wait


@register
class SendMessage(CardType):
    """Text (with variables) or an MP3 audio the tenant uploaded."""

    type = "message"
    group = "interaction"
    label = "Enviar mensagem"

    class Settings(CardSettings):
        text: str = Field(default="", max_length=4096)
        audio: str = Field(default="", max_length=255)  # storage name of an MP3

        @model_validator(mode="after")
        def _one_of(self):
            if bool(self.text.strip()) == bool(self.audio):
                raise ValueError("informe o texto da mensagem ou um áudio MP3 (apenas um)")
            if self.audio and not self.audio.lower().endswith(".mp3"):
                raise ValueError("o áudio precisa ser um arquivo MP3")
            return self

    def enter(self, ctx, card):
        s = card.settings
        if s.audio:
            ctx.emit(actions.SendMedia(media="audio", file=s.audio))
        else:
            ctx.emit(actions.SendText(text=ctx.render(s.text)))
        return Next()


@register
class DescriptionRequest(CardType):
    """Ask the client to describe what they need; the text is kept for the attendant."""

    type = "description"
    group = "interaction"
    label = "Solicitar descrição"
    fixed_outputs = ("next", "timeout")
    optional_outputs = ("timeout",)
    can_wait = True

    class Settings(CardSettings):
        text: str = Field(default="Descreva, em uma mensagem, o que você precisa.", max_length=1024)
        variable: str = Field(default="descricao", pattern=r"^[a-z_][a-z0-9_]{0,39}$")
        timeout_minutes: int | None = Field(default=None, ge=1, le=7 * 24 * 60)

    def enter(self, ctx, card):
        s = card.settings
        ctx.emit(actions.SendText(text=ctx.render(s.text)))
        return Wait(timeout=s.timeout_minutes * 60 if s.timeout_minutes else None)

    def resume(self, ctx, card, event):
        if event.kind == "timer":
            return Next("timeout")
        if event.kind != "message":
            return Ignore()
        text = event.text.strip()
        if not text:
            # A file or sticker instead of words: ask again, same wait.
            ctx.emit(actions.SendText(text="Por favor, descreva em texto."))
            return Wait(data=ctx.wait_data)
        ctx.set_var(card.settings.variable, text)
        ctx.emit(actions.Effect(name="description", payload={"text": text}))
        return Next()


@register
class Delay(CardType):
    """Wait a set time, then go on. Messages during the delay do not cut it short."""

    type = "delay"
    group = "system"
    label = "Atraso"
    can_wait = True

    class Settings(CardSettings):
        seconds: int = Field(ge=1, le=24 * 3600)

    def enter(self, ctx, card):
        return Wait(timeout=card.settings.seconds)

    def resume(self, ctx, card, event):
        return Next() if event.kind == "timer" else Ignore()


@register
class GoToFlow(CardType):
    """Run another flow of the tenant (its published version) and, if `return` is set, come back
    here and go on through `next` when it ends. `failure`: the flow is not published."""

    type = "go_to_flow"
    group = "system"
    label = "Ir para fluxo"
    fixed_outputs = ("next", "failure")
    optional_outputs = ("failure",)

    class Settings(CardSettings):
        flow: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
        return_: bool = Field(default=True, alias="return")

    def enter(self, ctx, card):
        s = card.settings
        return Call(flow=s.flow, output="next" if s.return_ else None)


@register
class EndCard(CardType):
    """End the conversation's flow. `scope`: "run" ends everything, even from a called flow;
    "flow" returns to the calling flow, if any. An optional closing message."""

    type = "end"
    group = "system"
    label = "Encerrar"
    fixed_outputs = ()

    class Settings(CardSettings):
        text: str = Field(default="", max_length=4096)
        scope: Literal["flow", "run"] = "run"

    def enter(self, ctx, card):
        s = card.settings
        if s.text.strip():
            ctx.emit(actions.SendText(text=ctx.render(s.text)))
        return Finish(reason="fim do fluxo", scope=s.scope)
