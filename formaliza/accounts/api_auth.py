"""API key authentication for django-ninja routers: `Authorization: Bearer fz_…` or
`X-API-Key: fz_…`. The authenticated ApiKey becomes `request.auth`."""

from __future__ import annotations

from ninja.security import APIKeyHeader

from formaliza.accounts.models import ApiKey
from formaliza.accounts.selectors import api_key_authenticate


def presented_key(request) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-API-Key", "").strip()


class ApiKeyAuth(APIKeyHeader):
    param_name = "X-API-Key"
    openapi_description = (
        "Chave de API da empresa: `X-API-Key: fz_…` ou `Authorization: Bearer fz_…`."
    )

    def __call__(self, request):
        return self.authenticate(request, presented_key(request))

    def authenticate(self, request, key: str | None) -> ApiKey | None:
        return api_key_authenticate(key or "")
