"""Question cards: choice, confirmation, typed input with validation, the satisfaction survey."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from formaliza.flows import actions, validation
from formaliza.flows.cards.interaction.common import (
    RESERVED_OUTPUTS,
    TITLE_MAX,
    VARIABLE,
    Question,
    Retries,
    ask_yes_no,
    fold,
    pick,
    yes_no,
)
from formaliza.flows.cards.registry import register
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import Next


class ChoiceOption(CardSettings):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=72)


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

    def answered(self, ctx, card, event):
        picked = pick(event, [(o.id, o.title) for o in card.settings.options])
        if picked:
            ctx.set_var(f"{card.id}_resposta", picked)
            return Next(picked)
        return self.retry(ctx, card)


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
        ask_yes_no(ctx, card.settings)

    def answered(self, ctx, card, event):
        s = card.settings
        answer = yes_no(event) or pick(event, [("sim", s.yes), ("nao", s.no)])
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

    def answered(self, ctx, card, event):
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

    def answered(self, ctx, card, event):
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
        picked = pick(event, [(o.id, o.title) for o in self._options(s)])
        return int(picked) if picked else None
