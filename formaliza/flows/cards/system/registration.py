"""System cards about who the client is: asking for a CPF/CNPJ (validate a registration, add an
account), auto-link by phone, and switching between the accounts of one phone."""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar, Literal

from pydantic import Field

from formaliza.core import br
from formaliza.flows import actions
from formaliza.flows.cards.registry import CardType, register
from formaliza.flows.cards.system.common import (
    OPTIONAL_VARIABLE,
    VARIABLE,
    attempts_left,
    contact_vars_set,
)
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import Ignore, Next, Wait

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
                return self._look_up(ctx, card, document, {})
        ctx.emit(actions.SendText(text=ctx.render(s.text)))
        return Wait(data={"attempts": 0, "phase": "ask"})

    def effect_payload(self, card, document: str) -> dict:
        """What the executor `effect` is given (cards add their settings to it)."""
        return {"document": document}

    def _look_up(self, ctx, card, document: str, data: dict):
        payload = self.effect_payload(card, document)
        ctx.emit(actions.Effect(name=self.effect, payload=payload, token=ctx.token()))
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
            return attempts_left(ctx, card, retry_text=s.invalid_text)
        return self._look_up(ctx, card, document, ctx.wait_data)

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
            contact_vars_set(ctx, data.get("contact") or {})
            return Next("found")
        if s.retry_not_found:
            return attempts_left(ctx, card, retry_text=s.not_found_text)
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
            contact_vars_set(ctx, data.get("contact") or {})
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
            contact_vars_set(ctx, event.data.get("contact") or {})
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
        contact_vars_set(ctx, account)
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
