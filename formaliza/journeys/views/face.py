"""Back office of the face match (pt-BR): the review queue, one comparison side by side (each
photo opened is logged), the reviewer's decision, and the tenant's face-match settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.roles import Perm
from formaliza.core.errors import ApplicationError
from formaliza.evidence.services import context_from_request
from formaliza.journeys import selectors, services
from formaliza.journeys.forms import FacePolicyForm, FaceReviewForm
from formaliza.journeys.models import FaceMatch

QUEUE_FILTERS = {"review": FaceMatch.Status.REVIEW, "all": ""}


def _not_found(request, what: str = "Conferência facial"):
    return render(
        request, "core/error.html",
        {"title": "Não encontrado", "message": f"{what} não encontrada nesta empresa."},
        status=404,
    )  # fmt: skip


@perm_required(Perm.JOURNEY_IMAGES)
def face_queue(request):
    shown = request.GET.get("status", "review")
    status = QUEUE_FILTERS.get(shown, FaceMatch.Status.REVIEW)
    matches = selectors.face_match_queue(tenant=request.tenant, status=status)
    page = Paginator(matches, 50).get_page(request.GET.get("page"))
    return render(
        request, "journeys/backoffice/face_queue.html",
        {"page": page, "status": shown if shown in QUEUE_FILTERS else "review", "query": "",
         "can_configure": request.user.has_perm_code(Perm.JOURNEY_CONTENT)},
    )  # fmt: skip


def _detail(request, match: FaceMatch, form: FaceReviewForm, status: int = 200):
    actor = Actor.of_user(request.user)
    return render(
        request, "journeys/backoffice/face_detail.html",
        {"match": match, "form": form,
         "can_decide": actor.can(Perm.JOURNEY_MANAGE) and match.status == FaceMatch.Status.REVIEW,
         "others": match.journey.face_matches.exclude(pk=match.pk).order_by("attempt")},
        status=status,
    )  # fmt: skip


@perm_required(Perm.JOURNEY_IMAGES)
def face_detail(request, face_match_id: str):
    match = selectors.face_match_get(tenant=request.tenant, face_match_id=face_match_id)
    if match is None:
        return _not_found(request)
    return _detail(request, match, FaceReviewForm())


@require_POST
@perm_required(Perm.JOURNEY_IMAGES)
def face_review(request, face_match_id: str):
    match = selectors.face_match_get(tenant=request.tenant, face_match_id=face_match_id)
    if match is None:
        return _not_found(request)
    form = FaceReviewForm(request.POST)
    if not form.is_valid():
        return _detail(request, match, form, status=422)
    try:
        decided = services.journey_face_match_review(
            actor=Actor.of_user(request.user), face_match_id=match.pk,
            decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"],
            context=context_from_request(request),
        )  # fmt: skip
    except ApplicationError as exc:
        if exc.status == 403:
            form.add_error(None, "Seu papel não permite decidir conferências faciais.")
        else:
            form.add_error(None, exc.message)
        return _detail(request, match, form, status=exc.status)
    messages.success(
        request,
        f"Conferência facial {decided.get_status_display().lower()}: {match.journey.client_name}.",
    )
    return redirect("journeys:face_queue")


@perm_required(Perm.JOURNEY_IMAGES)
def face_image(request, face_match_id: str, which: str):
    try:
        opened = services.journey_face_match_image_open(
            actor=Actor.of_user(request.user), face_match_id=face_match_id, which=which,
            context=context_from_request(request),
        )  # fmt: skip
    except ApplicationError:
        return _not_found(request, "Imagem")
    response = FileResponse(opened.file, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = (
        f'inline; filename="conferencia-{opened.match.pk}-{which}.jpg"'
    )
    return response


@perm_required(Perm.JOURNEY_CONTENT)
def face_policy(request):
    current = selectors.face_match_policy(tenant=request.tenant)
    form = FacePolicyForm(request.POST or None, initial=vars(current))
    if request.method == "POST" and form.is_valid():
        try:
            services.face_match_policy_save(actor=Actor.of_user(request.user), **form.cleaned_data)
        except ApplicationError as exc:
            for item in exc.fields:
                form.add_error(item.field if item.field in form.fields else None, item.message)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request, "Configuração da conferência facial salva. Vale para as próximas selfies."
            )
            return redirect("journeys:face_policy")
    return render(request, "journeys/backoffice/face_policy.html", {"form": form})
