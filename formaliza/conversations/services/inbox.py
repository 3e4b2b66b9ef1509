"""The attendants' inbox: conversations a flow handed over wait in their department's queue;
an attendant takes one, replies through the conversation layer (the same gates as everyone:
24-hour window, consent), notes, transfers it to another department, gives it back to the bot,
or finishes it with a finalization status.

The bot (settings.CONVERSATION_BOT, a `ports.ConversationBot`) is told when people take over and
when a conversation is given back; a flow hands a conversation over with
`conversation_hand_over`. Every write locks the conversation row (the flow runtime locks it too),
so an attendant and a flow step never interleave, and two attendants cannot both take the same
conversation."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import User
from formaliza.accounts.roles import Perm
from formaliza.conversations.models import (
    Conversation,
    ConversationNote,
    Department,
    FinalizationStatus,
    Message,
)
from formaliza.conversations.ports import BotRun, ConversationBot
from formaliza.conversations.services.conversations import conversation_close, conversation_locked
from formaliza.conversations.services.outbound import message_send_text
from formaliza.core import clock
from formaliza.core.errors import Conflict, FieldError, NotFound, ValidationFailed

TAKEN_OVER = "assumido por atendente"


class NoBot:
    """No bot configured: nothing runs on conversations, nothing can be started."""

    def last_run(self, *, conversation_id: int) -> BotRun | None:
        return None

    def stop(self, *, conversation_id: int, reason: str) -> None:
        return None

    def startable(self, *, tenant_id: int) -> list[tuple[int, str]]:
        return []

    def start(self, *, conversation_id: int, flow_id: int, released_by: int) -> None:
        raise NotFound("Fluxo publicado")

    def pending(self, *, conversation_id: int) -> list[tuple[int, str]]:
        return []

    def start_pending(self, *, conversation_id: int, run_id: int, started_by: int) -> None:
        raise NotFound("Assistente pendente")


@cache
def _bot_class(path: str) -> type:
    return import_string(path)


def conversation_bot() -> ConversationBot:
    path = settings.CONVERSATION_BOT
    return _bot_class(path)() if path else NoBot()


def note_add(
    *, conversation: Conversation, kind: str, text: str, run_id: int | None = None, author=None
) -> ConversationNote:
    return ConversationNote.objects.create(
        tenant_id=conversation.tenant_id, conversation=conversation, run_id=run_id, kind=kind,
        text=text.strip()[:4000], author=author, created_at=clock.now(),
    )  # fmt: skip


def conversation_hand_over(
    *, conversation: Conversation, department: str = "", attendant: str = "", note: str = "",
    run_id: int | None = None,
) -> Conversation:  # fmt: skip
    """The bot hands the conversation to people: to one attendant (`attendant`, a username:
    handler "agent") or to a department's queue (`department`, an id or a name: handler
    "queue"; none found means the tenant's general queue). Call it with the row locked."""
    found = None
    if department:
        departments = Department.objects.filter(tenant_id=conversation.tenant_id, is_active=True)
        found = (
            departments.filter(pk=int(department)).first()
            if department.isdigit()
            else departments.filter(name__iexact=department.strip()).first()
        )
    person = None
    if attendant:
        person = User.objects.filter(
            tenant_id=conversation.tenant_id, username=attendant, is_active=True
        ).first()
    conversation.department, conversation.assignee = found, person
    conversation.handler = Conversation.Handler.AGENT if person else Conversation.Handler.QUEUE
    conversation.save(update_fields=["department", "assignee", "handler", "updated_at"])
    if note:
        note_add(conversation=conversation, kind="transfer", text=note, run_id=run_id)
    return conversation


def _locked(actor: Actor, conversation_id: int) -> Conversation:
    actor.require(Perm.CONVERSATION_REPLY)
    conversation = conversation_locked(
        tenant=actor.tenant, conversation_id=conversation_id, related=("assignee",)
    )
    if conversation.status != Conversation.Status.OPEN:
        raise Conflict("conversation_closed", "Este atendimento já foi encerrado.")
    return conversation


def _save(conversation: Conversation, *fields: str) -> None:
    conversation.save(update_fields=[*fields, "updated_at"])


def _stop_bot(conversation: Conversation) -> None:
    """People take over: a run still active on the conversation ends ("assumido")."""
    conversation_bot().stop(conversation_id=conversation.pk, reason=TAKEN_OVER)


def inbox_take(*, actor: Actor, conversation_id: int) -> Conversation:
    """The attendant takes the conversation (from a queue, or from the bot)."""
    with transaction.atomic():
        conversation = _locked(actor, conversation_id)
        held = conversation.handler == Conversation.Handler.AGENT
        if held and conversation.assignee_id and conversation.assignee_id != actor.user.pk:
            raise Conflict(
                "conversation_taken",
                f"Este atendimento já está com {conversation.assignee.display_name}.",
            )
        _stop_bot(conversation)
        conversation.assignee = actor.user
        conversation.handler = Conversation.Handler.AGENT
        _save(conversation, "assignee", "handler")
    return conversation


