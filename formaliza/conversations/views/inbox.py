"""The attendants' inbox (/atendimento/): queues per department, "meus atendimentos", and one
conversation with its history, the client's description and notes, and what an attendant does
with it (take, reply, note, assign, transfer, give back to the bot, finish). Each action is one
service of services/inbox.py."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.conversations import selectors
from formaliza.conversations.forms import (
    AssignForm,
    FinishForm,
    NoteForm,
    ReleaseForm,
    ReplyForm,
    TransferForm,
)
from formaliza.conversations.services import inbox
from formaliza.conversations.services.gates import window_open
from formaliza.conversations.views.common import not_found, reply_posted, with_conversation
from formaliza.core.errors import ApplicationError


@perm_required(Perm.CONVERSATION_REPLY)
def inbox_home(request):
    tenant = request.tenant
    queues = selectors.inbox_queues(tenant=tenant)
    selected = request.GET.get("fila", "meus")
    title = "Meus atendimentos"
    if selected == "meus":
        rows = selectors.inbox_conversations(tenant=tenant, mine=request.user)
    elif selected == "geral":
        rows = selectors.inbox_conversations(tenant=tenant, general=True)
        title = "Fila geral (sem setor)"
    else:
        department = (
            selectors.department_get(tenant=tenant, department_id=int(selected))
            if selected.isdigit()
            else None
        )
        if department is None:
            return not_found(request, "Setor")
        rows = selectors.inbox_conversations(tenant=tenant, department_id=department.pk)
        title = f"Fila: {department.name}"
    return render(
        request,
        "conversations/inbox/home.html",
        {"queues": queues, "rows": rows[:200], "selected": selected, "title": title},
    )


def _forms(tenant, data=None) -> dict:
    """The action forms of the detail page, with their choices (bound to `data` when posted)."""
    return {
        "transfer_form": TransferForm(
            data, departments=selectors.department_choices(tenant=tenant)
        ),
        "finish_form": FinishForm(
            data, finalizations=selectors.finalization_choices(tenant=tenant)
        ),
        "assign_form": AssignForm(data, attendants=selectors.attendant_choices(tenant=tenant)),
        "release_form": ReleaseForm(
            data, flows=inbox.conversation_bot().startable(tenant_id=tenant.pk)
        ),
    }


def _context(request, conversation, **extra) -> dict:
    tenant = request.tenant
    approved = selectors.template_list(
        tenant=tenant, channel_id=conversation.channel_id, approved=True
    )
    return {
        "conversation": conversation,
        "handle": conversation.handle,
        "messages_list": selectors.conversation_messages(conversation=conversation),
        "notes": selectors.inbox_notes(conversation=conversation),
        "bot_run": inbox.conversation_bot().last_run(conversation_id=conversation.pk),
        "pending_runs": inbox.conversation_bot().pending(conversation_id=conversation.pk),
        "window_open": window_open(conversation.handle),
        "has_window": conversation.channel.has_window,
        "has_templates": approved.exists(),
        "reply_form": extra.pop("reply_form", ReplyForm()),
        **_forms(tenant),
        "note_form": NoteForm(),
        "mine": conversation.assignee_id == request.user.pk,
        **extra,
    }


def _get(request, protocol: str):
    return selectors.inbox_conversation(tenant=request.tenant, protocol=protocol)


def _detail_url(protocol: str) -> str:
    return reverse("inbox:detail", kwargs={"protocol": protocol})


@perm_required(Perm.CONVERSATION_REPLY)
@with_conversation(_get)
def inbox_detail(request, conversation):
    return render(request, "conversations/inbox/detail.html", _context(request, conversation))


def _action(request, protocol: str, run, success: str):
    """Run one inbox action on the conversation; errors come back as pt-BR messages."""
    conversation = _get(request, protocol)
    if conversation is None:
        return not_found(request, "Atendimento")
    try:
        run(Actor.of_user(request.user), conversation)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(_detail_url(protocol))


def _action_view(run, success: str, *, form=None, invalid: str = ""):
    """A POST view running one inbox action. With `form` (a name of `_forms`, or "note"), the
    posted form must be valid (else `invalid`, in pt-BR, is shown back on the conversation) and
    `run(actor, conversation, cleaned_data)` gets its data; without, `run(actor, conversation)`."""

    @require_POST
    @perm_required(Perm.CONVERSATION_REPLY)
    def view(request, protocol: str):
        if form is None:
            return _action(request, protocol, run, success)
        if _get(request, protocol) is None:  # the tenant lookup before judging the form
            return not_found(request, "Atendimento")
        posted = (
            NoteForm(request.POST) if form == "note" else _forms(request.tenant, request.POST)[form]
        )
        if not posted.is_valid():
            messages.error(request, invalid)
            return redirect(_detail_url(protocol))
        data = posted.cleaned_data
        return _action(request, protocol, lambda a, c: run(a, c, data), success)

    return view


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
@with_conversation(_get)
def inbox_reply(request, conversation):
    protocol = conversation.protocol
    return reply_posted(
        request,
        ReplyForm(request.POST),
        lambda text: inbox.inbox_reply(
            actor=Actor.of_user(request.user), conversation_id=conversation.pk, text=text
        ),
        done=_detail_url(protocol),
        again=lambda form: render(
            request,
            "conversations/inbox/detail.html",
            _context(request, conversation, reply_form=form),
            status=422,
        ),
    )


inbox_take = _action_view(
    lambda actor, c: inbox.inbox_take(actor=actor, conversation_id=c.pk), "Atendimento assumido."
)
inbox_note = _action_view(
    lambda actor, c, d: inbox.inbox_note(actor=actor, conversation_id=c.pk, text=d["text"]),
    "Observação registrada.",
    form="note",
    invalid="Escreva a observação.",
)
inbox_assign = _action_view(
    lambda actor, c, d: inbox.inbox_assign(actor=actor, conversation_id=c.pk, user_id=d["user"]),
    "Atendimento atribuído.",
    form="assign_form",
    invalid="Escolha um atendente.",
)
inbox_transfer = _action_view(
    lambda actor, c, d: inbox.inbox_transfer(
        actor=actor, conversation_id=c.pk, department_id=d["department"], note=d["note"]
    ),
    "Atendimento transferido.",
    form="transfer_form",
    invalid="Escolha um setor.",
)
inbox_release = _action_view(
    lambda actor, c, d: inbox.inbox_release(actor=actor, conversation_id=c.pk, flow_id=d["flow"]),
    "Atendimento devolvido ao assistente virtual.",
    form="release_form",
    invalid="Escolha um fluxo publicado.",
)
inbox_finish = _action_view(
    lambda actor, c, d: inbox.inbox_finish(
        actor=actor, conversation_id=c.pk, finalization_id=d["finalization"]
    ),
    "Atendimento finalizado.",
    form="finish_form",
    invalid="Escolha o status de finalização.",
)


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
def inbox_assistant_start(request, protocol: str, run_id: int):
    return _action(
        request, protocol,
        lambda actor, c: inbox.inbox_assistant_start(
            actor=actor, conversation_id=c.pk, run_id=run_id
        ),
        "Atendimento passado ao assistente de formalização.",
    )  # fmt: skip
