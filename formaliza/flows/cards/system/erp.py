"""ERP cards for internet providers (seed 003, "Integração ERP"): the client is identified by
CPF/CNPJ (taken from `documento` when already known), the tenant's ERP is asked through the
`erp` app's port, and the card answers. Each card names the ERP action it needs (`action`):
the import refuses it when the tenant's connector lacks that action.

Outputs: `sent`/`done` on success, `not_found` is retried until `max_attempts`, after which
`max_attempts_text` is sent and `max_attempts_flow` runs (when set, else `max_attempts`);
`error` when the ERP is down, slow, answers garbage or refuses our credentials — after
`error_text` is sent."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import Field, field_validator

from formaliza.core import crypto
from formaliza.flows import actions
from formaliza.flows.cards.registry import register
from formaliza.flows.cards.system.common import OPTIONAL_FLOW_KEY, attempts_left
from formaliza.flows.cards.system.registration import (
    _AsksDocument,
    _DocumentSettings,
    document_normalize,
)
from formaliza.flows.engine import Call, Ignore, Next, Wait
from formaliza.flows.intent import fold


class _ErpSettings(_DocumentSettings):
    text: str = Field(
        default="Para continuar, informe o CPF ou CNPJ do titular, apenas números.",
        max_length=1024,
    )
    not_found_text: str = Field(
        default="Não encontramos contrato com esse documento. Confira e envie novamente.",
        max_length=1024,
    )
    max_attempts_text: str = Field(
        default="Não conseguimos identificar o seu cadastro. Vamos te encaminhar.",
        max_length=1024,
    )
    max_attempts_flow: str = Field(default="", pattern=OPTIONAL_FLOW_KEY)
    error_text: str = Field(
        default="O sistema do provedor está indisponível no momento. Tente de novo em instantes.",
        max_length=1024,
    )


# Options offered in one question: past 10 the conversation layer pages the list.
MAX_OPTIONS = 30


class _ErpCard(_AsksDocument):
    action: ClassVar[str]
    group = "system"
    optional_outputs = ("max_attempts", "error")

    def _max_attempts(self, ctx, card):
        s = card.settings
        if s.max_attempts_text.strip():
            ctx.emit(actions.SendText(text=ctx.render(s.max_attempts_text)))
        if s.max_attempts_flow and card.target("max_attempts") is None:
            return Call(flow=s.max_attempts_flow, output=None)
        return Next("max_attempts")

    def _retry(self, ctx, card, text):
        outcome = attempts_left(ctx, card, retry_text=text)
        return self._max_attempts(ctx, card) if isinstance(outcome, Next) else outcome

    def resume(self, ctx, card, event):
        asked = ctx.wait_data.get("phase") == "ask" and event.kind == "message"
        if asked and document_normalize(event.text, card.settings.accept) is None:
            return self._retry(ctx, card, card.settings.invalid_text)
        return super().resume(ctx, card, event)

    def outcome(self, ctx, card, data):
        s = card.settings
        if not data.get("ok"):
            ctx.set_var("erp_erro", str(data.get("error") or "falha"))
            ctx.emit(actions.SendText(text=ctx.render(s.error_text)))
            return Next("error")
        if not data.get("found"):
            return self._retry(ctx, card, s.not_found_text)
        customer = data.get("customer") or {}
        ctx.set_var("documento", ctx.wait_data.get("document", ""))
        if customer.get("name"):
            ctx.set_var("cliente", customer["name"])
        return self.answered(ctx, card, data)

    # --- choosing one item from a list (contract, department, subject...) -------------------

    def _offer(self, ctx, text: str, phase: str, items: list[dict], data: dict | None = None):
        """A list message of `items` ({id, title, description}); the answer comes to `_pick`."""
        options = tuple(
            actions.Option(
                id=str(i["id"])[:64], title=str(i["title"])[:24],
                description=str(i.get("description") or "")[:72],
            )
            for i in items[:MAX_OPTIONS]
        )  # fmt: skip
        ctx.emit(actions.SendChoices(text=ctx.render(text), options=options))
        return Wait(data={**(data or ctx.wait_data), "phase": phase, "items": items[:MAX_OPTIONS],
                          "attempts": 0})  # fmt: skip

    def _pick(self, ctx, card, event, retry_text: str):
        """(the chosen item, None) or (None, the outcome: ask again or max attempts)."""
        items = ctx.wait_data.get("items", [])
        picked = event.choice or event.text.strip()
        for position, item in enumerate(items, start=1):
            if picked in (str(item["id"]), str(position)):
                return item, None
        attempts = int(ctx.wait_data.get("attempts", 0)) + 1
        if attempts >= card.settings.max_attempts:
            return None, self._max_attempts(ctx, card)
        ctx.emit(actions.SendText(text=ctx.render(retry_text)))
        return None, Wait(data={**ctx.wait_data, "attempts": attempts})


def _contract_items(contracts: list[dict]) -> list[dict]:
    return [
        {"id": c["id"], "title": c.get("plan") or f"Contrato {c['id']}",
         "description": f"Contrato {c['id']}"}
        for c in contracts
    ]  # fmt: skip


def invoice_texts(invoice: dict, *, with_link: bool = True) -> list[str]:
    """What goes to the client for one invoice: a summary, then the digitable line and the Pix
    code each alone in a message (so the client can copy it whole)."""
    due = invoice.get("due_display") or invoice.get("due", "")
    texts = [f"Fatura com vencimento em {due}, valor {invoice.get('amount_display', '')}."]
    if with_link and invoice.get("pdf_url"):
        texts[0] += f"\nBoleto (PDF): {invoice['pdf_url']}"
    if invoice.get("digitable_line"):
        texts += ["Linha digitável:", invoice["digitable_line"]]
    if invoice.get("pix_code"):
        texts += ["Pix copia e cola:", invoice["pix_code"]]
    return texts


@register
class ErpInvoice(_ErpCard):
    """Segunda via da fatura: one open invoice is sent at once; several go as a list to choose
    from; none sends `none_text` (output `none`). With `send_pdf` (default) and a PDF link
    from the ERP, the boleto goes as a WhatsApp document (its summary as the caption); when
    the PDF cannot be fetched the link goes in the text instead."""

    type = "erp_invoice"
    label = "ERP: segunda via da fatura"
    action = "invoice"
    effect = "erp_invoice"
    fixed_outputs = ("sent", "none", "not_found", "max_attempts", "error")
    can_wait: ClassVar[bool] = True

    class Settings(_ErpSettings):
        send_pdf: bool = True
        none_text: str = Field(default="Você não tem faturas em aberto. 🎉", max_length=1024)
        choose_text: str = Field(
            default="Você tem mais de uma fatura em aberto. Qual delas você quer?",
            max_length=1024,
        )

    def answered(self, ctx, card, data):
        invoices = list(data.get("invoices") or [])
        if not invoices:
            ctx.emit(actions.SendText(text=ctx.render(card.settings.none_text)))
            return Next("none")
        if len(invoices) == 1:
            return self._send(ctx, card, invoices[0])
        options = tuple(
            actions.Option(
                id=str(i["id"])[:64],
                title=f"Venc. {i.get('due_display', '')}"[:24],
                description=f"{i.get('amount_display', '')}"[:72],
            )
            for i in invoices[:10]
        )
        ctx.emit(actions.SendChoices(text=ctx.render(card.settings.choose_text), options=options))
        return Wait(data={"phase": "choose", "invoices": invoices[:10], "attempts": 0})

    def _send(self, ctx, card, invoice):
        if card.settings.send_pdf and invoice.get("pdf_url"):
            payload = {"url": invoice["pdf_url"], "invoice": str(invoice.get("id", ""))}
            ctx.emit(actions.Effect(name="erp_invoice_pdf", payload=payload, token=ctx.token()))
            return Wait(data={"phase": "pdf", "invoice": invoice})
        return self._texts(ctx, invoice, with_link=True)

    def _texts(self, ctx, invoice, *, with_link: bool, skip_summary: bool = False):
        texts = invoice_texts(invoice, with_link=with_link)
        for text in texts[1:] if skip_summary else texts:
            ctx.emit(actions.SendText(text=text))
        ctx.set_var("fatura", str(invoice.get("id", "")))
        return Next("sent")

    def _pdf_fetched(self, ctx, invoice, data):
        if not data.get("ok"):  # the boleto by its link, then
            return self._texts(ctx, invoice, with_link=True)
        summary = invoice_texts(invoice, with_link=False)[0]
        ctx.emit(
            actions.SendMedia(
                media="document", file=data["file"], caption=summary,
                filename=f"boleto-{invoice.get('due', '')}-{invoice.get('id', '')}.pdf",
            )
        )  # fmt: skip
        ctx.emit(actions.Effect(name="erp_file_discard", payload={"file": data["file"]}))
        return self._texts(ctx, invoice, with_link=False, skip_summary=True)

    def resume(self, ctx, card, event):
        if ctx.wait_data.get("phase") == "pdf":
            if event.kind != "result":
                return Ignore()
            return self._pdf_fetched(ctx, ctx.wait_data["invoice"], event.data)
        if ctx.wait_data.get("phase") != "choose":
            return super().resume(ctx, card, event)
        if event.kind != "message":
            return Ignore()
        invoices = ctx.wait_data.get("invoices", [])
        picked = event.choice or event.text.strip()
        for position, invoice in enumerate(invoices, start=1):
            if picked in (str(invoice["id"]), str(position)):
                return self._send(ctx, card, invoice)
        attempts = int(ctx.wait_data.get("attempts", 0)) + 1
        if attempts >= card.settings.max_attempts:
            return self._max_attempts(ctx, card)
        ctx.emit(actions.SendText(text="Escolha uma das faturas da lista."))
        return Wait(data={**ctx.wait_data, "attempts": attempts})


@register
class ErpTrustUnlock(_ErpCard):
    """Desbloqueio em confiança: the ERP lifts the block of the client's blocked contract for a
    few days. Refused (`not_allowed`, with {{desbloqueio_motivo}} = `used`, `not_holder`,
    `not_blocked` or `refused`) when it was already used this month (the text tells
    {{desbloqueio_disponivel}}, the date it is available again), when the conversation's phone
    is not one of the contract holder's phones, when no contract is blocked, or when the ERP
    says no ({{erp_mensagem}})."""

    type = "erp_trust_unlock"
    label = "ERP: desbloqueio em confiança"
    action = "trust_unlock"
    effect = "erp_trust_unlock"
    fixed_outputs = ("unlocked", "not_allowed", "not_found", "max_attempts", "error")
    can_wait: ClassVar[bool] = True

    class Settings(_ErpSettings):
        unlocked_text: str = Field(
            default="Pronto! Sua conexão foi liberada em confiança. Ela volta em alguns minutos; "
            "lembre de pagar a fatura para não bloquear de novo.",
            max_length=1024,
        )
        used_text: str = Field(
            default="O desbloqueio em confiança já foi usado este mês. Ele fica disponível de "
            "novo em {{desbloqueio_disponivel}}.",
            max_length=1024,
        )
        not_holder_text: str = Field(
            default="Por segurança, o desbloqueio só pode ser pedido pelo telefone do titular "
            "cadastrado no contrato.",
            max_length=1024,
        )
        not_blocked_text: str = Field(
            default="Seu contrato não está bloqueado, não há o que desbloquear.",
            max_length=1024,
        )
        refused_text: str = Field(
            default="Não foi possível fazer o desbloqueio em confiança: {{erp_mensagem}}",
            max_length=1024,
        )

    def answered(self, ctx, card, data):
        s = card.settings
        ctx.set_var("erp_mensagem", str(data.get("message") or ""))
        if data.get("unlocked"):
            ctx.emit(actions.SendText(text=ctx.render(s.unlocked_text)))
            return Next("unlocked")
        reason = str(data.get("reason") or "refused")
        ctx.set_var("desbloqueio_motivo", reason)
        ctx.set_var("desbloqueio_disponivel", str(data.get("available_on") or ""))
        text = {
            "used": s.used_text, "not_holder": s.not_holder_text,
            "not_blocked": s.not_blocked_text,
        }.get(reason, s.refused_text)  # fmt: skip
        ctx.emit(actions.SendText(text=ctx.render(text)))
        return Next("not_allowed")


ERP_ID = r"^[0-9A-Za-z_-]{0,40}$"  # an id in the ERP (department, subject), or empty


@register
class ErpTicket(_ErpCard):
    """Abrir atendimento no ERP: identifies the client, then asks (each a list message, unless
    the card fixes it or there is only one) the contract, the ERP's department ("setor"; on
    IXC only those that "prestam atendimento externo"), the subject ("assunto") and a short
    description; the ERP opens the ticket and its number goes back to the client
    ({{erp_protocolo}}). No department or subject in the ERP, or a fixed one it does not have:
    `error` with {{erp_erro}} = `no_options`."""

    type = "erp_ticket"
    label = "ERP: abrir atendimento"
    action = "ticket"
    effect = "erp_ticket_options"
    fixed_outputs = ("opened", "not_found", "max_attempts", "error")
    can_wait: ClassVar[bool] = True

    class Settings(_ErpSettings):
        department: str = Field(default="", max_length=40)  # fixed: not asked
        subject: str = Field(default="", max_length=40)  # fixed: not asked
        contract_text: str = Field(
            default="Encontramos mais de um contrato. O atendimento é sobre qual deles?",
            max_length=1024,
        )
        department_text: str = Field(default="Para qual setor é o atendimento?", max_length=1024)
        subject_text: str = Field(default="Qual é o assunto?", max_length=1024)
        description_text: str = Field(
            default="Descreva em poucas palavras o que está acontecendo.", max_length=1024
        )
        opened_text: str = Field(
            default="Pronto! Abrimos o atendimento nº {{erp_protocolo}}. Nossa equipe vai te "
            "retornar por aqui.",
            max_length=1024,
        )

        @field_validator("department", "subject")
        @classmethod
        def _erp_id(cls, value: str) -> str:
            value = value.strip()
            if not re.fullmatch(ERP_ID, value):
                raise ValueError("use o código do cadastro no ERP (ex.: 3), ou deixe vazio")
            return value

    def answered(self, ctx, card, data):
        s = card.settings
        departments, subjects = (
            list(data.get("departments") or []),
            list(data.get("subjects") or []),
        )
        if s.department:
            departments = [d for d in departments if str(d["id"]) == s.department]
        if s.subject:
            subjects = [o for o in subjects if str(o["id"]) == s.subject]
        if not departments or not subjects:
            ctx.set_var("erp_erro", "no_options")
            ctx.emit(actions.SendText(text=ctx.render(s.error_text)))
            return Next("error")
        state = {
            "phase": "", "document": ctx.wait_data.get("document", ""),
            "customer": (data.get("customer") or {}).get("id", ""),
            "contracts": list(data.get("contracts") or [])[:10], "departments": departments,
            "subjects": subjects, "contract": "", "department": None, "subject": None,
        }  # fmt: skip
        return self._next_question(ctx, card, state)

    def _next_question(self, ctx, card, state: dict):
        """Ask what is still open, in order; a single option is taken without asking."""
        s = card.settings
        if not state["contract"]:
            if len(state["contracts"]) == 1:
                state["contract"] = str(state["contracts"][0]["id"])
            else:
                return self._offer(ctx, s.contract_text, "contract",
                                   _contract_items(state["contracts"]), state)  # fmt: skip
        for key, text in (("department", s.department_text), ("subject", s.subject_text)):
            options = state[f"{key}s"]
            if state[key] is None:
                if len(options) == 1:
                    state[key] = options[0]
                    continue
                items = [{"id": o["id"], "title": o["name"]} for o in options]
                return self._offer(ctx, text, key, items, state)
        ctx.emit(actions.SendText(text=ctx.render(s.description_text)))
        return Wait(data={**state, "phase": "description", "attempts": 0})

    def resume(self, ctx, card, event):
        phase = ctx.wait_data.get("phase")
        if phase not in ("contract", "department", "subject", "description", "opening"):
            return super().resume(ctx, card, event)
        if phase == "opening":
            return Ignore() if event.kind != "result" else self._opened(ctx, card, event.data)
        if event.kind != "message":
            return Ignore()
        state = {k: v for k, v in ctx.wait_data.items() if k not in ("items", "attempts")}
        if phase == "description":
            return self._open(ctx, state, event.text.strip())
        item, outcome = self._pick(ctx, card, event, "Escolha uma das opções da lista.")
        if item is None:
            return outcome
        if phase == "contract":
            state["contract"] = str(item["id"])
        else:
            state[phase] = next(o for o in state[f"{phase}s"] if str(o["id"]) == str(item["id"]))
        return self._next_question(ctx, card, state)

    def _open(self, ctx, state: dict, text: str):
        payload = {
            "document": state["document"], "customer": state["customer"],
            "contract": state["contract"], "department": state["department"],
            "subject": state["subject"], "text": text or state["subject"]["name"],
        }  # fmt: skip
        ctx.emit(actions.Effect(name="erp_ticket_open", payload=payload, token=ctx.token()))
        return Wait(data={"phase": "opening", "document": state["document"]})

    def _opened(self, ctx, card, data):
        s = card.settings
        if not data.get("ok"):
            ctx.set_var("erp_erro", str(data.get("error") or "falha"))
            ctx.emit(actions.SendText(text=ctx.render(s.error_text)))
            return Next("error")
        ctx.set_var("erp_protocolo", str(data.get("number") or ""))
        ctx.emit(actions.SendText(text=ctx.render(s.opened_text)))
        return Next("opened")


SSID_MAX_BYTES = 32  # IEEE 802.11: an SSID is 0-32 octets
WIFI_PASSWORD = re.compile(r"[\x20-\x7e]{8,63}")  # WPA2 passphrase: 8-63 printable ASCII


def wifi_ssid_problem(ssid: str) -> str:
    if not ssid or ssid != ssid.strip():
        return "O nome da rede não pode ser vazio nem começar ou terminar com espaço."
    if len(ssid.encode()) > SSID_MAX_BYTES:
        return "O nome da rede pode ter no máximo 32 caracteres (sem acentos)."
    return ""


@register
class ErpWifi(_ErpCard):
    """Alterar Wi-Fi pelo ERP (its CPE/ACS manager): identifies the client, picks the contract
    (only those whose holder's phone is the conversation's, unless `holder_only` is off), asks
    the new network name (1-32 bytes) and password (8-63 printable characters, the WPA2 rule;
    the ERP may have more), asks to confirm with the password masked, and has the ERP apply it.
    The password is never echoed: the client's message is hidden in the history
    (`message_redact`), and the run keeps it only sealed (`core.crypto`) until the ERP call.
    Outputs: `changed`, `cancelled`, `not_allowed` ({{wifi_motivo}} = `not_holder`,
    `no_contract` or `refused` with {{erp_mensagem}}), `not_found`, `max_attempts`, `error`."""

    type = "erp_wifi"
    label = "ERP: alterar Wi-Fi"
    action = "wifi"
    effect = "erp_wifi_lookup"
    fixed_outputs = ("changed", "cancelled", "not_allowed", "not_found", "max_attempts", "error")
    optional_outputs = ("cancelled", "max_attempts", "error")
    can_wait: ClassVar[bool] = True

    class Settings(_ErpSettings):
        holder_only: bool = True
        contract_text: str = Field(
            default="Encontramos mais de um contrato. Qual Wi-Fi você quer alterar?",
            max_length=1024,
        )
        ssid_text: str = Field(default="Qual vai ser o novo nome da rede Wi-Fi?", max_length=1024)
        password_text: str = Field(
            default="Agora envie a nova senha do Wi-Fi (de 8 a 63 caracteres, sem acentos). "
            "Ela não aparece no histórico da conversa.",
            max_length=1024,
        )
        password_invalid_text: str = Field(
            default="A senha precisa ter de 8 a 63 caracteres, sem acentos nem emojis. Envie "
            "outra.",
            max_length=1024,
        )
        confirm_text: str = Field(
            default="Confirma a troca do Wi-Fi? Rede: {{wifi_rede}} — senha: {{wifi_senha}}",
            max_length=1024,
        )
        changed_text: str = Field(
            default="Pronto! O roteador vai reiniciar com a nova rede em alguns minutos. "
            "Conecte-se a {{wifi_rede}} com a nova senha.",
            max_length=1024,
        )
        cancelled_text: str = Field(default="Tudo bem, o Wi-Fi não foi alterado.", max_length=1024)
        not_holder_text: str = Field(
            default="Por segurança, o Wi-Fi só pode ser alterado pelo telefone do titular "
            "cadastrado no contrato.",
            max_length=1024,
        )
        refused_text: str = Field(
            default="O sistema do provedor não aceitou a troca: {{erp_mensagem}}",
            max_length=1024,
        )

    def answered(self, ctx, card, data):
        s = card.settings
        contracts = list(data.get("contracts") or [])
        allowed = [c for c in contracts if c.get("holder") or not s.holder_only]
        if not allowed:
            reason = "not_holder" if contracts else "no_contract"
            return self._not_allowed(ctx, s.not_holder_text if contracts else s.not_found_text,
                                     reason)  # fmt: skip
        state = {
            "document": ctx.wait_data.get("document", ""), "contracts": allowed,
            "customer": (data.get("customer") or {}).get("id", ""),
        }  # fmt: skip
        if len(allowed) == 1:
            return self._ask_ssid(ctx, card, {**state, "contract": str(allowed[0]["id"])})
        return self._offer(ctx, s.contract_text, "contract", _contract_items(allowed), state)

    def _not_allowed(self, ctx, text, reason):
        ctx.set_var("wifi_motivo", reason)
        ctx.emit(actions.SendText(text=ctx.render(text)))
        return Next("not_allowed")

    def _ask_ssid(self, ctx, card, state):
        ctx.emit(actions.SendText(text=ctx.render(card.settings.ssid_text)))
        return Wait(data={**state, "phase": "ssid", "attempts": 0})

    def _again(self, ctx, card, text):
        attempts = int(ctx.wait_data.get("attempts", 0)) + 1
        if attempts >= card.settings.max_attempts:
            return self._max_attempts(ctx, card)
        ctx.emit(actions.SendText(text=ctx.render(text)))
        return Wait(data={**ctx.wait_data, "attempts": attempts})

    def resume(self, ctx, card, event):
        phase = ctx.wait_data.get("phase")
        if phase not in ("contract", "ssid", "password", "confirm", "applying"):
            return super().resume(ctx, card, event)
        if phase == "applying":
            return Ignore() if event.kind != "result" else self._applied(ctx, card, event.data)
        if event.kind != "message":
            return Ignore()
        return getattr(self, f"_on_{phase}")(ctx, card, event)

    def _on_contract(self, ctx, card, event):
        item, outcome = self._pick(ctx, card, event, "Escolha um dos contratos da lista.")
        if item is None:
            return outcome
        return self._ask_ssid(ctx, card, {**ctx.wait_data, "contract": str(item["id"])})

    def _on_ssid(self, ctx, card, event):
        ssid = event.text.strip()
        problem = wifi_ssid_problem(ssid)
        if problem:
            return self._again(ctx, card, problem)
        ctx.emit(actions.SendText(text=ctx.render(card.settings.password_text)))
        return Wait(data={**ctx.wait_data, "phase": "password", "ssid": ssid, "attempts": 0})

    def _on_password(self, ctx, card, event):
        # Whatever was typed here may be a password: hidden in the history, valid or not.
        ctx.emit(actions.Effect(name="message_redact", payload={
            "message": event.message, "placeholder": "[senha do Wi-Fi oculta]"}))  # fmt: skip
        password = event.text
        if not WIFI_PASSWORD.fullmatch(password):
            return self._again(ctx, card, card.settings.password_invalid_text)
        ctx.set_var("wifi_rede", ctx.wait_data["ssid"])
        ctx.set_var("wifi_senha", "•" * 8)
        ctx.emit(
            actions.SendChoices(
                text=ctx.render(card.settings.confirm_text),
                options=(actions.Option(id="sim", title="Sim, alterar"),
                         actions.Option(id="nao", title="Não, cancelar")),
            )
        )  # fmt: skip
        sealed = crypto.encrypt(password)  # the run state and its log keep only this
        return Wait(data={**ctx.wait_data, "phase": "confirm", "sealed": sealed, "attempts": 0})

    def _on_confirm(self, ctx, card, event):
        answer = fold(event.choice or event.text)
        if answer in ("nao", "n", "2", "cancelar", "nao cancelar"):
            ctx.emit(actions.SendText(text=ctx.render(card.settings.cancelled_text)))
            return Next("cancelled")
        if answer not in ("sim", "s", "1", "sim alterar"):
            return self._again(ctx, card, "Responda Sim para alterar ou Não para cancelar.")
        w = ctx.wait_data
        payload = {
            "document": w["document"], "customer": w["customer"], "contract": w["contract"],
            "ssid": w["ssid"], "password_sealed": w["sealed"],
        }  # fmt: skip
        ctx.emit(actions.Effect(name="erp_wifi_change", payload=payload, token=ctx.token()))
        return Wait(data={"phase": "applying", "document": w["document"]})

    def _applied(self, ctx, card, data):
        s = card.settings
        if not data.get("ok"):
            ctx.set_var("erp_erro", str(data.get("error") or "falha"))
            ctx.emit(actions.SendText(text=ctx.render(s.error_text)))
            return Next("error")
        ctx.set_var("erp_mensagem", str(data.get("message") or ""))
        if not data.get("changed"):
            return self._not_allowed(ctx, s.refused_text, "refused")
        ctx.emit(actions.SendText(text=ctx.render(s.changed_text)))
        return Next("changed")


# What the diagnosis card routes on, in this order: the first that holds is the output.
DIAGNOSIS_OUTPUTS = ("inactive", "blocked", "overdue", "offline", "online", "active")


def diagnosis_of(contract: dict) -> str:
    if contract.get("status") in ("inactive", "cancelled"):
        return "inactive"
    if contract.get("status") in ("blocked", "reduced"):
        return "blocked"
    if contract.get("overdue"):
        return "overdue"
    if contract.get("online") is False:
        return "offline"
    return "online" if contract.get("online") else "active"


@register
class ErpDiagnosis(_ErpCard):
    """Condicional / diagnóstico: asks the ERP about the client's contract (a list to choose
    when there are several) and routes on the first that holds: `inactive` (inactive or
    cancelled), `blocked` (blocked or reduced speed), `overdue` (an open invoice past due),
    `offline` / `online` (the ERP's RADIUS or connection records), `active` (the ERP does not
    tell whether it is connected). Variables for the next cards (or a `condition` card on
    {{diagnostico}}): `diagnostico`, `contrato`, `contrato_status`, `em_atraso` and
    `desbloqueio_usado` ("sim"/"não"), `conexao` ("online"/"offline"/""), `conexao_sinal`
    (dBm, as the ERP recorded it), `conexao_inicio` and `conexao_fim` of the last session,
    `conexao_motivo` (why it disconnected)."""

    type = "erp_diagnosis"
    label = "ERP: diagnóstico da conexão"
    action = "diagnosis"
    effect = "erp_diagnosis"
    fixed_outputs = (*DIAGNOSIS_OUTPUTS, "not_found", "max_attempts", "error")
    # Every diagnosis may go on to the next card in the flow's own way: none is required.
    optional_outputs = (*DIAGNOSIS_OUTPUTS, "max_attempts", "error")
    can_wait: ClassVar[bool] = True

    class Settings(_ErpSettings):
        check_overdue: bool = True  # ask the ERP's open invoices (more calls on some ERPs)
        choose_text: str = Field(
            default="Encontramos mais de um contrato. De qual deles você está falando?",
            max_length=1024,
        )

    def effect_payload(self, card, document):
        return {"document": document, "overdue": card.settings.check_overdue}

    def answered(self, ctx, card, data):
        contracts = list(data.get("contracts") or [])
        if not contracts:
            return self._retry(ctx, card, card.settings.not_found_text)
        live = [c for c in contracts if c.get("status") != "cancelled"] or contracts[:1]
        if len(live) == 1:
            return self._route(ctx, live[0])
        return self._offer(
            ctx, card.settings.choose_text, "contract", _contract_items(live),
            {"contracts": live},
        )  # fmt: skip

    def _route(self, ctx, contract: dict):
        output = diagnosis_of(contract)
        online = contract.get("online")
        for name, value in (
            ("diagnostico", output), ("contrato", contract.get("id", "")),
            ("contrato_status", contract.get("status", "")),
            ("em_atraso", "sim" if contract.get("overdue") else "não"),
            ("desbloqueio_usado", "sim" if contract.get("unlock_used") else "não"),
            ("conexao", "" if online is None else ("online" if online else "offline")),
            ("conexao_sinal", contract.get("signal", "")),
            ("conexao_inicio", contract.get("session_started", "")),
            ("conexao_fim", contract.get("session_ended", "")),
            ("conexao_motivo", contract.get("disconnect_reason", "")),
        ):  # fmt: skip
            ctx.set_var(name, value)
        return Next(output)

    def resume(self, ctx, card, event):
        if ctx.wait_data.get("phase") != "contract":
            return super().resume(ctx, card, event)
        if event.kind != "message":
            return Ignore()
        item, outcome = self._pick(ctx, card, event, "Escolha um dos contratos da lista.")
        if item is None:
            return outcome
        chosen = next(c for c in ctx.wait_data["contracts"] if str(c["id"]) == str(item["id"]))
        return self._route(ctx, chosen)


# Card type -> the ERP action it needs (read by the import's capability check).
ERP_CARD_ACTIONS = {
    c.type: c.action for c in (ErpInvoice, ErpTrustUnlock, ErpDiagnosis, ErpTicket, ErpWifi)
}
