"""The journeys' `ClientMessenger` over WhatsApp: the conversation layer sends, the flow runtime
runs the formalization assistant (settings.JOURNEY_MESSENGER =
"formaliza.flows.adapters.whatsapp_messenger.WhatsAppMessenger").

- The first link (`reason="initial"`): the conversation is business-initiated, so the invitation
  goes as the approved template settings.FORMALIZATION_INVITE_TEMPLATE (body variable: the
  client's name), and the tenant's formalization flow starts on that conversation (installed on
  first use: `flows.defaults.formalization_flow_ensure`). The flow greets, asks for the opt-in and
  sends the link when the client replies. When the client's conversation is with people (an
  attendant holds it, or it waits in a queue) the flow does not take it: its run waits as
  "pending", a note tells the attendant, and the attendant starts it from the inbox or not.
- Later links (`resend`, `renew`, `requested`): free text inside the 24-hour window, else the
  template settings.FORMALIZATION_LINK_TEMPLATE (client's name, link).
- Completion: free text inside the window, else settings.FORMALIZATION_DONE_TEMPLATE (client's
  name, formalization number).

The channel is the tenant's first active WhatsApp channel. The evidence kept by the journey is
the conversation message's public id (its receipts are in the conversation). Refusals by the
conversation's gates (opted out, template missing or not approved, no channel, flow not
published) are final; database hiccups are retried by the journeys' sender.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, transaction

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import Tenant
from formaliza.conversations.errors import MessageRefused
from formaliza.conversations.models import Channel, Conversation, ConversationNote, Message
from formaliza.conversations.services import message_send_template, message_send_text
from formaliza.conversations.services.inbox import note_add
from formaliza.core import clock
from formaliza.core.errors import ApplicationError
from formaliza.flows.defaults import formalization_flow_ensure
from formaliza.flows.models import FlowRun
from formaliza.journeys.ports import CompletionMessage, LinkMessage, MessengerError, SendResult

logger = logging.getLogger(__name__)

PROVIDER = "whatsapp"
ACTOR_NAME = "assistente de formalização"


def whatsapp_channel(tenant_id: int) -> Channel:
    channel = (
        Channel.objects.select_related("tenant")
        .filter(tenant_id=tenant_id, kind=Channel.Kind.WHATSAPP, is_active=True)
        .order_by("pk")
        .first()
    )
    if channel is None:
        raise MessengerError(
            "Nenhum canal de WhatsApp ativo para enviar a mensagem ao cliente.", retryable=False
        )
    return channel


def _leave_to_people(conversation: Conversation, flow, context: dict, variables: dict) -> None:
    """The client's conversation is with people (an attendant holds it, or it waits in a queue):
    the assistant does not take it from them. Its run waits as "pending" and a note tells the
    attendant, who starts it from the inbox (`FlowBot.start_pending`) or carries on by hand."""
    run = FlowRun.objects.create(
        tenant_id=conversation.tenant_id, conversation=conversation, flow=flow,
        version=flow.live, status=FlowRun.Status.PENDING, context={**context, "variables": variables},
        reason="atendimento com pessoas",
    )  # fmt: skip
    holder = (
        f"com {conversation.assignee.display_name}"
        if conversation.handler == Conversation.Handler.AGENT and conversation.assignee
        else "na fila de atendimento"
    )
    note_add(
        conversation=conversation, kind=ConversationNote.Kind.NOTE, run_id=run.pk,
        text=(
            f"Formalização {context['formalization']}: o convite foi enviado ao cliente, mas o "
            f"assistente de formalização não foi iniciado porque este atendimento está {holder}. "
            "Para o assistente conduzir o cliente, use “Iniciar assistente de formalização”; "
            "ou continue o atendimento e envie o link pela jornada."
        ),
    )  # fmt: skip


def _when(value) -> str:
    return clock.local(value).strftime("%d/%m/%Y às %H:%M")


def link_text(message: LinkMessage) -> str:
    until = f"O link vale até {_when(message.expires_at)}."
    if message.reason in ("renew", "requested"):
        return (
            f"{message.client_name}, aqui está o seu novo link para continuar a formalização: "
            f"{message.link_url}\n{until} O link anterior não vale mais."
        )
    return (
        f"{message.client_name}, para continuar a sua formalização acesse o link: "
        f"{message.link_url}\n{until}"
    )


def completion_text(message: CompletionMessage) -> str:
    return (
        f"Pronto, {message.client_name}! Recebemos a sua assinatura e a formalização "
        f"{message.formalization_number} foi concluída. Obrigado!"
    )


class WhatsAppMessenger:
    def send_link(self, message: LinkMessage) -> SendResult:
        if message.reason == "initial":
            return self._guarded(self._invite, message)
        return self._guarded(
            self._text_or_template, message, text=link_text(message),
            template=settings.FORMALIZATION_LINK_TEMPLATE,
            variables=[message.client_name, message.link_url],
            key="",  # the same link may be sent again on purpose ("1 – Continuar")
        )  # fmt: skip

    def send_completion(self, message: CompletionMessage) -> SendResult:
        return self._guarded(
            self._text_or_template, message, text=completion_text(message),
            template=settings.FORMALIZATION_DONE_TEMPLATE,
            variables=[message.client_name, message.formalization_number],
            key=f"journey:{message.journey_id}:concluida",
        )  # fmt: skip

    # --- internals ------------------------------------------------------------------------------

    def _guarded(self, fn, message, **kwargs) -> SendResult:
        try:
            sent = fn(message, **kwargs)
        except MessengerError:
            raise
        except ApplicationError as exc:  # gates, template problems, flow not published
            raise MessengerError(f"{exc.message} ({exc.code})", retryable=False) from exc
        except DatabaseError as exc:  # a lock timeout, a dropped connection: try again later
            raise MessengerError(f"Falha temporária: {type(exc).__name__}", retryable=True) from exc
        return SendResult(provider=PROVIDER, message_id=str(sent.public_id))

    def _actor(self, tenant: Tenant) -> Actor:
        return Actor.of_system(tenant, ACTOR_NAME)

    def _invite(self, message: LinkMessage) -> Message:
        from formaliza.flows.services.runtime import run_start

        channel = whatsapp_channel(message.tenant_id)
        flow = formalization_flow_ensure(tenant=channel.tenant)
        if flow is None or flow.live_id is None or flow.archived_at is not None:
            raise MessengerError(
                "O fluxo de formalização do WhatsApp não está publicado: publique-o em Fluxos.",
                retryable=False,
            )
        reference = f"journey:{message.journey_id}"
        with transaction.atomic():
            sent = message_send_template(
                actor=self._actor(channel.tenant), channel=channel, to=message.phone,
                template=settings.FORMALIZATION_INVITE_TEMPLATE, variables=[message.client_name],
                reference=reference, idempotency_key=f"{reference}:convite",
            )  # fmt: skip
            started = FlowRun.objects.filter(
                conversation_id=sent.conversation_id, context__journey=message.journey_id
            ).exists()
            if started:  # a retried call after a crash finds the run already there
                return sent
            context = {"journey": message.journey_id, "formalization": message.formalization_number}
            variables = {"formalizacao": message.formalization_number}
            conversation = (
                Conversation.objects.select_for_update(of=("self",))
                .select_related("assignee")
                .get(pk=sent.conversation_id)
            )
            if conversation.handler == Conversation.Handler.BOT:
                run_start(
                    conversation=conversation, flow=flow, context=context, variables=variables
                )
            else:
                _leave_to_people(conversation, flow, context, variables)
        return sent

    def _text_or_template(
        self, message, *, text: str, template: str, variables: list[str], key: str
    ) -> Message:
        channel = whatsapp_channel(message.tenant_id)
        actor = self._actor(channel.tenant)
        reference = f"journey:{message.journey_id}"
        try:
            return message_send_text(
                actor=actor, channel=channel, to=message.phone, text=text, reference=reference,
                idempotency_key=f"{key}:texto" if key else "",
            )  # fmt: skip
        except MessageRefused as exc:
            if exc.code != "window_closed":
                raise
        return message_send_template(
            actor=actor, channel=channel, to=message.phone, template=template,
            variables=variables, reference=reference,
            idempotency_key=f"{key}:modelo" if key else "",
        )  # fmt: skip
