"""The client's pages of a kit (/a/<token>/): read every PDF to the end, accept. No sign-in:
the token (256 bits, only its hash stored) is the key; past the deadline: "Expirado"."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from formaliza.acceptance import selectors, services
from formaliza.acceptance.pdf import pdf_page_png
from formaliza.core import ids
from formaliza.core.errors import ApplicationError
from formaliza.evidence.services import context_from_request
from formaliza.journeys.links import as_uuid

PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _kit(token: str):
    kit = selectors.kit_by_token_sha256(token_sha256=ids.sha256_hex(token))
    if kit is None:
        raise Http404
    return kit


def _closed(request, kit, status_code: int = 410):
    return render(request, "acceptance/client_closed.html", {"kit": kit}, status=status_code)


@never_cache
def kit_page(request, token: str):
    kit = _kit(token)
    status = selectors.kit_effective_status(kit)
    if status == "expired":
        return _closed(request, kit)
    documents = selectors.kit_documents(kit=kit)
    if status == "waiting":
        context = context_from_request(request)
        services.kit_open(kit=kit, context=context)
        for document in documents:
            services.document_shown(kit=kit, document=document, context=context)
        documents = selectors.kit_documents(kit=kit)
    return render(request, "acceptance/client_kit.html", _page_context(kit, status, token))


def _page_context(kit, status: str, token: str, **extra) -> dict:
    documents = selectors.kit_documents(kit=kit)
    all_read = all(d.reached_end_at for d in documents)
    selfie_ok = not kit.require_selfie or bool(kit.selfie_file)
    return {"kit": kit, "status": status, "documents": documents, "token": token,
            "all_read": all_read, "selfie_ok": selfie_ok, "can_accept": all_read and selfie_ok,
            **extra}  # fmt: skip


@require_POST
def kit_selfie(request, token: str):
    """The client's selfie (a kit that asks for one): checked like the journey's; a refusal
    says what to do and the page stays, an accepted photo goes back to the page."""
    kit = _kit(token)
    if selectors.kit_effective_status(kit) == "expired":
        return _closed(request, kit)
    upload = request.FILES.get("photo")
    try:
        if upload is None:
            raise ApplicationError(code="selfie_missing", message="Tire ou escolha uma foto do "
                                   "seu rosto.", status=422)  # fmt: skip
        if upload.size > settings.JOURNEY_IMAGE_MAX_BYTES:
            from formaliza.journeys.images import ImageRefused

            raise ImageRefused("image_too_large",
                               max_mb=settings.JOURNEY_IMAGE_MAX_BYTES // (1024 * 1024))  # fmt: skip
        services.kit_selfie_submit(kit=kit, data=upload.read(),
                                   context=context_from_request(request))  # fmt: skip
    except ApplicationError as exc:
        if exc.code == "kit_expired":
            return _closed(request, kit)
        kit.refresh_from_db()
        context = _page_context(kit, selectors.kit_effective_status(kit), token,
                                selfie_error=exc.message)  # fmt: skip
        return render(request, "acceptance/client_kit.html", context, status=exc.status)
    return redirect("acceptance_public:kit", token=token)


@never_cache
def kit_page_image(request, token: str, document_id, page: int):
    kit = _kit(token)
    if selectors.kit_effective_status(kit) == "expired":
        raise Http404
    document = next(
        (d for d in selectors.kit_documents(kit=kit) if d.public_id == as_uuid(document_id)), None
    )
    if document is None or not 1 <= page <= document.page_count or document.is_archived:
        raise Http404
    with storages["default"].open(document.file_name, "rb") as handle:
        png = pdf_page_png(handle.read(), page=page - 1)
    return HttpResponse(png, content_type="image/png")


@require_POST
def kit_scroll(request, token: str, document_id):
    kit = _kit(token)
    document = next(
        (d for d in selectors.kit_documents(kit=kit) if d.public_id == as_uuid(document_id)), None
    )
    if document is None:
        raise Http404
    try:
        fraction = float(request.POST.get("fraction", "0"))
    except ValueError:
        return JsonResponse({"error": {"code": "invalid", "message": "Valor inválido."}},
                            status=422)  # fmt: skip
    try:
        document = services.document_scroll(kit=kit, document=document, fraction=fraction,
                                            context=context_from_request(request))  # fmt: skip
    except ApplicationError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    read = [d.reached_end_at is not None for d in selectors.kit_documents(kit=kit)]
    return JsonResponse({"read": document.reached_end_at is not None, "all_read": all(read)})


@require_POST
def kit_accept(request, token: str):
    kit = _kit(token)
    try:
        services.kit_accept(kit_id=kit.pk, context=context_from_request(request))
    except ApplicationError as exc:
        if exc.code == "kit_expired":
            return _closed(request, kit)
        context = _page_context(kit, "waiting", token, error=exc.message)
        return render(request, "acceptance/client_kit.html", context, status=exc.status)
    return redirect("acceptance_public:kit", token=token)


def track_click(request, token: str):
    certified = services.certified_track(token=token, what="click",
                                         context=context_from_request(request))  # fmt: skip
    if certified is None or not certified.link_target:
        raise Http404
    target = certified.link_target
    if target.startswith(settings.PUBLIC_BASE_URL + "/"):  # our own page: stay on this host
        target = target[len(settings.PUBLIC_BASE_URL) :]
    return redirect(target)


@never_cache
def track_pixel(request, token: str):
    services.certified_track(token=token, what="pixel", context=context_from_request(request))
    return HttpResponse(PIXEL, content_type="image/gif")
