"""System cards that reach out: an internal notice to a group, intent identification, the HTTP
integration and the interactive template of a bulk send."""

from __future__ import annotations

import json
import re
from typing import ClassVar, Literal
from urllib.parse import quote

from pydantic import Field, field_validator

from formaliza.flows import actions
from formaliza.flows.cards.registry import CardType, register
from formaliza.flows.cards.system.common import (
    OPTION_ID,
    OPTIONAL_FLOW_KEY,
    OPTIONAL_VARIABLE,
    VARIABLE,
)
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import PLACEHOLDER, Call, Ignore, Next, Wait

# --- notify -------------------------------------------------------------------------------


@register
class Notify(CardType):
    """Send a notice to an internal group (its users in the back office and its e-mails), with
    the variables filled: {{protocolo}}, {{nome_whatsapp}}, {{cliente}}, {{telefone}},
    {{empresa}}, {{atendente}} and flow variables."""

    type = "notify"
    group = "system"
    label = "Notificar grupo interno"

    class Settings(CardSettings):
        group: str = Field(min_length=1, max_length=80)
        text: str = Field(min_length=1, max_length=2000)

    def enter(self, ctx, card):
        s = card.settings
        ctx.emit(
            actions.Effect(name="notify", payload={"group": s.group, "text": ctx.render(s.text)})
        )
        return Next()


# --- intent -------------------------------------------------------------------------------


class IntentSpec(CardSettings):
    name: str = Field(pattern=OPTION_ID)
    examples: list[str] = Field(min_length=1, max_length=50)


@register
class IdentifyIntent(CardType):
    """Ask (optionally), read the client's text and ask the classifier which intent it is: one
    output per intent name. After `max_attempts` misses: the `max_attempts` output if connected,
    else `fallback_flow` if set, else the flow ends."""

    type = "intent"
    group = "system"
    label = "Identificar intenção"
    optional_outputs = ("max_attempts",)
    can_wait: ClassVar[bool] = True

    class Settings(CardSettings):
        text: str = Field(default="", max_length=1024)
        intents: list[IntentSpec] = Field(min_length=1, max_length=30)
        threshold: float = Field(default=0.5, gt=0, le=1)
        max_attempts: int = Field(default=3, ge=1, le=10)
        retry_text: str = Field(
            default="Não entendi. Pode explicar de outro jeito, em poucas palavras?",
            max_length=1024,
        )
        fallback_flow: str = Field(default="", pattern=OPTIONAL_FLOW_KEY)
        variable: str = Field(default="intencao", pattern=VARIABLE)

        @field_validator("intents")
        @classmethod
        def _unique(cls, value):
            names = [i.name for i in value]
            if len(set(names)) != len(names) or "max_attempts" in names:
                raise ValueError("os nomes das intenções devem ser únicos (e não max_attempts)")
            return value

    def outputs(self, settings):
        return (*(i.name for i in settings.intents), "max_attempts")

    def enter(self, ctx, card):
        if card.settings.text.strip():
            ctx.emit(actions.SendText(text=ctx.render(card.settings.text)))
        return Wait(data={"attempts": 0, "phase": "ask"})

    def resume(self, ctx, card, event):
        s = card.settings
        if ctx.wait_data.get("phase") == "classify":
            if event.kind != "result":
                return Ignore()
            name = event.data.get("intent") or ""
            if name in {i.name for i in s.intents}:
                ctx.set_var(s.variable, name)
                return Next(name)
            return self._miss(ctx, card)
        if event.kind != "message":
            return Ignore()
        text = event.text.strip()
        if not text:
            return self._miss(ctx, card)
        payload = {
            "text": text,
            "threshold": s.threshold,
            "intents": [{"name": i.name, "examples": list(i.examples)} for i in s.intents],
        }
        ctx.emit(actions.Effect(name="intent", payload=payload, token=ctx.token()))
        return Wait(data={**ctx.wait_data, "phase": "classify"})

    def _miss(self, ctx, card):
        s = card.settings
        attempts = int(ctx.wait_data.get("attempts", 0)) + 1
        if attempts < s.max_attempts:
            ctx.emit(actions.SendText(text=ctx.render(s.retry_text)))
            return Wait(data={"attempts": attempts, "phase": "ask"})
        if card.target("max_attempts") is None and s.fallback_flow:
            return Call(flow=s.fallback_flow, output=None)
        return Next("max_attempts")


# --- HTTP integration ---------------------------------------------------------------------

_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$")
_FORBIDDEN_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


def json_escaped(ctx, template: str) -> str:
    """Fill placeholders with JSON-escaped values (no quotes added): a value with quotes or
    backslashes cannot break out of the string it sits in."""

    def value(match):
        v = ctx.lookup(match.group(1))
        return json.dumps("" if v is None else str(v), ensure_ascii=False)[1:-1]

    return PLACEHOLDER.sub(value, template)


