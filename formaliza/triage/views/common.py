"""Helpers shared by the triage pages."""

from __future__ import annotations

from functools import wraps

from django.shortcuts import render

from formaliza.accounts.actors import Actor
from formaliza.accounts.decorators import perm_required
from formaliza.core.errors import ApplicationError, NotFound
from formaliza.triage.events import Who


def who_of(request) -> Who:
    return Who.of(Actor.of_user(request.user))


def triage_page(perm: str):
    """perm_required, plus: another tenant's order (or an unknown list) is the pt-BR 404."""

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


def form_errors(form, exc: ApplicationError) -> None:
    """Show a service's refusal next to the fields it names (or at the top of the form)."""
    for item in exc.fields:
        form.add_error(item.field if item.field in form.fields else None, item.message)
    if not exc.fields:
        form.add_error(None, exc.message)
