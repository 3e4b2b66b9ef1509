"""Template context for every back-office page."""

from __future__ import annotations

from formaliza.core.navigation import menu


def navigation(request):
    return {"nav": menu(getattr(request, "user", None), request.path)}
