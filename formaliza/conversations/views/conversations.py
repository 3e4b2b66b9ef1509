"""Conversations (atendimentos) in the back office, /conversas/: every conversation of the
tenant, and one conversation's record with every message and its delivery receipts, reply, send
a template, close, consent; attachment downloads. The attendants' work on the conversations
people handle (queues, take, transfer, finish) is the inbox (inbox.py)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.conversations import selectors, services
from formaliza.conversations.forms import ConversationFilterForm, ReplyForm, TemplateSendForm
from formaliza.conversations.models import Attachment, Conversation, Template
from formaliza.conversations.services.gates import window_open
from formaliza.conversations.template_rules import TemplateValues
from formaliza.conversations.views.common import not_found, reply_posted, with_conversation
from formaliza.core.errors import ApplicationError

logger = logging.getLogger(__name__)


@perm_required(Perm.CONVERSATION_VIEW)
def conversation_list(request):
    channels = list(selectors.channel_list(tenant=request.tenant))
    form = ConversationFilterForm(request.GET or None, channels=channels)
    filters = selectors.ConversationFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ConversationFilters(
            status=data["status"], channel_id=data["channel"], q=data["q"]
        )
    page = Paginator(selectors.conversation_list(tenant=request.tenant, filters=filters), 50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "conversations/list.html",
        {"form": form, "page": page.get_page(request.GET.get("page")), "query": query.urlencode()},
    )


def _detail_context(request, conversation: Conversation, **extra) -> dict:
    templates = selectors.template_list(tenant=request.tenant, channel_id=conversation.channel_id)
    approved = [t for t in templates if t.status == Template.Status.APPROVED]
    return {
        "conversation": conversation,
        "handle": conversation.handle,
        "messages_list": selectors.conversation_messages(conversation=conversation),
        "window_open": window_open(conversation.handle),
        "has_window": conversation.channel.has_window,
        "reply_form": extra.pop("reply_form", ReplyForm()),
        "template_form": extra.pop("template_form", TemplateSendForm(templates=approved)),
        "can_reply": request.user.has_perm_code(Perm.CONVERSATION_REPLY),
        **extra,
    }


def _get(request, protocol: str) -> Conversation | None:
    return selectors.conversation_get(tenant=request.tenant, protocol=protocol)


@perm_required(Perm.CONVERSATION_VIEW)
@with_conversation(_get)
def conversation_detail(request, conversation):
    return render(request, "conversations/detail.html", _detail_context(request, conversation))


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
@with_conversation(_get)
def conversation_reply(request, conversation):
    protocol = conversation.protocol
    return reply_posted(
        request,
        ReplyForm(request.POST),
        lambda text: services.message_send_text(
            actor=Actor.of_user(request.user),
            channel=conversation.channel_id,
            to=conversation.handle,
            text=text,
        ),
        done=reverse("conversations:detail", kwargs={"protocol": protocol}),
        again=lambda form: render(
            request,
            "conversations/detail.html",
            _detail_context(request, conversation, reply_form=form),
            status=422,
        ),
    )


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
@with_conversation(_get)
def conversation_send_template(request, conversation):
    protocol = conversation.protocol
    templates = list(
        selectors.template_list(
            tenant=request.tenant, channel_id=conversation.channel_id, approved=True
        )
    )
    form = TemplateSendForm(request.POST, templates=templates)
    if form.is_valid():
        template = next(t for t in templates if t.pk == form.cleaned_data["template"])
        try:
            services.message_send_template(
                actor=Actor.of_user(request.user), channel=conversation.channel_id,
                to=conversation.handle, template=template.name, language=template.language,
                values=TemplateValues(body=form.body_values()),
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_error("variables", exc.message)
        else:
            messages.success(request, f"Modelo “{template.name}” na fila de envio.")
            return redirect("conversations:detail", protocol=protocol)
    context = _detail_context(request, conversation, template_form=form)
    return render(request, "conversations/detail.html", context, status=422)


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
@with_conversation(_get)
def conversation_close(request, conversation):
    protocol = conversation.protocol
    services.conversation_close(
        tenant=request.tenant,
        conversation_id=conversation.pk,
        reason=f"Encerrado por {request.user.display_name}.",
    )
    messages.success(request, f"Atendimento {protocol} encerrado.")
    return redirect("conversations:detail", protocol=protocol)


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
@with_conversation(_get)
def conversation_consent(request, conversation):
    protocol = conversation.protocol
    opted_out = request.POST.get("action") == "opt_out"
    services.consent_set(
        tenant=request.tenant,
        handle_id=conversation.handle_id,
        opted_out=opted_out,
        source=f"atendente: {request.user.display_name}",
    )
    messages.success(
        request,
        "Cliente descadastrado deste canal."
        if opted_out
        else "Consentimento do cliente registrado.",
    )
    return redirect("conversations:detail", protocol=protocol)


@perm_required(Perm.CONVERSATION_VIEW)
def attachment_download(request, attachment_id: int):
    attachment = selectors.attachment_get(tenant=request.tenant, attachment_id=attachment_id)
    if attachment is None or attachment.status != Attachment.Status.STORED:
        return not_found(request, "Anexo")
    logger.info(
        "attachment %s opened by user %s (tenant %s)",
        attachment.pk,
        request.user.pk,
        request.tenant.pk,
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=request.GET.get("inline") != "1",
        filename=attachment.filename or f"anexo-{attachment.pk}",
        content_type=attachment.mime_type or "application/octet-stream",
    )
