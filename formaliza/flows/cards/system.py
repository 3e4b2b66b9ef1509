"""System cards: tag, conditionals, registration lookup, auto-link, accounts, internal notice,
intent, HTTP integration, interactive template (bulk) and the two-path metric.

Like every card they are pure: whatever needs the database or the network is asked for with an
`actions.Effect` (executors in `flows/effects/system.py`); cards that need the answer wait for it
with the effect's token and continue on the `result` event. See docs/flows.md, "System cards".
"""

from __future__ import annotations

import datetime as dt
import json
import re
from abc import abstractmethod
from typing import ClassVar, Literal
from urllib.parse import quote

from pydantic import Field, field_validator, model_validator

from formaliza.core import br
from formaliza.flows import actions
from formaliza.flows.cards.registry import CardType, register
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import Call, Ignore, Next, Wait
from formaliza.flows.intent import fold

VARIABLE = r"^[a-z_][a-z0-9_]{0,39}$"
FLOW_KEY = r"^[a-z0-9][a-z0-9_-]{0,63}$"
OPTION_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"
OPTIONAL_VARIABLE = r"^(|[a-z_][a-z0-9_]{0,39})$"
OPTIONAL_FLOW_KEY = r"^(|[a-z0-9][a-z0-9_-]{0,63})$"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")  # as engine.render

# Shifts (turnos), in the tenant's local time: [start, end) hours.
SHIFTS = {"madrugada": (0, 6), "manha": (6, 12), "tarde": (12, 18), "noite": (18, 24)}


def shift_of(now: dt.datetime) -> str:
    for name, (start, end) in SHIFTS.items():
        if start <= now.hour < end:
            return name
    return "noite"  # unreachable: the hours cover the day


def within_business_hours(now: dt.datetime, periods) -> bool:
    moment = now.time().replace(tzinfo=None)
    return any(p.weekday == now.weekday() and p.start <= moment < p.end for p in periods)


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value or "").strip().replace(" ", "")
    if "," in text:  # 1.234,56 (pt-BR)
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _contact_vars(ctx, contact: dict) -> None:
    """Variables every card that links a contact sets: the name fills {{cliente}} from here
    on (flow variables win over the built-in)."""
    if contact.get("name"):
        ctx.set_var("cliente", contact["name"])
    if contact.get("document"):
        ctx.set_var("documento", contact["document"])
    if contact.get("kind"):
        ctx.set_var("tipo_cadastro", contact["kind"])


def _attempts_left(ctx, card, *, retry_text: str) -> Next | Wait:
    """One more failed attempt: ask again or leave through `max_attempts`."""
    attempts = int(ctx.wait_data.get("attempts", 0)) + 1
    if attempts >= card.settings.max_attempts:
        return Next("max_attempts")
    ctx.emit(actions.SendText(text=ctx.render(retry_text)))
    return Wait(data={**ctx.wait_data, "attempts": attempts, "phase": "ask"})


# --- tag ------------------------------------------------------------------------------------


@register
class Tag(CardType):
    """Add tags (etiquetas) to the conversation; already present ones are kept once."""

    type = "tag"
    group = "system"
    label = "Etiqueta"

    class Settings(CardSettings):
        tags: list[str] = Field(min_length=1, max_length=10)

        @field_validator("tags")
        @classmethod
        def _clean(cls, value):
            cleaned = [t.strip() for t in value]
            if any(not t or len(t) > 40 for t in cleaned):
                raise ValueError("cada etiqueta deve ter de 1 a 40 caracteres")
            return cleaned

    def enter(self, ctx, card):
        tags = list(card.settings.tags)
        ctx.emit(actions.Effect(name="tag", payload={"tags": tags}))
        # Remembered for a tag conditional later in the same run (facts were read at the start).
        seen = list(ctx.vars.get("_tags", []))
        ctx.set_var("_tags", seen + [t for t in tags if t not in seen])
        return Next()


# --- condition ------------------------------------------------------------------------------

ConditionKind = Literal[
    "answer",
    "business_hours",
    "shift",
    "channel",
    "variable",
    "registration_type",
    "origin",
    "branch",
    "tag",
]
Operator = Literal["equals", "not_equals", "contains", "gt", "lt", "regex", "empty", "not_empty"]
_LIST_KINDS = {"shift", "channel", "registration_type", "origin", "branch", "tag"}
_ALLOWED = {
    "shift": set(SHIFTS),
    "channel": {"whatsapp", "sms", "email"},
    "registration_type": {"person", "company", "unknown"},
    "origin": {"client", "business"},
}


