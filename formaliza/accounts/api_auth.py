"""API key authentication for django-ninja routers: `X-API-Key: fz_…` or
`Authorization: Bearer fz_…` — both documented in the OpenAPI schema as alternatives (two
security schemes). The authenticated ApiKey becomes `request.auth`."""

from __future__ import annotations

from ninja.security import APIKeyHeader, HttpBearer

from formaliza.accounts.models import ApiKey
from formaliza.accounts.selectors import api_key_authenticate


def presented_key(request) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-API-Key", "").strip()


class ApiKeyAuth(APIKeyHeader):
    """`X-API-Key: fz_…`."""

    param_name = "X-API-Key"
    openapi_description = "Chave de API da empresa: `X-API-Key: fz_…`."

    def authenticate(self, request, key: str | None) -> ApiKey | None:
        return api_key_authenticate((key or "").strip())


class ApiKeyBearer(HttpBearer):
    """`Authorization: Bearer fz_…` (the same key)."""

    openapi_description = "A mesma chave de API em `Authorization: Bearer fz_…`."

    def authenticate(self, request, token: str) -> ApiKey | None:
        return api_key_authenticate((token or "").strip())


def api_key_auth() -> list:
    """The API's authentication: either header (tried in this order)."""
    return [ApiKeyAuth(), ApiKeyBearer()]