def inbox_assign(*, actor: Actor, conversation_id: int, user_id: int) -> Conversation:
    with transaction.atomic():
        conversation = _locked(actor, conversation_id)
        user = User.objects.filter(tenant=actor.tenant, pk=user_id, is_active=True).first()
        if user is None or not user.has_perm_code(Perm.CONVERSATION_REPLY):
            raise NotFound("Atendente")
        _stop_bot(conversation)
        conversation.assignee, conversation.handler = user, Conversation.Handler.AGENT
        _save(conversation, "assignee", "handler")
    return conversation


def inbox_transfer(
    *, actor: Actor, conversation_id: int, department_id: int, note: str = ""
) -> Conversation:
    """To another department's queue (nobody holds it until someone takes it)."""
    with transaction.atomic():
        conversation = _locked(actor, conversation_id)
        department = Department.objects.filter(
            tenant=actor.tenant, pk=department_id, is_active=True
        ).first()
        if department is None:
            raise NotFound("Setor")
        _stop_bot(conversation)
        conversation.department, conversation.assignee = department, None
        conversation.handler = Conversation.Handler.QUEUE
        _save(conversation, "department", "assignee", "handler")
        text = f"Transferido para {department.name} por {actor.label}."
        if note.strip():
            text += f" {note.strip()}"
        note_add(conversation=conversation, kind="transfer", text=text, author=actor.user)
    return conversation


def inbox_reply(*, actor: Actor, conversation_id: int, text: str) -> Message:
    """Free text from the attendant (raises MessageRefused / InvalidContent in pt-BR: outside
    the 24-hour window only templates go)."""
    with transaction.atomic():
        conversation = _locked(actor, conversation_id)
        if conversation.handler == Conversation.Handler.BOT:
            raise Conflict(
                "conversation_with_bot",
                "Este atendimento está com o assistente virtual. Assuma-o antes de responder.",
            )
        return message_send_text(
            actor=actor, channel=conversation.channel_id, to=conversation.handle, text=text
        )


def inbox_release(
    *, actor: Actor, conversation_id: int, flow_id: int | None = None
) -> Conversation:
    """Give the conversation back to the bot. With `flow_id`, that published flow starts now
    (a satisfaction survey after the attendance, say); without, the client's next message
    starts the tenant's inbound flow. The attendant stays on record for `{{atendente}}` and
    surveys counted for the attendant."""
    with transaction.atomic():
        conversation = _locked(actor, conversation_id)
        bot = conversation_bot()
        if flow_id is not None and flow_id not in dict(bot.startable(tenant_id=actor.tenant.pk)):
            raise NotFound("Fluxo publicado")
        conversation.handler = Conversation.Handler.BOT
        _save(conversation, "handler")
        if flow_id is not None:
            bot.start(conversation_id=conversation.pk, flow_id=flow_id, released_by=actor.user.pk)
    return conversation


def inbox_assistant_start(*, actor: Actor, conversation_id: int, run_id: int) -> Conversation:
    """The attendant decides to let the assistant waiting on this conversation (the
    formalization's, left pending because people held it) take it now: the bot runs it."""
    with transaction.atomic():
        conversation = _locked(actor, conversation_id)
        bot = conversation_bot()
        if run_id not in dict(bot.pending(conversation_id=conversation.pk)):
            raise NotFound("Assistente pendente")
        bot.start_pending(conversation_id=conversation.pk, run_id=run_id, started_by=actor.user.pk)
        note_add(
            conversation=conversation, kind=ConversationNote.Kind.NOTE, author=actor.user,
            text=f"{actor.label} passou o atendimento ao assistente virtual.",
        )  # fmt: skip
        conversation.refresh_from_db()
    return conversation


def inbox_note(*, actor: Actor, conversation_id: int, text: str) -> ConversationNote:
    """An attendant's remark on the conversation, for whoever handles it next (never sent to
    the client)."""
    if not text.strip():
        raise ValidationFailed([FieldError("text", "required", "Escreva a observação.")])
    with transaction.atomic():
        conversation = _locked(actor, conversation_id)
        return note_add(conversation=conversation, kind="note", text=text, author=actor.user)


def inbox_finish(*, actor: Actor, conversation_id: int, finalization_id: int) -> Conversation:
    """Finish the atendimento with a finalization status; it closes (the next message opens a
    new one, with a new protocol)."""
    with transaction.atomic():
        conversation = _locked(actor, conversation_id)
        finalization = FinalizationStatus.objects.filter(
            tenant=actor.tenant, pk=finalization_id, is_active=True
        ).first()
        if finalization is None:
            raise NotFound("Status de finalização")
        _stop_bot(conversation)
        conversation.finalization, conversation.finished_by = finalization, actor.user
        _save(conversation, "finalization", "finished_by")
        reason = f"Finalizado por {actor.label}: {finalization.name}."
        return conversation_close(
            tenant=actor.tenant, conversation_id=conversation.pk, reason=reason
        )