@register
class Condition(CardType):
    """Branch on one rule; outputs `true` and `false`. `values` is a list: the rule holds when
    any of them matches (shift, channel, registration type, origin, branch, tag, answer)."""

    type = "condition"
    group = "system"
    label = "Condicional"
    fixed_outputs = ("true", "false")
    can_wait: ClassVar[bool] = True  # kind "answer" with a question waits for the reply

    class Settings(CardSettings):
        kind: ConditionKind
        values: list[str] = Field(default_factory=list, max_length=50)
        variable: str = Field(default="", pattern=OPTIONAL_VARIABLE)
        operator: Operator = "equals"
        value: str = Field(default="", max_length=500)
        question: str = Field(default="", max_length=1024)  # kind "answer": ask first

        @model_validator(mode="after")
        def _coherent(self):
            if self.kind in _LIST_KINDS and not self.values:
                raise ValueError("informe ao menos um valor para comparar")
            allowed = _ALLOWED.get(self.kind)
            if allowed and (bad := [v for v in self.values if v not in allowed]):
                raise ValueError(
                    f"valor não permitido: {', '.join(bad)} (use {', '.join(sorted(allowed))})"
                )
            if self.kind == "answer" and not self.values:
                raise ValueError("informe as respostas que levam à saída verdadeira")
            if self.kind == "variable":
                if not self.variable:
                    raise ValueError("informe a variável a comparar")
                if self.operator in ("gt", "lt") and _number(self.value) is None:
                    raise ValueError("para maior/menor que, o valor precisa ser um número")
                if self.operator == "regex":
                    try:
                        re.compile(self.value)
                    except re.error as exc:
                        raise ValueError(f"expressão regular inválida: {exc}") from None
            return self

    def enter(self, ctx, card):
        s = card.settings
        if s.kind == "answer" and s.question.strip():
            ctx.emit(actions.SendText(text=ctx.render(s.question)))
            return Wait()
        return Next("true" if self.holds(ctx, s) else "false")

    def resume(self, ctx, card, event):
        if event.kind != "message":
            return Ignore()
        s = card.settings
        answer = event.choice or event.text
        if s.variable:
            ctx.set_var(s.variable, answer)
        return Next("true" if self._answer_matches(answer, s.values) else "false")

    @staticmethod
    def _answer_matches(answer, values) -> bool:
        folded = fold(str(answer or ""))
        return any(folded == fold(v) for v in values)

    def holds(self, ctx, s) -> bool:
        f = ctx.facts
        if s.kind == "answer":
            return self._answer_matches(ctx.lookup(s.variable or "resposta"), s.values)
        if s.kind == "business_hours":
            return within_business_hours(f.now, f.business_hours)
        if s.kind == "shift":
            return shift_of(f.now) in s.values
        if s.kind == "channel":
            return f.channel in s.values
        if s.kind == "origin":
            return f.origin in s.values
        if s.kind == "registration_type":
            kind = ctx.vars.get("tipo_cadastro") or f.registration_type or "unknown"
            return kind in s.values
        if s.kind == "branch":
            return fold(f.branch) in {fold(v) for v in s.values} if f.branch else False
        if s.kind == "tag":
            have = {fold(t) for t in f.tags} | {fold(t) for t in ctx.vars.get("_tags", [])}
            return any(fold(v) in have for v in s.values)
        return self._variable(ctx.lookup(s.variable), s.operator, s.value)

    @staticmethod
    def _variable(current, operator: str, value: str) -> bool:
        text = "" if current is None else str(current)
        if operator == "empty":
            return not text.strip()
        if operator == "not_empty":
            return bool(text.strip())
        if operator == "equals":
            return fold(text) == fold(value)
        if operator == "not_equals":
            return fold(text) != fold(value)
        if operator == "contains":
            return fold(value) in fold(text)
        if operator == "regex":
            return re.search(value, text) is not None
        left, right = _number(current), _number(value)
        if left is None or right is None:
            return False
        return left > right if operator == "gt" else left < right


# --- asking for a CPF/CNPJ ------------------------------------------------------------------


class _DocumentSettings(CardSettings):
    text: str = Field(default="Informe o seu CPF ou CNPJ, apenas números.", max_length=1024)
    accept: Literal["cpf", "cnpj", "cpf_cnpj"] = "cpf_cnpj"
    invalid_text: str = Field(
        default="Documento inválido. Confira os números e envie novamente.", max_length=1024
    )
    max_attempts: int = Field(default=3, ge=1, le=10)
    # Take the document from this variable when it is already filled (asked before).
    from_variable: str = Field(default="", pattern=OPTIONAL_VARIABLE)


