"""No NUL character reaches the database through the public API.

PostgreSQL text cannot hold U+0000 (`DataError` → a 500, and the request's transaction is lost);
SQLite stores it silently. Django's forms already refuse it on the back-office pages; this does
the same for the API's query strings and JSON bodies, before any view runs: 422
`validation_failed` naming the parameter. Uploads (multipart) carry binary files and are left to
their own checks.
"""

from __future__ import annotations

from django.http import JsonResponse

API_PREFIX = "/api/"
NUL = "\x00"


def _refusal(field: str) -> JsonResponse:
    message = "O valor contém um caractere nulo (U+0000), que não pode ser gravado nem buscado."
    body = {
        "error": {
            "code": "validation_failed",
            "message": "Alguns campos estão inválidos. Corrija-os e tente novamente.",
            "fields": [{"field": field, "code": "null_character", "message": message}],
        }
    }
    return JsonResponse(body, status=422)


class NulCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            if NUL in request.path:
                return _refusal("path")
            for name, values in request.GET.lists():
                if NUL in name or any(NUL in value for value in values):
                    return _refusal(name.replace(NUL, ""))
            if request.content_type == "application/json" and (
                b"\\u0000" in request.body or b"\x00" in request.body
            ):
                return _refusal("body")
        return self.get_response(request)
