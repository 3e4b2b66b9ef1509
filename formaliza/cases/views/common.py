"""Helpers shared by the cases pages."""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponse
from django.shortcuts import render

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.cases.events import Who
from formaliza.core.errors import ApplicationError, NotFound


def actor_of(request) -> Actor:
    return Actor.of_user(request.user)


def who_of(request) -> Who:
    return Who.of(actor_of(request))


def form_errors(form, exc: ApplicationError) -> None:
    """Show a service's refusal next to the fields it names (or at the top of the form)."""
    placed = False
    for item in exc.fields:
        if item.field in form.fields:
            form.add_error(item.field, item.message)
            placed = True
        else:
            form.add_error(None, item.message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def file_response(document) -> HttpResponse:
    with document.file.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type=document.mime_type)
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; object-src 'self'; sandbox"
    )
    return private(response)


def case_page(perm: str):
    """perm_required, plus: a record outside the user's reach is the pt-BR 404 page."""

    def decorator(view):
        @perm_required(perm)
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                context = {"title": "Não encontrado", "message": exc.message}
                return render(request, "core/error.html", context, status=404)

        return wrapper

    return decorator