def document_normalize(text: str, accept: str) -> str | None:
    if accept in ("cpf", "cpf_cnpj") and (cpf := br.cpf_normalize(text)):
        return cpf
    if accept in ("cnpj", "cpf_cnpj") and (cnpj := br.cnpj_normalize(text)):
        return cnpj
    return None


class _AsksDocument(CardType):
    """Ask for a CPF/CNPJ (valid by its check digits), then ask the executor `effect` about it
    and wait for the answer; `outcome(ctx, card, data)` picks the output."""

    effect: ClassVar[str]
    can_wait: ClassVar[bool] = True

    def enter(self, ctx, card):
        s = card.settings
        if s.from_variable:
            document = document_normalize(str(ctx.lookup(s.from_variable)), s.accept)
            if document:
                return self._look_up(ctx, document, {})
        ctx.emit(actions.SendText(text=ctx.render(s.text)))
        return Wait(data={"attempts": 0, "phase": "ask"})

    def _look_up(self, ctx, document: str, data: dict):
        ctx.emit(
            actions.Effect(name=self.effect, payload={"document": document}, token=ctx.token())
        )
        return Wait(data={**data, "phase": "lookup", "document": document})

    def resume(self, ctx, card, event):
        s = card.settings
        phase = ctx.wait_data.get("phase")
        if phase == "lookup":
            if event.kind != "result":
                return Ignore()
            return self.outcome(ctx, card, event.data)
        if event.kind != "message":
            return Ignore()
        document = document_normalize(event.text, s.accept)
        if document is None:
            return _attempts_left(ctx, card, retry_text=s.invalid_text)
        return self._look_up(ctx, document, ctx.wait_data)

    @abstractmethod
    def outcome(self, ctx, card, data):
        """The output for the executor's answer `data`."""


@register
class ValidateRegistration(_AsksDocument):
    """Is there a contact with this CPF/CNPJ? `found` sets {{cliente}}, `documento` and
    `tipo_cadastro`; `not_found` when the document is valid but unknown (or, with
    `retry_not_found`, asks again until `max_attempts`)."""

    type = "validate_registration"
    group = "system"
    label = "Validar cadastro"
    fixed_outputs = ("found", "not_found", "max_attempts")
    optional_outputs = ("max_attempts",)
    effect = "registration_lookup"

    class Settings(_DocumentSettings):
        variable: str = Field(default="documento", pattern=VARIABLE)
        retry_not_found: bool = False
        not_found_text: str = Field(
            default="Não encontramos cadastro com esse documento. Confira e envie novamente.",
            max_length=1024,
        )

    def outcome(self, ctx, card, data):
        s = card.settings
        ctx.set_var(s.variable, ctx.wait_data.get("document", ""))
        if data.get("found"):
            _contact_vars(ctx, data.get("contact") or {})
            return Next("found")
        if s.retry_not_found:
            return _attempts_left(ctx, card, retry_text=s.not_found_text)
        return Next("not_found")


@register
class AccountAdd(_AsksDocument):
    """Link one more registration (CPF/CNPJ known in our contacts) to the client's phone and
    make it the active one: `added`; `not_found` for an unknown document."""

    type = "account_add"
    group = "system"
    label = "Adicionar conta"
    fixed_outputs = ("added", "not_found", "max_attempts")
    optional_outputs = ("max_attempts",)
    effect = "account_add"

    class Settings(_DocumentSettings):
        pass

    def outcome(self, ctx, card, data):
        if data.get("ok"):
            _contact_vars(ctx, data.get("contact") or {})
            return Next("added")
        return Next("not_found")


@register
class AutoLink(CardType):
    """Link the conversation to the registered contact (one with a CPF/CNPJ) that has the
    client's phone: `linked` (sets {{cliente}}, `documento`, `tipo_cadastro`) or
    `not_linked`."""

    type = "auto_link"
    group = "system"
    label = "Auto vincular contato"
    fixed_outputs = ("linked", "not_linked")
    can_wait: ClassVar[bool] = True

    def enter(self, ctx, card):
        ctx.emit(actions.Effect(name="auto_link", payload={}, token=ctx.token()))
        return Wait()

    def resume(self, ctx, card, event):
        if event.kind != "result":
            return Ignore()
        if event.data.get("linked"):
            _contact_vars(ctx, event.data.get("contact") or {})
            return Next("linked")
        return Next("not_linked")


