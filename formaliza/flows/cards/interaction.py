"""Interaction cards: what the client sees and answers. Send a file, consent (opt-in/opt-out),
questions (choice, confirmation, typed input with validation), the satisfaction survey, and the
transfer to people.

Questions share one retry rule: a wrong answer is answered with the card's retry message and
the question again, up to `max_attempts` answers; then the card sends its message after max
attempts (if any) and either runs the fallback flow (if set) or leaves through `max_attempts`
(unconnected: the flow ends). With `timeout_minutes`, no answer in time leaves through
`timeout`.
"""

from __future__ import annotations

import unicodedata
from abc import abstractmethod
from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from formaliza.flows import actions, validation
from formaliza.flows.cards.registry import CardType, register
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import Call, Finish, Ignore, Next, Wait

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


# --- choice and confirmation --------------------------------------------------------------------


class ChoiceOption(CardSettings):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=72)


def _pick(event, options: list[tuple[str, str]]) -> str:
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


@register
class ChoiceQuestion(Question):
    """A question with options (buttons up to 3, a list up to 10, pages beyond); each option
    is an output."""

    type = "choice"
    label = "Pergunta: escolha"

    class Settings(Retries):
        text: str = Field(min_length=1, max_length=1024)
        options: list[ChoiceOption] = Field(min_length=1, max_length=30)
        button: str = Field(default="Ver opções", min_length=1, max_length=20)

        @field_validator("options")
        @classmethod
        def _unique(cls, options):
            ids = [o.id for o in options]
            if len(set(ids)) != len(ids):
                raise ValueError("cada opção precisa de um identificador diferente")
            if set(ids) & set(RESERVED_OUTPUTS):
                raise ValueError("os identificadores max_attempts e timeout são reservados")
            titles = [fold(o.title) for o in options]
            if len(set(titles)) != len(titles):
                raise ValueError("duas opções têm o mesmo título")
            return options

    def outputs(self, settings):
        return (*(o.id for o in settings.options), *RESERVED_OUTPUTS)

    def ask(self, ctx, card):
        s = card.settings
        ctx.emit(
            actions.SendChoices(
                text=ctx.render(s.text),
                options=tuple(actions.Option(o.id, o.title, o.description) for o in s.options),
                button=s.button,
            )
        )

    def resume(self, ctx, card, event):
        if self.timed_out(event):
            return Next("timeout")
        if event.kind != "message":
            return Ignore()
        picked = _pick(event, [(o.id, o.title) for o in card.settings.options])
        if picked:
            ctx.set_var(f"{card.id}_resposta", picked)
            return Next(picked)
        return self.retry(ctx, card)


YES = ("sim", "s", "yes", "claro", "quero", "aceito", "ok")
NO = ("nao", "n", "no", "nao quero", "nao aceito")


def _yes_no(event) -> str:
    if event.choice in ("sim", "nao"):
        return event.choice
    said = fold(event.text)
    if said in YES or said == "1":
        return "sim"
    if said in NO or said == "2":
        return "nao"
    return ""


def _ask_yes_no(ctx, settings) -> None:
    """A Sim/Não question (two reply buttons) whose answers are the options "sim" and "nao"."""
    options = (actions.Option("sim", settings.yes), actions.Option("nao", settings.no))
    ctx.emit(actions.SendChoices(text=ctx.render(settings.text), options=options))


@register
class Confirmation(Question):
    """A yes/no question (buttons Sim / Não; typed "sim", "não", "1", "2" also count)."""

    type = "confirm"
    label = "Pergunta: confirmação"
    fixed_outputs = ("yes", "no", *RESERVED_OUTPUTS)

    class Settings(Retries):
        text: str = Field(min_length=1, max_length=1024)
        yes: str = Field(default="Sim", min_length=1, max_length=20)
        no: str = Field(default="Não", min_length=1, max_length=20)

    def ask(self, ctx, card):
        _ask_yes_no(ctx, card.settings)

    def resume(self, ctx, card, event):
        if self.timed_out(event):
            return Next("timeout")
        if event.kind != "message":
            return Ignore()
        s = card.settings
        answer = _yes_no(event) or _pick(event, [("sim", s.yes), ("nao", s.no)])
        if answer:
            ctx.set_var(f"{card.id}_resposta", answer)
            return Next("yes" if answer == "sim" else "no")
        return self.retry(ctx, card)


# --- typed input with validation ----------------------------------------------------------------


