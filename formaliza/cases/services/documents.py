"""Typed document slots per tenant, uploads (one file, one type) and their review."""

from __future__ import annotations

import re

from django.core.files.base import ContentFile
from django.db import transaction

from formaliza.accounts.models import Tenant
from formaliza.cases import gateway
from formaliza.cases.doccheck import document_check
from formaliza.cases.events import Who, case_event_record
from formaliza.cases.models import PRE_PAYMENT, Case, CaseClient, ClientDocument, DocumentType
from formaliza.cases.services.access import client_access_url
from formaliza.cases.services.progress import client_cases_progress
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, Conflict, FieldErrors, NotFound

DEFAULT_TYPES = [
    ("rg_cnh", "RG ou CNH", "Frente e verso, legíveis, sem cortes.", True),
    ("cpf", "CPF", "Só se o número não estiver no RG ou na CNH.", False),
    ("residencia", "Comprovante de residência", "Conta de luz, água ou telefone dos últimos 3 meses.", True),
    ("cnis", "CNIS (extrato de contribuições)", "Baixe no Meu INSS: Extrato de contribuição (CNIS).", True),
    ("carta_concessao", "Carta de concessão do benefício", "Meu INSS: Carta de concessão / memória de cálculo.", True),
    ("procuracao", "Procuração", "Assinada pelo cliente.", True),
    ("hipossuficiencia", "Declaração de hipossuficiência", "Assinada pelo cliente.", True),
    ("outros", "Outros documentos", "", False),
]  # fmt: skip


def document_types_ensure(*, tenant: Tenant) -> None:
    """The default slots, the first time a tenant needs them."""
    if DocumentType.objects.filter(tenant=tenant).exists():
        return
    DocumentType.objects.bulk_create([
        DocumentType(tenant=tenant, code=code, name=name, help_text=help_text, required=required,
                     position=i)
        for i, (code, name, help_text, required) in enumerate(DEFAULT_TYPES)
    ])  # fmt: skip


def document_type_save(
    *, tenant: Tenant, name: str, required: bool, is_active: bool, help_text: str = "",
    position: int = 0, type_id: int | None = None,
) -> DocumentType:  # fmt: skip
    errors = FieldErrors()
    name = " ".join((name or "").split())[:120]
    if len(name) < 2:
        errors.add("name", "required", "Informe o nome do tipo de documento.")
    errors.raise_if_any()
    if type_id is None:
        code = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:30] or "documento"
        while DocumentType.objects.filter(tenant=tenant, code=code).exists():
            code = f"{code[:30]}_{DocumentType.objects.filter(tenant=tenant).count()}"
        return DocumentType.objects.create(
            tenant=tenant, code=code, name=name, required=required, is_active=is_active,
            help_text=help_text[:300], position=position,
        )  # fmt: skip
    doc_type = DocumentType.objects.filter(tenant=tenant, pk=type_id).first()
    if doc_type is None:
        raise NotFound("Tipo de documento", code="document_type_not_found")
    doc_type.name, doc_type.required, doc_type.is_active = name, required, is_active
    doc_type.help_text, doc_type.position = help_text[:300], position
    doc_type.save()
    return doc_type


def _cases(client: CaseClient):
    return Case.objects.filter(client=client, status__in=PRE_PAYMENT)


def document_upload(
    *, client: CaseClient, doc_type_id: int, filename: str, data: bytes, who: Who,
) -> ClientDocument:  # fmt: skip
    """Check and store one file of one type as "pendente para análise"."""
    doc_type = DocumentType.objects.filter(
        tenant_id=client.tenant_id, pk=doc_type_id, is_active=True
    ).first()
    if doc_type is None:
        raise ApplicationError(
            code="document_type_invalid", status=422, message="Escolha o tipo do documento."
        )
    checked = document_check(data)  # outside the transaction: CPU work, no locks held
    base = re.sub(r"[^\w.-]+", "_", filename.rsplit(".", 1)[0])[:80] or doc_type.code
    with transaction.atomic():
        document = ClientDocument(
            tenant_id=client.tenant_id, client=client, doc_type=doc_type,
            filename=f"{base}.{checked.extension}", mime_type=checked.mime_type,
            size=len(checked.data), sha256=checked.sha256, original_sha256=checked.original_sha256,
            uploaded_by_kind="client" if who.kind == "client" else who.kind, uploaded_by=who.user,
        )  # fmt: skip
        document.file.save(
            f"{checked.sha256[:16]}.{checked.extension}", ContentFile(checked.data), save=False
        )
        document.save()
        for case in _cases(client):
            case_event_record(
                case=case, kind="document_uploaded", who=who, note=doc_type.name,
                data={"document": document.pk, "sha256": checked.sha256, "type": doc_type.code},
            )  # fmt: skip
        client_cases_progress(client=client, who=who)
    return document


@transaction.atomic
def document_review(
    *, document: ClientDocument, approve: bool, reason: str, who: Who,
) -> ClientDocument:  # fmt: skip
    """Approve, or reject with a reason; a rejection tells the client (WhatsApp or e-mail)
    with the reason and a link to send the document again."""
    document = (
        ClientDocument.objects.select_for_update(of=("self",))
        .select_related("client", "doc_type")
        .get(pk=document.pk)
    )
    if document.status != ClientDocument.Status.PENDING:
        raise Conflict("document_already_reviewed", "Este documento já foi analisado.")
    reason = " ".join((reason or "").split())[:500]
    if not approve and len(reason) < 5:
        errors = FieldErrors()
        errors.add("reason", "required", "Explique ao cliente por que o documento foi rejeitado.")
        errors.raise_if_any()
    document.status = ClientDocument.Status.APPROVED if approve else ClientDocument.Status.REJECTED
    document.rejection_reason = "" if approve else reason
    document.reviewed_by, document.reviewed_by_label = who.user, who.label[:200]
    document.reviewed_at = clock.now()
    document.save()
    client = document.client
    for case in _cases(client):
        case_event_record(
            case=case, kind="document_approved" if approve else "document_rejected", who=who,
            note=document.doc_type.name + ("" if approve else f": {reason}"),
            data={"document": document.pk},
        )  # fmt: skip
    if not approve:
        whatsapp, email = gateway.document_rejected_note(
            client=client, type_name=document.doc_type.name, reason=reason,
            link=client_access_url(client=client),
        )  # fmt: skip
        gateway.notify(
            tenant=client.tenant, kind="document_rejected", recipient="client", client=client,
            case=_cases(client).order_by("-pk").first(), key=f"case-document:{document.pk}:rejected",
            whatsapp=whatsapp, email=email,
        )  # fmt: skip
    client_cases_progress(client=client, who=who)
    return document
