from __future__ import annotations

from django.shortcuts import render


def not_found(request, what: str = "Registro"):
    return render(
        request,
        "core/error.html",
        {"title": "Não encontrado", "message": f"{what} não encontrado nesta empresa."},
        status=404,
    )
