"""Meus clientes: list (with the documents column), edit, and the document manager."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from formaliza.accounts.roles import Perm
from formaliza.cases import selectors, services
from formaliza.cases.forms import ClientForm, ReviewForm, UploadForm, client_initial
from formaliza.cases.views.common import actor_of, case_page, file_response, form_errors, who_of
from formaliza.core.errors import ApplicationError


@case_page(Perm.CASE_VIEW)
def client_list(request):
    query = request.GET.get("q", "")
    clients = selectors.client_list(actor=actor_of(request), query=query)
    return render(request, "cases/backoffice/clients.html", {"clients": clients[:500], "q": query})


@case_page(Perm.CASE_VIEW)
def client_detail(request, client_id):
    client = selectors.client_get(actor=actor_of(request), client_id=client_id)
    return render(request, "cases/backoffice/client_detail.html", {
        "client": client, "cases": client.cases.order_by("-pk"),
        "slots": selectors.client_slots(client=client),
    })  # fmt: skip


@case_page(Perm.CASE_WORK)
def client_edit(request, client_id=None):
    actor = actor_of(request)
    client = selectors.client_get(actor=actor, client_id=client_id) if client_id else None
    form = ClientForm(request.POST or None, initial=client_initial(client) if client else None)
    if request.method == "POST" and form.is_valid():
        try:
            if client is None:
                client = services.client_create(
                    tenant=request.tenant,
                    agent=request.user,
                    data=form.to_input(),
                    who=who_of(request),
                )
            else:
                client = services.client_update(
                    client=client, data=form.to_input(), who=who_of(request)
                )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Cadastro salvo.")
            return redirect("cases:client", client.pk)
    return render(request, "cases/backoffice/client_form.html", {"form": form, "client": client})


@case_page(Perm.CASE_VIEW)
def client_documents(request, client_id):
    actor = actor_of(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    services.document_types_ensure(tenant=client.tenant)
    slots = selectors.client_slots(client=client)
    form = UploadForm(
        request.POST or None, request.FILES or None, types=[s.doc_type for s in slots]
    )
    if request.method == "POST" and actor.can(Perm.CASE_WORK) and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_upload(
                client=client, doc_type_id=form.cleaned_data["doc_type"], filename=upload.name,
                data=upload.read(), who=who_of(request),
            )  # fmt: skip
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Documento anexado: pendente para análise.")
            return redirect("cases:client_documents", client.pk)
    return render(request, "cases/backoffice/documents.html", {
        "client": client, "slots": slots, "form": form, "review_form": ReviewForm(),
        "can_review": actor.can(Perm.CASE_REVIEW), "can_upload": actor.can(Perm.CASE_WORK),
    })  # fmt: skip


@require_POST
@case_page(Perm.CASE_REVIEW)
def document_review(request, document_id):
    document = selectors.document_get(actor=actor_of(request), document_id=document_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.document_review(
                document=document, approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"], who=who_of(request),
            )  # fmt: skip
        except ApplicationError as exc:
            messages.error(request, exc.message if not exc.fields else exc.fields[0].message)
        else:
            approved = form.cleaned_data["decision"] == "approve"
            messages.success(
                request,
                "Documento aprovado."
                if approved
                else "Documento rejeitado; o cliente foi avisado.",
            )
    return redirect("cases:client_documents", document.client_id)


@case_page(Perm.CASE_VIEW)
def document_file(request, document_id):
    document = selectors.document_get(actor=actor_of(request), document_id=document_id)
    return file_response(document)
