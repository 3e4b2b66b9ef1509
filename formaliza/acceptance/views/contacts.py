"""Base de contatos: the search and the contact's profile with its tabs (seed 002)."""

from __future__ import annotations

from django.shortcuts import render

from formaliza.acceptance import selectors
from formaliza.acceptance.forms import ContactSearchForm
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.contacts.search import SearchInvalid, contact_search
from formaliza.journeys.links import as_uuid

TABS = (
    ("informacoes", "Informações"),
    ("documentos", "Documentos"),
    ("atividades", "Atividades"),
    ("aceite", "Aceite digital"),
    ("ar", "AR digital"),
)
CHANNELS = (("whatsapp", "WhatsApp"), ("sms", "SMS"), ("email", "E-mail"))


def not_found(request, what: str = "Contato"):
    context = {"title": "Não encontrado", "message": f"{what} não encontrado nesta empresa."}
    return render(request, "core/error.html", context, status=404)


@perm_required(Perm.CONTACT_VIEW)
def search(request):
    form = ContactSearchForm(request.GET or None)
    context = {"form": form, "outcome": None, "error": ""}
    status = 200
    if form.is_bound and form.is_valid():
        try:
            context["outcome"] = contact_search(
                tenant=request.tenant,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["q"],
                page=request.GET.get("page", 1),
            )
        except SearchInvalid as exc:
            context["error"] = exc.message
            status = 422
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
    return render(request, "acceptance/contacts_search.html", context, status=status)


@perm_required(Perm.CONTACT_VIEW)
def profile(request, public_id):
    contact = selectors.contact_get(tenant=request.tenant, public_id=as_uuid(public_id))
    if contact is None:
        return not_found(request)
    tab = request.GET.get("aba", "informacoes")
    if tab not in dict(TABS):
        tab = "informacoes"
    context = {"contact": contact, "tab": tab, "tabs": TABS, "channels": CHANNELS}
    if tab == "informacoes":
        context["channel_states"] = selectors.contact_channels(contact=contact)
        context["automations"] = selectors.contact_automations(contact=contact)
        context["labels"] = selectors.contact_labels(contact=contact)
    elif tab == "documentos":
        documents = list(selectors.contact_documents(contact=contact))
        chosen = None
        wanted = as_uuid(request.GET.get("documento"))
        for document in documents:
            if document.public_id == wanted:
                chosen = document
        chosen = chosen or (documents[0] if documents else None)
        context["documents"] = documents
        context["chosen"] = chosen
        if chosen is not None:
            context["delivery"] = selectors.document_delivery(document=chosen)
            context["document_activity"] = selectors.contact_activity(
                contact=contact,
                document=chosen,
                channel=request.GET.get("canal", ""),
                kind=request.GET.get("evento", ""),
            )
            context["event_kinds"] = selectors.document_event_kinds(document=chosen)
            context["kit_status"] = selectors.kit_status_display(chosen.kit) if chosen.kit else ""
    elif tab == "atividades":
        context["activity"] = selectors.contact_activity(
            contact=contact,
            channel=request.GET.get("canal", ""),
            automation=request.GET.get("automacao", ""),
        )
        context["automation_choices"] = selectors.activity_automations(contact=contact)
    elif tab == "aceite":
        kits = list(selectors.contact_kits(contact=contact))
        context["kits"] = [(kit, selectors.kit_effective_status(kit)) for kit in kits]
    elif tab == "ar":
        context["certified"] = list(selectors.contact_certified(contact=contact))
    context["filters"] = {k: request.GET.get(k, "") for k in ("canal", "automacao", "evento")}
    return render(request, "acceptance/contact_profile.html", context)
