"""Reads of sealed documents. Back-office reads take `tenant=`; the public verification reads
by code or by file hash, which are not guessable."""

from __future__ import annotations

import re
import uuid

from django.db.models import QuerySet

from formaliza.accounts.models import Tenant
from formaliza.evidence.models import SealedDocument
from formaliza.evidence.subject import Subject

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: typed from paper


def code_normalize(value: str) -> str:
    """'abcd efgh-jkmn pqrs' -> 'ABCD-EFGH-JKMN-PQRS'; '' when it cannot be a code."""
    compact = re.sub(r"[^0-9A-Za-z]", "", value or "").upper()
    if len(compact) != 16 or any(ch not in CODE_ALPHABET for ch in compact):
        return ""
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4))


def sealed_document_list(*, tenant: Tenant, status: str = "") -> QuerySet[SealedDocument]:
    qs = SealedDocument.objects.filter(tenant=tenant).order_by("-created_at").defer("manifest")
    if status:
        qs = qs.filter(status=status)
    return qs


def sealed_document_get(*, tenant: Tenant, document_id: str) -> SealedDocument | None:
    try:
        pk = uuid.UUID(str(document_id))
    except ValueError:
        return None
    return (
        SealedDocument.objects.filter(tenant=tenant, pk=pk)
        .prefetch_related("attempt_log", "downloads__user")
        .first()
    )


def sealed_document_for_subject(*, tenant: Tenant, subject: Subject) -> SealedDocument | None:
    return SealedDocument.objects.filter(
        tenant=tenant, subject_type=subject.type, subject_id=subject.id
    ).first()


def sealed_documents_for_subjects(
    *, tenant: Tenant, subject_type: str, subject_ids: list[str]
) -> dict[str, SealedDocument]:
    """The documents of many subjects of one type at once (a caller's list page), by subject id."""
    qs = SealedDocument.objects.filter(
        tenant=tenant, subject_type=subject_type, subject_id__in=[str(i) for i in subject_ids]
    ).defer("manifest")
    return {document.subject_id: document for document in qs}


def sealed_document_by_code(*, code: str) -> SealedDocument | None:
    normalized = code_normalize(code)
    if not normalized:
        return None
    return SealedDocument.objects.select_related("tenant").filter(code=normalized).first()


def sealed_document_by_sha256(*, sha256: str) -> SealedDocument | None:
    return (
        SealedDocument.objects.select_related("tenant")
        .filter(sha256=sha256, status=SealedDocument.Status.SEALED)
        .first()
    )
