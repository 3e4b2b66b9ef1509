from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.core.errors import ApplicationError
from formaliza.evidence import selectors, services
from formaliza.evidence.models import SealedDocument, SealedDocumentDownload
from formaliza.evidence.selectors import code_normalize
from formaliza.evidence.uploads import upload_read
from formaliza.evidence.verification import public_summary, verify_code, verify_pdf


def _error(request, title: str, message: str, status: int):
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def _not_found(request):
    return _error(request, "Não encontrado", "Documento selado não encontrado.", 404)


# --- back office ------------------------------------------------------------------------------


@perm_required(Perm.EVIDENCE_VIEW)
def documents(request):
    status = request.GET.get("status", "")
    if status not in SealedDocument.Status.values:
        status = ""
    page = Paginator(selectors.sealed_document_list(tenant=request.tenant, status=status), 50)
    return render(
        request,
        "evidence/documents.html",
        {"page": page.get_page(request.GET.get("page")), "status": status,
         "statuses": SealedDocument.Status.choices, "query": f"status={status}" if status else ""},
    )  # fmt: skip


@perm_required(Perm.EVIDENCE_VIEW)
def document_detail(request, document_id: str):
    document = selectors.sealed_document_get(tenant=request.tenant, document_id=document_id)
    if document is None:
        return _not_found(request)
    return render(
        request,
        "evidence/document_detail.html",
        {
            "d": document,
            "can_download": request.user.has_perm_code(Perm.EVIDENCE_DOWNLOAD),
            "can_retry": request.user.has_perm_code(Perm.EVIDENCE_RETRY)
            and document.status != SealedDocument.Status.SEALED,
        },
    )


@require_POST
@perm_required(Perm.EVIDENCE_RETRY)
def document_retry(request, document_id: str):
    try:
        document = services.sealed_document_retry(
            actor=Actor.of_user(request.user), document_id=document_id
        )
    except ApplicationError as exc:
        if exc.status == 404:
            return _not_found(request)
        messages.error(request, exc.message)
        return redirect("evidence:document", document_id=document_id)
    messages.success(request, "Nova tentativa de selagem agendada.")
    return redirect("evidence:document", document_id=document.pk)


@perm_required(Perm.EVIDENCE_DOWNLOAD)
def document_download(request, document_id: str):
    document = selectors.sealed_document_get(tenant=request.tenant, document_id=document_id)
    if document is None or document.status != SealedDocument.Status.SEALED:
        return _not_found(request)
    name, handle = services.sealed_document_download_record(
        document=document,
        via=SealedDocumentDownload.Via.BACK_OFFICE,
        user=request.user,
        context=services.context_from_request(request),
    )
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


# --- public -----------------------------------------------------------------------------------


def download_link(request, token: str):
    """A signed, expiring link (sent to integrators): no sign-in, every download logged."""
    try:
        document = services.sealed_document_from_download_token(token=token)
    except ApplicationError as exc:
        title = "Link expirado" if exc.status == 410 else "Link inválido"
        message = exc.message if exc.status == 410 else "Este link de download não é válido."
        return _error(request, title, message, exc.status)
    name, handle = services.sealed_document_download_record(
        document=document,
        via=SealedDocumentDownload.Via.LINK,
        context=services.context_from_request(request),
    )
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


def _verdict_page(request, verification, *, status: int = 200, error: str = "", code: str = ""):
    summary = (
        public_summary(verification.document) if verification and verification.document else None
    )
    return render(
        request,
        "evidence/verify.html",
        {"v": verification, "summary": summary, "error": error, "code": code},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    """Public verification: upload a PDF, or type its code (GET ?codigo=)."""
    if request.method == "GET":
        typed = request.GET.get("codigo", "").strip()
        if not typed:
            return _verdict_page(request, None)
        code = code_normalize(typed)
        if not code:
            return _verdict_page(
                request, None, status=404, code=typed,
                error="Código inválido: ele tem 16 letras e números, como ABCD-EFGH-JKMN-PQRS.",
            )  # fmt: skip
        return redirect("verification:code", code=code)
    try:
        data = upload_read(request)
    except ApplicationError as exc:
        return _verdict_page(request, None, status=exc.status, error=exc.message)
    return _verdict_page(request, verify_pdf(data=data))


def verify_by_code(request, code: str):
    verification = verify_code(code=code)
    if verification is None:
        return _verdict_page(
            request, None, status=404, code=code,
            error="Não há documento selado com este código. Confira o código impresso no documento.",
        )  # fmt: skip
    return _verdict_page(request, verification, code=verification.document.code)
