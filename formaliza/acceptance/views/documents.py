"""Back-office actions on a contact's documents, kits and certified messages: download
(archived: the unarchive message), unarchive, send a kit, the sealed report (laudo), the
certified message's certificate, resend document or message."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from formaliza.acceptance import selectors, services
from formaliza.acceptance.forms import KitForm, ResendDocumentForm, ResendMessageForm
from formaliza.acceptance.services.kits import KitFile
from formaliza.acceptance.views.contacts import not_found
from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.core.errors import ApplicationError, ValidationFailed
from formaliza.evidence.models import SealedDocumentDownload
from formaliza.evidence.services import context_from_request, sealed_document_download_record
from formaliza.journeys.links import as_uuid


def _documents_tab(document) -> str:
    url = reverse("contacts:profile", args=[document.contact.public_id])
    return f"{url}?aba=documentos&documento={document.public_id}"


@perm_required(Perm.CONTACT_DOWNLOAD)
def document_download(request, public_id):
    document = selectors.contact_document_get(tenant=request.tenant, public_id=as_uuid(public_id))
    if document is None:
        return not_found(request, "Documento")
    if document.is_archived:
        context = {"document": document, "pending": selectors.unarchive_pending(document=document)}
        return render(request, "acceptance/document_archived.html", context, status=409)
    data = services.document_open(actor=Actor.of_user(request.user), document=document)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="documento-{document.number}.pdf"'
    return response


@require_POST
@perm_required(Perm.CONTACT_DOWNLOAD)
def document_unarchive(request, public_id):
    document = selectors.contact_document_get(tenant=request.tenant, public_id=as_uuid(public_id))
    if document is None:
        return not_found(request, "Documento")
    try:
        _, created = services.unarchive_request(actor=Actor.of_user(request.user),
                                                document=document)  # fmt: skip
    except ApplicationError as exc:
        messages.info(request, exc.message)
        return redirect(_documents_tab(document))
    messages.success(request, "Desarquivando. Você receberá uma mensagem quando o arquivo estiver "
                     "disponível." if created else "O desarquivamento já está em andamento.")  # fmt: skip
    return redirect(reverse("contacts:document_download", args=[document.public_id]))


@perm_required(Perm.CONTACT_SEND)
def kit_new(request, public_id):
    contact = selectors.contact_get(tenant=request.tenant, public_id=as_uuid(public_id))
    if contact is None:
        return not_found(request)
    channels = selectors.sending_channels(tenant=request.tenant)
    form = KitForm(request.POST or None, request.FILES or None, channels=channels)
    if not request.POST:
        first = contact.phones.first() or contact.emails.first()
        form.initial["address"] = str(first) if first else ""
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        numbers = [n.strip() for n in data["numbers"].splitlines() if n.strip()]
        uploads = request.FILES.getlist("files")
        files = [
            KitFile(name=u.name.rsplit(".", 1)[0], number=numbers[i] if i < len(numbers) else "",
                    data=u.read())
            for i, u in enumerate(uploads)
        ]  # fmt: skip
        channel = selectors.sending_channel_get(tenant=request.tenant, channel_id=data["channel"])
        deadline = data["deadline"]  # aware: the form reads it in the current time zone
        try:
            services.kit_send(
                actor=Actor.of_user(request.user), contact=contact, title=data["title"],
                message=data["message"], channel=channel, address=data["address"],
                deadline=deadline, files=files, require_selfie=data["require_selfie"],
            )  # fmt: skip
        except ValidationFailed as exc:
            for field in exc.fields:
                name = field.field if field.field in form.fields else None
                form.add_error(name if name in ("title", "deadline") else None, field.message)
            status = 422
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = 422
        else:
            messages.success(request, "Kit enviado para aceite.")
            url = reverse("contacts:profile", args=[contact.public_id])
            return redirect(f"{url}?aba=aceite")
    elif request.method == "POST":
        status = 422
    return render(request, "acceptance/kit_new.html", {"contact": contact, "form": form},
                  status=status)  # fmt: skip


def _sealed_response(request, sealed):
    name, handle = sealed_document_download_record(
        document=sealed, via=SealedDocumentDownload.Via.BACK_OFFICE, user=request.user,
        context=context_from_request(request),
    )  # fmt: skip
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


@perm_required(Perm.CONTACT_DOWNLOAD)
def kit_report(request, public_id):
    """The final version of the accepted documents with the evidence report (laudo)."""
    kit = selectors.kit_get(tenant=request.tenant, public_id=as_uuid(public_id))
    if kit is None:
        return not_found(request, "Kit")
    sealed = kit.sealed_document
    if sealed is None or sealed.status != "sealed":
        messages.info(request, "Sem laudo: o kit não foi aceito ou ainda está sendo selado.")
        url = reverse("contacts:profile", args=[kit.contact.public_id])
        return redirect(f"{url}?aba=aceite")
    return _sealed_response(request, sealed)


@perm_required(Perm.CONTACT_VIEW)
def certified_report(request, public_id):
    """Visualizar laudo: the sealed certificate of one certified message (asked on first view,
    then downloaded once sealed)."""
    certified = selectors.certified_get(tenant=request.tenant, public_id=as_uuid(public_id))
    if certified is None:
        return not_found(request, "Mensagem")
    sealed = certified.sealed_document
    if request.method == "POST" and sealed is None:
        try:
            sealed = services.certified_certificate_request(
                actor=Actor.of_user(request.user), certified=certified
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(reverse("contacts:certified_report", args=[certified.public_id]))
    if sealed is not None and sealed.status == "sealed" and request.GET.get("baixar"):
        return _sealed_response(request, sealed)
    context = {
        "certified": certified,
        "sealed": sealed,
        "lines": services.certified_receipt_lines(certified),
    }
    return render(request, "acceptance/certified_report.html", context)


@perm_required(Perm.CONTACT_SEND)
def document_resend(request, public_id):
    document = selectors.contact_document_get(tenant=request.tenant, public_id=as_uuid(public_id))
    if document is None:
        return not_found(request, "Documento")
    refusal = services.document_resend_refusal(document)
    channels = selectors.sending_channels(tenant=request.tenant)
    form = ResendDocumentForm(request.POST or None, channels=channels, initial={
        "automation": "Aceite digital" if document.kit_id else "Jornada de formalização",
        "version": (f"Kit “{document.kit.title}” de {document.kit.created_at:%d/%m/%Y}"
                    if document.kit_id else "Jornada atual"),
        "address": document.kit.address if document.kit_id else "",
        "message": document.kit.message if document.kit_id else "",
    })  # fmt: skip
    status = 200
    if request.method == "POST" and not refusal and form.is_valid():
        data = form.cleaned_data
        try:
            done = services.document_resend(
                actor=Actor.of_user(request.user), document=document,
                channel=selectors.sending_channel_get(tenant=request.tenant,
                                                      channel_id=data["channel"]),
                address=data["address"], message=data["message"],
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = 422
        else:
            messages.success(request, done)
            return redirect(_documents_tab(document))
    elif request.method == "POST":
        status = 409 if refusal else 422
    context = {"document": document, "form": form, "refusal": refusal}
    return render(request, "acceptance/document_resend.html", context, status=status)


@perm_required(Perm.CONTACT_SEND)
def message_resend(request, public_id):
    certified = selectors.certified_get(tenant=request.tenant, public_id=as_uuid(public_id))
    if certified is None:
        return not_found(request, "Mensagem")
    channels = selectors.sending_channels(tenant=request.tenant, kind=certified.channel)
    form = ResendMessageForm(request.POST or None, channels=channels)
    status = 200
    refusal = ""
    if certified.channel not in ("sms", "email"):
        refusal = "Só mensagens de SMS e e-mail podem ser reenviadas."
    if request.method == "POST" and not refusal:
        # The channel is checked by the service (a forged id of another kind is refused).
        channel = selectors.sending_channel_get(tenant=request.tenant,
                                                channel_id=request.POST.get("channel"))  # fmt: skip
        try:
            if channel is None:
                raise ApplicationError(code="channel_invalid", message="Escolha o canal.",
                                       status=422)  # fmt: skip
            resent = services.message_resend(
                actor=Actor.of_user(request.user),
                certified=certified,
                channel=channel,
                address=request.POST.get("address", ""),
            )
        except ApplicationError as exc:
            form.is_valid()
            form.add_error(None, exc.message)
            status = 422
        else:
            messages.success(request, f"Mensagem reenviada para {resent.address}.")
            url = reverse("contacts:profile", args=[certified.contact.public_id])
            return redirect(f"{url}?aba=ar")
    context = {"certified": certified, "form": form, "refusal": refusal}
    return render(request, "acceptance/message_resend.html", context, status=status)