def url_rendered(ctx, template: str) -> str:
    """Fill placeholders in a URL with percent-encoded values."""

    def value(match):
        v = ctx.lookup(match.group(1))
        return quote("" if v is None else str(v), safe="")

    return PLACEHOLDER.sub(value, template)


@register
class HttpIntegration(CardType):
    """Call an external system (low code): method, URL and headers with variables, a JSON body
    template (values JSON-escaped), response fields (dotted paths) into variables. `success` on
    a 2xx answer, `failure` otherwise (error, timeout, refused address), with `http_erro` set."""

    type = "http"
    group = "system"
    label = "Integração HTTP"
    fixed_outputs = ("success", "failure")
    can_wait: ClassVar[bool] = True

    class Settings(CardSettings):
        method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
        url: str = Field(pattern=r"^https?://[^\s]+$", max_length=2000)
        headers: dict[str, str] = Field(default_factory=dict, max_length=20)
        body: str = Field(default="", max_length=20000)
        response: dict[str, str] = Field(default_factory=dict, max_length=50)  # var -> path
        status_variable: str = Field(default="", pattern=OPTIONAL_VARIABLE)
        timeout_seconds: int = Field(default=10, ge=1, le=30)
        retries: int = Field(default=0, ge=0, le=3)

        @field_validator("headers")
        @classmethod
        def _headers(cls, value):
            for name in value:
                if not _HEADER_NAME.match(name) or name.lower() in _FORBIDDEN_HEADERS:
                    raise ValueError(f"cabeçalho não permitido: {name}")
            return value

        @field_validator("response")
        @classmethod
        def _response(cls, value):
            for variable, path in value.items():
                if not re.match(VARIABLE, variable):
                    raise ValueError(f"nome de variável inválido: {variable}")
                if not re.match(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$", path):
                    raise ValueError(f"caminho inválido na resposta: {path}")
            return value

        @field_validator("body")
        @classmethod
        def _body(cls, value):
            if value.strip():
                try:
                    json.loads(PLACEHOLDER.sub("0", value))
                except ValueError as exc:
                    raise ValueError(f"o corpo não é um JSON válido: {exc}") from None
            return value

    def enter(self, ctx, card):
        s = card.settings
        payload = {
            "method": s.method,
            "url": url_rendered(ctx, s.url),
            "headers": {k: ctx.render(v) for k, v in s.headers.items()},
            "body": json_escaped(ctx, s.body) if s.body.strip() else "",
            "response": dict(s.response),
            "timeout": s.timeout_seconds,
            "retries": s.retries,
        }
        ctx.emit(actions.Effect(name="http", payload=payload, token=ctx.token()))
        return Wait()

    def resume(self, ctx, card, event):
        if event.kind != "result":
            return Ignore()
        s = card.settings
        data = event.data
        if s.status_variable:
            ctx.set_var(s.status_variable, data.get("status", 0))
        if data.get("ok"):
            for name, value in (data.get("values") or {}).items():
                if name in s.response:
                    ctx.set_var(name, value)
            return Next("success")
        ctx.set_var("http_erro", data.get("error", "falha"))
        return Next("failure")


# --- interactive template (bulk) -----------------------------------------------------------


@register
class BulkTemplate(CardType):
    """An approved template with buttons; the client's reply (button id or text) goes to
    `variable` and the flow goes on through `next`, where conditionals branch on it.

    Sent to a list of contacts from the back office (a bulk send: the card must be the flow's
    start card; each recipient's conversation gets a run that waits here for the reply), or to
    the current client when a run reaches it."""

    type = "bulk_template"
    group = "system"
    label = "Template interativo"
    can_wait: ClassVar[bool] = True
    fixed_outputs = ("next", "timeout")
    optional_outputs = ("timeout",)

    class Settings(CardSettings):
        template: str = Field(min_length=1, max_length=512)
        language: str = Field(default="pt_BR", max_length=15)
        variables: list[str] = Field(default_factory=list, max_length=20)
        variable: str = Field(default="resposta", pattern=VARIABLE)
        timeout_hours: int | None = Field(default=None, ge=1, le=30 * 24)

    def enter(self, ctx, card):
        s = card.settings
        if not ctx.vars.get("envio_em_massa"):
            values = [ctx.render(v) for v in s.variables]
            ctx.emit(
                actions.SendTemplate(
                    name=s.template, language=s.language, variables={"body": values}
                )
            )
        return Wait(timeout=s.timeout_hours * 3600 if s.timeout_hours else None)

    def resume(self, ctx, card, event):
        if event.kind == "timer":
            return Next("timeout")
        if event.kind != "message":
            return Ignore()
        s = card.settings
        answer = event.choice or event.text.strip()
        ctx.set_var(s.variable, answer)
        if ctx.vars.get("envio_em_massa"):
            ctx.emit(
                actions.Effect(
                    name="bulk_reply",
                    payload={"bulk": ctx.vars["envio_em_massa"], "reply": answer},
                )
            )
        return Next()