@register
class InputQuestion(Question):
    """Wait for the client to send something and validate it (CPF, CNPJ, CPF or CNPJ, e-mail,
    phone, date, number, free text, image, file); the normalized value goes to a variable."""

    type = "input"
    label = "Pergunta: aguardar interação"
    fixed_outputs = ("next", *RESERVED_OUTPUTS)

    class Settings(Retries):
        text: str = Field(min_length=1, max_length=1024)
        validation: Literal[
            "cpf", "cnpj", "cpf_cnpj", "email", "phone", "date", "number", "text", "image", "file"
        ] = "text"
        variable: str = Field(default="resposta", pattern=VARIABLE)
        invalid_text: str = Field(default="", max_length=1024)  # default: per validation kind
        retry_text: str = Field(default="", max_length=1024)

    def ask(self, ctx, card):
        ctx.emit(actions.SendText(text=ctx.render(card.settings.text)))

    def resume(self, ctx, card, event):
        if self.timed_out(event):
            return Next("timeout")
        if event.kind != "message":
            return Ignore()
        s = card.settings
        value = self._value(s.validation, event)
        if value is None:
            message = s.invalid_text or s.retry_text or validation.INVALID_PT_BR[s.validation]
            return self.retry(ctx, card, message)
        ctx.set_var(s.variable, value)
        return Next()

    def _value(self, kind: str, event) -> str | None:
        if kind == "image":
            return (event.attachment or "enviado") if event.media in ("image", "sticker") else None
        if kind == "file":
            accepted = ("image", "document")
            return (event.attachment or "enviado") if event.media in accepted else None
        if event.media and kind != "text":
            return None
        return validation.validate(kind, event.text)


# --- satisfaction survey ------------------------------------------------------------------------

SURVEY_TITLES = {
    1: "Muito insatisfeito",
    2: "Insatisfeito",
    3: "Neutro",
    4: "Satisfeito",
    5: "Muito satisfeito",
}


@register
class Survey(Question):
    """Satisfaction 1-5, shown in ascending or descending order, counted for the company, the
    attendant, or both. Scores go through the `survey_answer` effect."""

    type = "survey"
    label = "Pesquisa de satisfação"
    fixed_outputs = ("next", *RESERVED_OUTPUTS)

    class Settings(Retries):
        text: str = Field(
            default="Como você avalia o nosso atendimento?", min_length=1, max_length=1024
        )
        order: Literal["ascending", "descending"] = "descending"
        target: Literal["company", "attendant", "both"] = "company"
        titles: dict[int, str] = Field(default_factory=lambda: dict(SURVEY_TITLES))
        thanks_text: str = Field(default="Obrigado pela sua avaliação!", max_length=1024)
        retry_text: str = Field(
            default="Por favor, responda com uma nota de 1 a 5.", max_length=1024
        )

        @field_validator("titles")
        @classmethod
        def _five(cls, titles):
            if sorted(titles) != [1, 2, 3, 4, 5]:
                raise ValueError("informe um título para cada nota de 1 a 5")
            for score, title in titles.items():
                label = f"{score} - {title.strip()}"
                if not title.strip() or len(label) > TITLE_MAX:
                    raise ValueError(f"o título da nota {score} precisa ter de 1 a 20 caracteres")
            return titles

    def _options(self, s) -> list[actions.Option]:
        scores = range(1, 6) if s.order == "ascending" else range(5, 0, -1)
        return [actions.Option(str(n), f"{n} - {s.titles[n].strip()}") for n in scores]

    def ask(self, ctx, card):
        s = card.settings
        ctx.emit(actions.SendChoices(text=ctx.render(s.text), options=tuple(self._options(s))))

    def resume(self, ctx, card, event):
        if self.timed_out(event):
            return Next("timeout")
        if event.kind != "message":
            return Ignore()
        s = card.settings
        score = self._score(s, event)
        if score is None:
            return self.retry(ctx, card)
        ctx.set_var(f"{card.id}_nota", score)
        targets = ["company", "attendant"] if s.target == "both" else [s.target]
        payload = {"score": score, "targets": targets, "card": card.id}
        ctx.emit(actions.Effect(name="survey_answer", payload=payload))
        if s.thanks_text.strip():
            ctx.emit(actions.SendText(text=ctx.render(s.thanks_text)))
        return Next()

    def _score(self, s, event) -> int | None:
        if event.choice in {"1", "2", "3", "4", "5"}:
            return int(event.choice)
        said = fold(event.text)
        if said in {"1", "2", "3", "4", "5"}:  # the score itself, whatever the order shown
            return int(said)
        picked = _pick(event, [(o.id, o.title) for o in self._options(s)])
        return int(picked) if picked else None


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
        _ask_yes_no(ctx, card.settings)

    def resume(self, ctx, card, event):
        if self.timed_out(event):
            return Next("timeout")
        if event.kind != "message":
            return Ignore()
        s = card.settings
        answer = _pick(event, [("sim", s.yes), ("nao", s.no)]) or _yes_no(event)
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

    def resume(self, ctx, card, event):
        if self.timed_out(event):
            return Next("timeout")
        if event.kind != "message":
            return Ignore()
        s = card.settings
        if _pick(event, [("continuar", s.keep), ("parar", s.stop)]) == "parar":
            return _opt_out(ctx, s.done_text)
        return Next()


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