@register
class AccountSwitch(CardType):
    """Choose which of the registrations linked to the phone is the active one. With one, it is
    chosen at once; with none, `none`."""

    type = "account_switch"
    group = "system"
    label = "Trocar conta"
    fixed_outputs = ("switched", "none", "max_attempts")
    optional_outputs = ("max_attempts",)
    can_wait: ClassVar[bool] = True

    class Settings(CardSettings):
        text: str = Field(default="Com qual cadastro você quer seguir?", max_length=1024)
        invalid_text: str = Field(default="Escolha uma das opções da lista.", max_length=1024)
        max_attempts: int = Field(default=3, ge=1, le=10)

    def enter(self, ctx, card):
        ctx.emit(actions.Effect(name="account_list", payload={}, token=ctx.token()))
        return Wait(data={"phase": "list"})

    def _options(self, accounts):
        return tuple(
            actions.Option(
                id=str(a["id"]),
                title=(a.get("name") or br.document_format(a.get("document", "")))[:24],
                description=br.document_format(a.get("document", ""))[:72],
            )
            for a in accounts
        )

    def _switch(self, ctx, account):
        ctx.emit(actions.Effect(name="account_switch", payload={"account": account["id"]}))
        _contact_vars(ctx, account)
        return Next("switched")

    def resume(self, ctx, card, event):
        s = card.settings
        if ctx.wait_data.get("phase") == "list":
            if event.kind != "result":
                return Ignore()
            accounts = list(event.data.get("accounts") or [])
            if not accounts:
                return Next("none")
            if len(accounts) == 1:
                return self._switch(ctx, accounts[0])
            ctx.emit(actions.SendChoices(text=ctx.render(s.text), options=self._options(accounts)))
            return Wait(data={"phase": "choose", "accounts": accounts, "attempts": 0})
        if event.kind != "message":
            return Ignore()
        accounts = ctx.wait_data.get("accounts", [])
        picked = event.choice or event.text.strip()
        for position, account in enumerate(accounts, start=1):
            if picked in (str(account["id"]), str(position)):
                return self._switch(ctx, account)
        attempts = int(ctx.wait_data.get("attempts", 0)) + 1
        if attempts >= s.max_attempts:
            return Next("max_attempts")
        ctx.emit(
            actions.SendChoices(text=ctx.render(s.invalid_text), options=self._options(accounts))
        )
        return Wait(data={**ctx.wait_data, "attempts": attempts})


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

    return _PLACEHOLDER.sub(value, template)


def url_rendered(ctx, template: str) -> str:
    """Fill placeholders in a URL with percent-encoded values."""

    def value(match):
        v = ctx.lookup(match.group(1))
        return quote("" if v is None else str(v), safe="")

    return _PLACEHOLDER.sub(value, template)


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
                    json.loads(_PLACEHOLDER.sub("0", value))
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


# --- metric -------------------------------------------------------------------------------


@register
class Metric(CardType):
    """Two paths with counts: asks a yes/no question (two buttons); the answer takes
    `positive` or `negative` and adds one to that path's count (report in the back office).
    An answer that is neither button is asked again up to 3 times, then counts as negative."""

    type = "metric"
    group = "system"
    label = "Métrica"
    fixed_outputs = ("positive", "negative")
    can_wait: ClassVar[bool] = True
    MAX_ASKS: ClassVar[int] = 3

    class Settings(CardSettings):
        text: str = Field(min_length=1, max_length=1024)
        positive_label: str = Field(default="Sim", min_length=1, max_length=20)
        negative_label: str = Field(default="Não", min_length=1, max_length=20)

    def _ask(self, ctx, card, text):
        s = card.settings
        options = (
            actions.Option(id="positive", title=s.positive_label),
            actions.Option(id="negative", title=s.negative_label),
        )
        ctx.emit(actions.SendChoices(text=ctx.render(text), options=options))

    def enter(self, ctx, card):
        self._ask(ctx, card, card.settings.text)
        return Wait(data={"asks": 1})

    def _count(self, ctx, card, path):
        ctx.emit(
            actions.Effect(
                name="metric", payload={"flow": ctx.state.flow, "card": card.id, "path": path}
            )
        )
        return Next(path)

    def resume(self, ctx, card, event):
        if event.kind != "message":
            return Ignore()
        s = card.settings
        answer = fold(event.choice or event.text)
        if answer in ("positive", fold(s.positive_label), "1"):
            return self._count(ctx, card, "positive")
        if answer in ("negative", fold(s.negative_label), "2"):
            return self._count(ctx, card, "negative")
        asks = int(ctx.wait_data.get("asks", 1))
        if asks >= self.MAX_ASKS:
            return self._count(ctx, card, "negative")
        self._ask(ctx, card, s.text)
        return Wait(data={"asks": asks + 1})
