"""What the interaction cards share: the retry rule of every question (`Retries`, `Question`),
reading a picked option or a yes/no from the client's message, and the patterns their settings
accept."""

from __future__ import annotations

import unicodedata
from abc import abstractmethod
from typing import ClassVar

from pydantic import Field

from formaliza.flows import actions
from formaliza.flows.cards.registry import CardType
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import Call, Ignore, Next, Wait

SLUG = r"^[a-z0-9][a-z0-9_-]{0,63}$"
VARIABLE = r"^[a-z_][a-z0-9_]{0,39}$"
RESERVED_OUTPUTS = ("max_attempts", "timeout")
TITLE_MAX = 24  # WhatsApp list rows; buttons take 20 (longer titles become a list)
MEDIA_KINDS = {"png": "image", "jpg": "image", "jpeg": "image", "pdf": "document", "mp3": "audio"}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").strip().casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


class Retries(CardSettings):
    """The retry rule every question shares."""

    max_attempts: int = Field(default=3, ge=1, le=10)
    retry_text: str = Field(
        default="Não entendi sua resposta. Por favor, tente novamente.", max_length=1024
    )
    max_attempts_text: str = Field(default="", max_length=1024)
    fallback_flow: str = Field(default="", pattern=r"^$|" + SLUG)
    timeout_minutes: int | None = Field(default=None, ge=1, le=7 * 24 * 60)


class Question(CardType):
    """Base of the cards that ask and wait: asking, timing out and the retry rule."""

    group = "interaction"
    can_wait: ClassVar[bool] = True
    optional_outputs = RESERVED_OUTPUTS

    @abstractmethod
    def ask(self, ctx, card) -> None:
        """Send the question (again, on a retry)."""

    def wait(self, card, attempts: int = 0) -> Wait:
        minutes = card.settings.timeout_minutes
        return Wait(timeout=minutes * 60 if minutes else None, data={"attempts": attempts})

    def enter(self, ctx, card):
        self.ask(ctx, card)
        return self.wait(card)

    def timed_out(self, event) -> bool:
        return event.kind == "timer"

    def resume(self, ctx, card, event):
        if self.timed_out(event):
            return Next("timeout")
        if event.kind != "message":
            return Ignore()  # a stale result or another card's timer
        return self.answered(ctx, card, event)

    @abstractmethod
    def answered(self, ctx, card, event):
        """The client wrote while the question waits: the answer, or a retry."""

    def retry(self, ctx, card, message: str = ""):
        s = card.settings
        attempts = int(ctx.wait_data.get("attempts", 0)) + 1
        if attempts >= s.max_attempts:
            if s.max_attempts_text.strip():
                ctx.emit(actions.SendText(text=ctx.render(s.max_attempts_text)))
            if s.fallback_flow:
                return Call(flow=s.fallback_flow, output=None)
            return Next("max_attempts")
        ctx.emit(actions.SendText(text=ctx.render(message or s.retry_text)))
        self.ask(ctx, card)
        return self.wait(card, attempts)


def pick(event, options: list[tuple[str, str]]) -> str:
    """The option a message picks: a tapped button/list row (its id), the option's number
    typed ("2", "opção 2") or its exact title (without case or accents). "" when none."""
    ids = [i for i, _ in options]
    if event.choice in ids:
        return event.choice
    said = fold(event.text)
    if not said:
        return ""
    digits = said.removeprefix("opcao").strip(" .):-")
    if digits.isdigit() and 1 <= int(digits) <= len(options):
        return options[int(digits) - 1][0]
    for option_id, title in options:
        if said == fold(title):
            return option_id
    return ""


YES = ("sim", "s", "yes", "claro", "quero", "aceito", "ok")
NO = ("nao", "n", "no", "nao quero", "nao aceito")


def yes_no(event) -> str:
    if event.choice in ("sim", "nao"):
        return event.choice
    said = fold(event.text)
    if said in YES or said == "1":
        return "sim"
    if said in NO or said == "2":
        return "nao"
    return ""


def ask_yes_no(ctx, settings) -> None:
    """A Sim/Não question (two reply buttons) whose answers are the options "sim" and "nao"."""
    options = (actions.Option("sim", settings.yes), actions.Option("nao", settings.no))
    ctx.emit(actions.SendChoices(text=ctx.render(settings.text), options=options))
