"""Archive (seed 002 "Documentos Arquivados"): files older than ACCEPTANCE_ARCHIVE_AFTER_DAYS
move to STORAGES["archive"] (a colder storage class on S3); nothing is deleted — the hot copy
is removed only after the archived copy's hash was checked. Unarchiving runs in the
background, one job per document however often it is asked for, and tells the operator who
asked, by e-mail, with a button to the download page."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

from formaliza.acceptance.models import ContactDocument, UnarchiveRequest
from formaliza.acceptance.services.activity import activity_record
from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.core import clock
from formaliza.core.errors import ApplicationError
from formaliza.core.tasks import enqueue


def _copy(source: str, target: str, name: str, sha256: str) -> None:
    with storages[source].open(name, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise RuntimeError(f"archive copy of {name}: hash differs from the recorded one")
    destination = storages[target]
    if destination.exists(name):
        with destination.open(name, "rb") as handle:
            if hashlib.sha256(handle.read()).hexdigest() == sha256:
                return
        destination.delete(name)
    saved = destination.save(name, ContentFile(data))
    if saved != name:
        raise RuntimeError(f"storage renamed {name} to {saved}")


def documents_archive(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Move old documents' files to the archive storage. Idempotent."""
    now = now or clock.now()
    cutoff = now - dt.timedelta(days=settings.ACCEPTANCE_ARCHIVE_AFTER_DAYS)
    kept_until = now - dt.timedelta(days=settings.ACCEPTANCE_UNARCHIVED_KEEP_DAYS)
    candidates = (
        ContactDocument.objects.filter(storage=ContactDocument.Storage.DEFAULT,
                                       created_at__lt=cutoff)
        .exclude(unarchived_at__gte=kept_until)
        .select_related("contact")
        .order_by("created_at")[:limit]
    )  # fmt: skip
    moved = 0
    for document in candidates:
        _copy("default", "archive", document.file_name, document.sha256)
        with transaction.atomic():
            updated = ContactDocument.objects.filter(pk=document.pk, storage="default").update(
                storage=ContactDocument.Storage.ARCHIVE, archived_at=now
            )
            if not updated:
                continue
            activity_record(contact=document.contact, kind="document.archived",
                            document=document, description=f"“{document.title}” arquivado")  # fmt: skip
            transaction.on_commit(lambda name=document.file_name: storages["default"].delete(name))
        moved += 1
    return moved


def unarchive_request(*, actor: Actor, document: ContactDocument) -> tuple[UnarchiveRequest, bool]:
    """Ask for an archived file back. A second ask while the first runs joins it (one job)."""
    actor.require(Perm.CONTACT_DOWNLOAD)
    if document.tenant_id != actor.tenant.pk:
        raise ApplicationError(code="not_found", message="Documento não encontrado.", status=404)
    if not document.is_archived:
        raise ApplicationError(code="not_archived", message="Este documento já está disponível.",
                               status=409)  # fmt: skip
    open_request = UnarchiveRequest.objects.filter(document=document, status="pending").first()
    if open_request is not None:
        return open_request, False
    try:
        with transaction.atomic():
            request = UnarchiveRequest.objects.create(document=document, requested_by=actor.user)
            activity_record(contact=document.contact, kind="document.unarchive_requested",
                            document=document,
                            description=f"Desarquivamento de “{document.title}” pedido por "
                                        f"{actor.label}")  # fmt: skip
            enqueue("formaliza.acceptance.tasks.document_unarchive", request.pk)
    except IntegrityError:  # another click created it first
        return UnarchiveRequest.objects.get(document=document, status="pending"), False
    return request, True


def _notify(request: UnarchiveRequest) -> None:
    user = request.requested_by
    if user is None or not user.email:
        return
    document = request.document
    url = settings.PUBLIC_BASE_URL + reverse("contacts:profile", args=[document.contact.public_id])
    url += f"?aba=documentos&documento={document.public_id}"
    text = (f"O documento “{document.title}” (nº {document.number}) foi desarquivado e já pode "
            f"ser baixado: {url}")  # fmt: skip
    html = (f"<p>O documento “{escape(document.title)}” (nº {escape(document.number)}) foi "
            f"desarquivado.</p><p><a href=\"{escape(url)}\" style=\"background:#1d4ed8;"
            f"color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">"
            f"Ir para o download</a></p>")  # fmt: skip
    mail = EmailMultiAlternatives("Documento desarquivado", text, to=[user.email])
    mail.attach_alternative(html, "text/html")
    mail.send()


def document_unarchive(*, request_id: int) -> str:
    """The background job: copy the file back, mark it available, tell the operator."""
    request = (
        UnarchiveRequest.objects.select_related("document", "document__contact", "requested_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.status == UnarchiveRequest.Status.DONE:
        return "skipped"
    document = request.document
    if document.is_archived:
        _copy("archive", "default", document.file_name, document.sha256)
    with transaction.atomic():
        done = UnarchiveRequest.objects.filter(pk=request.pk, status="pending").update(
            status=UnarchiveRequest.Status.DONE, finished_at=clock.now()
        )
        if not done:
            return "skipped"
        ContactDocument.objects.filter(pk=document.pk).update(
            storage=ContactDocument.Storage.DEFAULT, unarchived_at=clock.now()
        )
        activity_record(contact=document.contact, kind="document.unarchived", document=document,
                        description=f"“{document.title}” desarquivado")  # fmt: skip
        transaction.on_commit(lambda: _notify(request))
    return "unarchived"


def document_open(*, actor: Actor, document: ContactDocument) -> bytes:
    """The file's bytes, for a download (refused while archived)."""
    actor.require(Perm.CONTACT_DOWNLOAD)
    if document.is_archived:
        raise ApplicationError(code="document_archived", status=409, message=(
            "Este arquivo tem pelo menos um ano e foi arquivado em nossos servidores."))  # fmt: skip
    with storages["default"].open(document.file_name, "rb") as handle:
        return handle.read()
