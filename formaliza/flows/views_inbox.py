"""The attendants' inbox (/atendimento/): queues per department, "meus atendimentos", and one
conversation with its history, the client's description, and what an attendant does with it
(take, reply, transfer, give back to the bot, finish)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.models import User
from formaliza.accounts.roles import Perm, Role
from formaliza.conversations import selectors as conversation_selectors
from formaliza.conversations.models import Department, FinalizationStatus, Template
from formaliza.conversations.services import window_open
from formaliza.conversations.views.common import not_found
from formaliza.core.errors import ApplicationError
from formaliza.flows.models import Flow
from formaliza.flows.services import inbox


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Mensagem", max_length=4096, widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Observação interna", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(forms.Form):
    department = forms.TypedChoiceField(label="Setor", coerce=int)
    note = forms.CharField(label="Observação para o setor", max_length=500, required=False)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [
            (d.pk, d.name) for d in Department.objects.filter(tenant=tenant, is_active=True)
        ]


class FinishForm(forms.Form):
    finalization = forms.TypedChoiceField(label="Status de finalização", coerce=int)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finalization"].choices = [
            (f.pk, f.name) for f in FinalizationStatus.objects.filter(tenant=tenant, is_active=True)
        ]


class ReleaseForm(forms.Form):
    flow = forms.TypedChoiceField(
        label="Iniciar o fluxo", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        published = Flow.objects.filter(
            tenant=tenant, archived_at__isnull=True, live__isnull=False
        ).order_by("name")
        self.fields["flow"].choices = [("", "Nenhum: aguardar o cliente")] + [
            (f.pk, f.name) for f in published
        ]


class AssignForm(forms.Form):
    user = forms.TypedChoiceField(label="Atendente", coerce=int)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(tenant=tenant, is_active=True).order_by("first_name")
        self.fields["user"].choices = [
            (u.pk, u.display_name)
            for u in people
            if u.role in (Role.ATTENDANT, Role.OPERATOR, Role.MANAGER, Role.ADMIN)
        ]


@perm_required(Perm.CONVERSATION_REPLY)
def inbox_home(request):
    queues = inbox.inbox_queues(tenant=request.tenant)
    selected = request.GET.get("fila", "meus")
    title = "Meus atendimentos"
    if selected == "meus":
        rows = inbox.inbox_conversations(tenant=request.tenant, mine=request.user)
    elif selected == "geral":
        rows = inbox.inbox_conversations(tenant=request.tenant, general=True)
        title = "Fila geral (sem setor)"
    else:
        department = (
            Department.objects.filter(tenant=request.tenant, pk=selected).first()
            if selected.isdigit()
            else None
        )
        if department is None:
            return not_found(request, "Setor")
        rows = inbox.inbox_conversations(tenant=request.tenant, department_id=department.pk)
        title = f"Fila: {department.name}"
    return render(
        request,
        "flows/inbox/home.html",
        {"queues": queues, "rows": rows[:200], "selected": selected, "title": title},
    )


def _context(request, conversation, **extra) -> dict:
    tenant = request.tenant
    approved = conversation_selectors.template_list(
        tenant=tenant, channel_id=conversation.channel_id
    ).filter(status=Template.Status.APPROVED)
    return {
        "conversation": conversation,
        "handle": conversation.handle,
        "messages_list": conversation_selectors.conversation_messages(conversation=conversation),
        "notes": inbox.inbox_notes(conversation=conversation),
        "last_run": inbox.inbox_last_run(conversation=conversation),
        "window_open": window_open(conversation.handle),
        "has_window": conversation.channel.has_window,
        "has_templates": approved.exists(),
        "reply_form": extra.pop("reply_form", ReplyForm()),
        "transfer_form": TransferForm(tenant=tenant),
        "finish_form": FinishForm(tenant=tenant),
        "assign_form": AssignForm(tenant=tenant),
        "release_form": ReleaseForm(tenant=tenant),
        "note_form": NoteForm(),
        "mine": conversation.assignee_id == request.user.pk,
        **extra,
    }


def _get(request, protocol: str):
    return inbox.inbox_conversation(tenant=request.tenant, protocol=protocol)


@perm_required(Perm.CONVERSATION_REPLY)
def inbox_detail(request, protocol: str):
    conversation = _get(request, protocol)
    if conversation is None:
        return not_found(request, "Atendimento")
    return render(request, "flows/inbox/detail.html", _context(request, conversation))


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
    return redirect("flows_inbox:detail", protocol=protocol)


def _form_action(request, protocol: str, form, invalid: str, run, success: str):
    """`_action` for the actions that take a form: an invalid form is `invalid` (pt-BR), shown
    back on the conversation; a valid one runs `run(actor, conversation, cleaned_data)`."""
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect("flows_inbox:detail", protocol=protocol)
    return _action(request, protocol, lambda a, c: run(a, c, form.cleaned_data), success)


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
def inbox_reply(request, protocol: str):
    conversation = _get(request, protocol)
    if conversation is None:
        return not_found(request, "Atendimento")
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            inbox.inbox_reply(
                actor=Actor.of_user(request.user),
                conversation_id=conversation.pk,
                text=form.cleaned_data["text"],
            )
        except ApplicationError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(request, "Mensagem na fila de envio.")
            return redirect("flows_inbox:detail", protocol=protocol)
    context = _context(request, conversation, reply_form=form)
    return render(request, "flows/inbox/detail.html", context, status=422)


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
def inbox_note(request, protocol: str):
    return _form_action(
        request,
        protocol,
        NoteForm(request.POST),
        "Escreva a observação.",
        lambda actor, c, d: inbox.inbox_note(actor=actor, conversation_id=c.pk, text=d["text"]),
        "Observação registrada.",
    )


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
def inbox_take(request, protocol: str):
    return _action(
        request,
        protocol,
        lambda actor, c: inbox.inbox_take(actor=actor, conversation_id=c.pk),
        "Atendimento assumido.",
    )


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
def inbox_assign(request, protocol: str):
    return _form_action(
        request,
        protocol,
        AssignForm(request.POST, tenant=request.tenant),
        "Escolha um atendente.",
        lambda actor, c, d: inbox.inbox_assign(
            actor=actor, conversation_id=c.pk, user_id=d["user"]
        ),
        "Atendimento atribuído.",
    )


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
def inbox_transfer(request, protocol: str):
    return _form_action(
        request,
        protocol,
        TransferForm(request.POST, tenant=request.tenant),
        "Escolha um setor.",
        lambda actor, c, d: inbox.inbox_transfer(
            actor=actor,
            conversation_id=c.pk,
            department_id=d["department"],
            note=d["note"],
        ),
        "Atendimento transferido.",
    )


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
def inbox_release(request, protocol: str):
    return _form_action(
        request,
        protocol,
        ReleaseForm(request.POST, tenant=request.tenant),
        "Escolha um fluxo publicado.",
        lambda actor, c, d: inbox.inbox_release(
            actor=actor, conversation_id=c.pk, flow_id=d["flow"]
        ),
        "Atendimento devolvido ao assistente virtual.",
    )


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
def inbox_finish(request, protocol: str):
    return _form_action(
        request,
        protocol,
        FinishForm(request.POST, tenant=request.tenant),
        "Escolha o status de finalização.",
        lambda actor, c, d: inbox.inbox_finish(
            actor=actor, conversation_id=c.pk, finalization_id=d["finalization"]
        ),
        "Atendimento finalizado.",
    )
