"""Handing out sealed documents: signed, expiring download links (for integrators, e.g. in the
`formalization.completed` webhook) and downloads, every one of them logged — the file holds
personal and biometric data (LGPD)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import storages
from django.urls import reverse

from formaliza.accounts.models import User
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, Conflict, NotFound
from formaliza.evidence.models import SealedDocument, SealedDocumentDownload
from formaliza.evidence.services.events import RequestContext

SALT = "formaliza.evidence.sealed-download"


@dataclass(frozen=True)
class DownloadLink:
    url: str
    expires_at: dt.datetime


class DownloadLinkExpired(ApplicationError):
    def __init__(self):
        super().__init__(
            code="download_link_expired",
            message="Este link de download expirou. Peça um novo link a quem o enviou.",
            status=410,
        )


def sealed_document_download_url(
    *, document: SealedDocument, expires_in: int | None = None
) -> DownloadLink:
    """An absolute URL that downloads the sealed file without signing in, until it expires
    (default settings.EVIDENCE_DOWNLOAD_LINK_MAX_AGE_SECONDS)."""
    if document.status != SealedDocument.Status.SEALED:
        raise Conflict("not_sealed", "O documento ainda não foi selado.")
    seconds = expires_in or settings.EVIDENCE_DOWNLOAD_LINK_MAX_AGE_SECONDS
    expires_at = clock.now().replace(microsecond=0) + dt.timedelta(seconds=seconds)
    token = signing.dumps({"d": str(document.pk), "e": int(expires_at.timestamp())}, salt=SALT)
    path = reverse("evidence:download_link", args=[token])
    return DownloadLink(url=settings.PUBLIC_BASE_URL + path, expires_at=expires_at)


def sealed_document_from_download_token(*, token: str) -> SealedDocument:
    """The document a link points to; NotFound for a forged or altered token (which reveals
    nothing), DownloadLinkExpired once it expired."""
    try:
        payload = signing.loads(token, salt=SALT)
        document_id, expires = str(payload["d"]), int(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise NotFound("Documento") from exc
    if expires <= clock.now().timestamp():
        raise DownloadLinkExpired()
    document = SealedDocument.objects.filter(
        pk=document_id, status=SealedDocument.Status.SEALED
    ).first()
    if document is None:
        raise NotFound("Documento")
    return document


def sealed_document_download_record(
    *,
    document: SealedDocument,
    via: str,
    context: RequestContext,
    user: User | None = None,
) -> tuple[str, File]:
    """Log one download and open the file. Returns (download file name, open file)."""
    if document.status != SealedDocument.Status.SEALED:
        raise Conflict("not_sealed", "O documento ainda não foi selado.")
    handle = storages["default"].open(document.file_name, "rb")
    SealedDocumentDownload.objects.create(
        document=document,
        at=clock.now(),
        via=via,
        user=user,
        actor_label=(user.display_name if user else "Link assinado")[:200],
        ip=context.ip,
        user_agent=context.user_agent[:500],
    )
    return f"formaliza-{document.code}.pdf", handle
