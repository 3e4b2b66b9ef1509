"""The card that sends a file (image, document, audio) stored for the flow."""

from __future__ import annotations

from pydantic import Field, model_validator

from formaliza.flows import actions
from formaliza.flows.cards.interaction.common import MEDIA_KINDS
from formaliza.flows.cards.registry import CardType, register
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import Next

# --- send a file --------------------------------------------------------------------------------


@register
class SendFile(CardType):
    """A PNG, JPEG, PDF or MP3 the tenant uploaded, with an optional caption (not for audio)."""

    type = "file"
    group = "interaction"
    label = "Enviar arquivo"

    class Settings(CardSettings):
        file: str = Field(min_length=1, max_length=255)  # storage name
        filename: str = Field(default="", max_length=120)
        caption: str = Field(default="", max_length=1024)

        @model_validator(mode="after")
        def _kind(self):
            extension = self.file.rsplit(".", 1)[-1].lower() if "." in self.file else ""
            if extension not in MEDIA_KINDS:
                raise ValueError("o arquivo precisa ser PNG, JPEG, PDF ou MP3")
            if MEDIA_KINDS[extension] == "audio" and self.caption.strip():
                raise ValueError("áudios MP3 não levam legenda no WhatsApp")
            return self

        @property
        def media(self) -> str:
            return MEDIA_KINDS[self.file.rsplit(".", 1)[-1].lower()]

    def enter(self, ctx, card):
        s = card.settings
        ctx.emit(
            actions.SendMedia(
                media=s.media,
                file=s.file,
                filename=s.filename or s.file.rsplit("/", 1)[-1],
                caption=ctx.render(s.caption) if s.caption else "",
            )
        )
        return Next()
