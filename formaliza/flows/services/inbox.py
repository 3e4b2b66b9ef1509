"""The attendants' inbox: conversations the bot handed over (a `transfer` card) wait in their
department's queue; an attendant takes one, replies through the conversation layer (the same
gates as everyone: 24-hour window, consent), transfers it to another department, gives it back
to the bot, or finishes it with a finalization status.

Every write locks the conversation row (the runtime locks it too), so an attendant and a flow
step never interleave, and two attendants cannot both take the same conversation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import User
from formaliza.accounts.roles import Perm
from formaliza.conversations.models import Conversation, Department, FinalizationStatus, Message
from formaliza.conversations.services import conversation_close, message_send_text
from formaliza.core import clock
from formaliza.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from formaliza.flows.models import ConversationNote, Flow, FlowRun
from formaliza.flows.services import runtime
from formaliza.flows.services.notes import note_add

PEOPLE = (Conversation.Handler.QUEUE, Conversation.Handler.AGENT)


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    department: Department | None  # None: the general queue (transfers without a department)
    waiting: int  # not taken yet
    taken: int


def inbox_queues(*, tenant) -> list[Queue]:
    rows = (
        Conversation.objects.filter(tenant=tenant, status="open", handler__in=PEOPLE)
        .values("department_id")
        .annotate(
            waiting=Count("pk", filter=Q(assignee__isnull=True)),
            taken=Count("pk", filter=Q(assignee__isnull=False)),
        )
    )
    counts = {r["department_id"]: r for r in rows}
    queues = [
        Queue(d, counts.get(d.pk, {}).get("waiting", 0), counts.get(d.pk, {}).get("taken", 0))
        for d in Department.objects.filter(tenant=tenant, is_active=True)
    ]
    if None in counts:
        queues.insert(0, Queue(None, counts[None]["waiting"], counts[None]["taken"]))
    return queues


def inbox_conversations(
    *, tenant, department_id: int | None = None, general: bool = False, mine: User | None = None
) -> QuerySet[Conversation]:
    """Open conversations with people: one department's queue, the general queue, or the
    attendant's own ("meus atendimentos")."""
    qs = Conversation.objects.filter(tenant=tenant, status="open", handler__in=PEOPLE)
    if mine is not None:
        qs = qs.filter(assignee=mine)
    elif general:
        qs = qs.filter(department__isnull=True)
    elif department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs.select_related("contact", "handle", "department", "assignee", "channel").order_by(
        "assignee_id", "last_message_at"
    )


def inbox_conversation(*, tenant, protocol: str) -> Conversation | None:
    return (
        Conversation.objects.filter(tenant=tenant, protocol=protocol)
        .select_related("channel", "handle", "contact", "department", "assignee", "finalization")
        .first()
    )


def inbox_notes(*, conversation: Conversation) -> QuerySet[ConversationNote]:
    return ConversationNote.objects.filter(conversation=conversation).select_related("author")


def inbox_last_run(*, conversation: Conversation) -> FlowRun | None:
    return FlowRun.objects.filter(conversation=conversation).select_related("flow").last()


# --- writing ------------------------------------------------------------------------------------


def _locked(actor: Actor, conversation_id: int) -> Conversation:
    actor.require(Perm.CONVERSATION_REPLY)
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("assignee")
        .filter(tenant=actor.tenant, pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise NotFound("Atendimento")
    if conversation.status != Conversation.Status.OPEN:
        raise Conflict("conversation_closed", "Este atendimento já foi encerrado.")
    return conversation


def _save(conversation: Conversation, *fields: str) -> None:
    conversation.save(update_fields=[*fields, "updated_at"])


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
        flow = None
        if flow_id is not None:
            flow = Flow.objects.filter(
                tenant=actor.tenant, pk=flow_id, archived_at__isnull=True, live__isnull=False
            ).first()
            if flow is None:
                raise NotFound("Fluxo publicado")
        conversation.handler = Conversation.Handler.BOT
        _save(conversation, "handler")
        if flow is not None:
            runtime.run_start(
                conversation=conversation, flow=flow, context={"released_by": actor.user.pk}
            )
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


def _stop_bot(conversation: Conversation) -> None:
    """People take over: a run still active on the conversation ends ("assumido")."""
    for run in FlowRun.objects.select_for_update().filter(
        conversation=conversation, status__in=FlowRun.ACTIVE
    ):
        state = {**run.state, "status": "ended", "reason": "assumido por atendente", "wait": None}
        run.state, run.status, run.reason = state, FlowRun.Status.ENDED, "assumido por atendente"
        run.wait_token, run.wait_until, run.ended_at = "", None, clock.now()
        run.save(
            update_fields=[
                "state", "status", "reason", "wait_token", "wait_until", "ended_at", "updated_at"
            ]
        )  # fmt: skip
