from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def perm_required(perm: str):
    """Signed-in user of a tenant holding `perm`; others get a pt-BR 403 page."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm_code(perm):
                return render(
                    request,
                    "core/error.html",
                    {
                        "title": "Acesso negado",
                        "message": "Seu papel não permite acessar esta página.",
                    },
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
