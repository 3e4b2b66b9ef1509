"""Histórico: search with the seed's filters, label counts, transcript (page, PDF, text),
attachments (access logged), finalization, exports (at once or in the background)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.conversations.models import Attachment
from formaliza.conversations.services import conversation_finalize
from formaliza.core.errors import ApplicationError
from formaliza.history import exports, selectors, services
from formaliza.history.forms import FinalizeForm, HistorySearchForm
from formaliza.history.models import HistoryExport


def not_found(request, what: str):
    context = {"title": "Não encontrado", "message": f"{what} não encontrado nesta empresa."}
    return render(request, "core/error.html", context, status=404)


def _search_form(request) -> HistorySearchForm:
    tenant = request.tenant
    return HistorySearchForm(
        request.GET or None,
        initial=HistorySearchForm.initial_period(),
        departments=selectors.department_list(tenant=tenant),
        channels=selectors.channel_list(tenant=tenant),
        finalizations=selectors.finalization_list(tenant=tenant),
    )


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@perm_required(Perm.HISTORY_VIEW)
def history_search(request):
    form = _search_form(request)
    context = {"form": form, "page": None, "counts": None}
    if form.is_bound and form.is_valid():
        filters = form.filters()
        after = selectors.Cursor.decode(request.GET.get("after", ""))
        context["page"] = selectors.history_search(
            tenant=request.tenant, filters=filters, after=after, limit=settings.HISTORY_PAGE_SIZE
        )
        context["counts"] = selectors.finalization_counts(
            tenant=request.tenant, start=filters.start, end=filters.end
        )
        context["query"] = _query_without(request, "after")
        context["label_query"] = _query_without(request, "after", "finalization")
        context["is_first_page"] = after is None
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(request, "history/search.html", context, status=status)


@perm_required(Perm.HISTORY_VIEW)
def history_export(request):
    form = _search_form(request)
    fmt = request.GET.get("format", "csv")
    if not form.is_bound or not form.is_valid() or fmt not in HistoryExport.Format.values:
        return render(request, "history/search.html", {"form": form, "page": None}, status=422)
    filters = form.filters()
    limit = settings.HISTORY_EXPORT_SYNC_MAX_ROWS
    if (
        selectors.history_count_upto(tenant=request.tenant, filters=filters, limit=limit + 1)
        <= limit
    ):
        rows = [c for batch in selectors.history_iter(tenant=request.tenant, filters=filters)
                for c in batch]  # fmt: skip
        response = HttpResponse(
            exports.export_bytes(rows, fmt), content_type=exports.CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(fmt)}"'
        return response
    export = services.history_export_create(
        tenant=request.tenant, user=request.user, filters=filters, format=fmt
    )
    return redirect("history:export_progress", export_id=export.pk)


@perm_required(Perm.HISTORY_VIEW)
def export_progress(request, export_id):
    export = selectors.export_get(tenant=request.tenant, export_id=export_id)
    if export is None:
        return not_found(request, "Exportação")
    return render(request, "history/export_progress.html", {"export": export})


@perm_required(Perm.HISTORY_VIEW)
def export_status(request, export_id):
    export = selectors.export_get(tenant=request.tenant, export_id=export_id)
    if export is None:
        return JsonResponse({"error": {"code": "not_found"}}, status=404)
    ready = export.status == HistoryExport.Status.DONE and not export.is_expired
    return JsonResponse({
        "status": export.status, "processed": export.processed, "total": export.total,
        "percent": export.percent, "error": export.error,
        "download_url": reverse("history:export_download", args=[export.pk]) if ready else "",
    })  # fmt: skip


@perm_required(Perm.HISTORY_VIEW)
def export_download(request, export_id):
    export = selectors.export_get(tenant=request.tenant, export_id=export_id)
    if export is None or export.status != HistoryExport.Status.DONE or not export.file:
        return not_found(request, "Exportação")
    if export.is_expired:
        context = {"title": "Exportação expirada", "message": "Gere a exportação novamente."}
        return render(request, "core/error.html", context, status=410)
    return FileResponse(
        export.file.open("rb"), as_attachment=True,
        filename=exports.filename(export.format), content_type=exports.CONTENT_TYPES[export.format],
    )  # fmt: skip


def _conversation(request, protocol: str):
    return selectors.conversation_get(tenant=request.tenant, protocol=protocol)


@perm_required(Perm.HISTORY_VIEW)
def transcript(request, protocol: str):
    conversation = _conversation(request, protocol)
    if conversation is None:
        return not_found(request, "Atendimento")
    items = [
        (m, exports.author_of(m)) for m in selectors.transcript_messages(conversation=conversation)
    ]
    can_finalize = request.user.has_perm_code(Perm.CONVERSATION_REPLY)
    statuses = selectors.finalization_list(tenant=request.tenant, active_only=True)
    form = FinalizeForm(
        initial={"code": conversation.finalization.code if conversation.finalization else ""},
        statuses=statuses,
    )
    context = {"conversation": conversation, "items": items, "finalize_form": form,
               "can_finalize": can_finalize, "back": request.GET.get("voltar", "")}  # fmt: skip
    return render(request, "history/transcript.html", context)


@perm_required(Perm.HISTORY_VIEW)
def transcript_pdf(request, protocol: str):
    conversation = _conversation(request, protocol)
    if conversation is None:
        return not_found(request, "Atendimento")
    data = exports.transcript_pdf(
        conversation, selectors.transcript_messages(conversation=conversation)
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="atendimento-{protocol}.pdf"'
    return response


@perm_required(Perm.HISTORY_VIEW)
def transcript_text(request, protocol: str):
    conversation = _conversation(request, protocol)
    if conversation is None:
        return not_found(request, "Atendimento")
    text = exports.transcript_text(
        conversation, selectors.transcript_messages(conversation=conversation)
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="atendimento-{protocol}.txt"'
    return response


@perm_required(Perm.HISTORY_VIEW)
def conversation_attachments(request, protocol: str):
    conversation = _conversation(request, protocol)
    if conversation is None:
        return not_found(request, "Atendimento")
    attachments = selectors.conversation_attachments(conversation=conversation)
    return render(request, "history/attachments.html",
                  {"conversation": conversation, "attachments": attachments})  # fmt: skip


@perm_required(Perm.HISTORY_VIEW)
def attachment_download(request, attachment_id: int):
    attachment = selectors.attachment_get(tenant=request.tenant, attachment_id=attachment_id)
    if attachment is None or attachment.status != Attachment.Status.STORED:
        return not_found(request, "Anexo")
    services.attachment_access_record(
        tenant=request.tenant, attachment=attachment, user=request.user,
        ip=request.META.get("REMOTE_ADDR"), user_agent=request.headers.get("User-Agent", ""),
    )  # fmt: skip
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True,
        filename=attachment.filename or f"anexo-{attachment.pk}",
        content_type=attachment.mime_type or "application/octet-stream",
    )  # fmt: skip


@require_POST
@perm_required(Perm.CONVERSATION_REPLY)
def finalize(request, protocol: str):
    conversation = _conversation(request, protocol)
    if conversation is None:
        return not_found(request, "Atendimento")
    statuses = selectors.finalization_list(tenant=request.tenant, active_only=True)
    form = FinalizeForm(request.POST, statuses=statuses)
    if not form.is_valid():
        messages.error(request, "Status de finalização inválido.")
        return redirect("history:transcript", protocol=protocol)
    try:
        conversation_finalize(
            tenant=request.tenant, conversation_id=conversation.pk,
            code=form.cleaned_data["code"], user=request.user,
        )  # fmt: skip
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Status de finalização atualizado.")
    return redirect("history:transcript", protocol=protocol)
