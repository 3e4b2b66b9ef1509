"""Where an inbound message gets its reply. inbound.py stores the client's message and hands
it here; this module decides what answers it:

- a consent command (`/bloquear`, `/desbloquear` or the channel's words) is honoured at once,
  with the channel's confirmation;
- "Mais opções" on a paged list gets the next page;
- anything else goes to the handlers named in CONVERSATION_INBOUND_HANDLERS (the flows, which
  answer from their own task), and a new atendimento gets the channel's welcome.

The client's message is already stored when this runs, and nothing here can undo it: the
automatic replies are written with `record_refusal` (a gate's refusal is kept as a failed
message with its reason, never raised), and any other error of a reply is contained in the
reply's own savepoint and logged.
"""

from __future__ import annotations

import logging

from django.db import transaction

from formaliza.accounts.actors import Actor
from formaliza.conversations import choices as choice_rules
from formaliza.conversations.content import Interactive
from formaliza.conversations.models import Channel, ContactHandle, Message
from formaliza.conversations.services.conversations import consent_opt_in, consent_opt_out
from formaliza.conversations.services.hooks import inbound_handlers_enqueue
from formaliza.conversations.services.outbound import (
    choices_outgoing,
    message_send,
    message_send_text,
)
from formaliza.core.errors import ApplicationError

logger = logging.getLogger(__name__)


def inbound_message_answer(*, message: Message, opened: bool) -> None:
    """Answer a stored inbound message; `opened` when it opened a new atendimento."""
    channel, handle = message.channel, message.handle
    if _consent_command(channel, handle, message):
        return
    page = choice_rules.more_page_requested(message.choice_id)
    if page is not None and message.reply_to is not None:
        _reply(lambda: message_send_choices_page(offer=message.reply_to, page=page))
        return
    inbound_handlers_enqueue(message_id=message.pk)
    if opened and channel.welcome_text:
        _reply(lambda: _welcome(channel, handle))


def _reply(send) -> None:
    """Run one automatic reply in its own savepoint: its failure is logged and undoes only
    itself."""
    try:
        with transaction.atomic():
            send()
    except ApplicationError as exc:
        logger.warning("automatic reply not sent: %s %s", exc.code, exc.message)


def _normalized(text: str) -> str:
    return " ".join((text or "").strip().casefold().split())


def _consent_command(channel: Channel, handle: ContactHandle, message: Message) -> bool:
    """`/bloquear` (or the channel's words) opts out of this channel at once; `/desbloquear`
    opts back in. Consent commands are the client talking to the channel, not to a flow."""
    if message.kind != Message.Kind.TEXT:
        return False
    said = _normalized(message.body)
    if said in {_normalized(k) for k in channel.opt_out_keywords or []}:
        Message.objects.filter(pk=message.pk).update(consent_action="opt_out")
        changed = consent_opt_out(handle=handle, source=f"palavra-chave: {message.body.strip()}")
        if changed and channel.opt_out_reply:
            actor = Actor.of_system(channel.tenant, "consentimento")
            _reply(
                lambda: message_send_text(
                    actor=actor,
                    channel=channel,
                    to=handle,
                    text=channel.opt_out_reply,
                    bypass_consent=True,
                    record_refusal=True,
                )
            )
        return True
    if said in {_normalized(k) for k in channel.opt_in_keywords or []}:
        Message.objects.filter(pk=message.pk).update(consent_action="opt_in")
        consent_opt_in(handle=handle, source=f"palavra-chave: {message.body.strip()}")
        return True
    return False


def _welcome(channel: Channel, handle: ContactHandle) -> None:
    """The channel's greeting when a client opens a new atendimento (optional)."""
    actor = Actor.of_system(channel.tenant, "boas-vindas")
    choices = [c for c in channel.welcome_choices or [] if str(c).strip()]
    if choices:
        outgoing = choices_outgoing(
            channel=channel, body=channel.welcome_text,
            choices=[(f"boas-vindas:{n}", str(c)) for n, c in enumerate(choices, start=1)],
        )  # fmt: skip
        message_send(
            actor=actor, channel=channel, to=handle, outgoing=outgoing, record_refusal=True
        )
    else:
        message_send_text(
            actor=actor, channel=channel, to=handle, text=channel.welcome_text,
            record_refusal=True,
        )  # fmt: skip


def message_send_choices_page(*, offer: Message, page: int) -> Message | None:
    """Send page `page` of a paged list again offered by `offer` (the client tapped 'Mais
    opções'). Part of inbound processing: same conversation, same reference."""
    content = offer.content
    if content.get("type") != "interactive" or content.get("style") != "list":
        return None
    outgoing = choices_outgoing(
        channel=offer.channel, body=content["body"], choices=content["choices"],
        header=content.get("header", ""), footer=content.get("footer", ""),
        button=content.get("button", ""), mode="list", page=page,
    )  # fmt: skip
    if not isinstance(outgoing.content, Interactive) or outgoing.content.page != page:
        return None
    actor = Actor.of_system(offer.tenant, "conversas")
    return message_send(
        actor=actor, channel=offer.channel, to=offer.handle, outgoing=outgoing,
        reference=offer.reference, record_refusal=True,
    )  # fmt: skip
