"""The public HTTP API: one NinjaAPI, routers from the domain apps, one error format.

Every error is `{"error": {"code": <stable code>, "message": <pt-BR>, "fields": [...]}}`.
"""

from __future__ import annotations

import logging

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from formaliza.accounts.api_auth import ApiKeyAuth
from formaliza.cases.api import router as cases_router
from formaliza.contacts.api import router as contacts_router
from formaliza.core.errors import ApplicationError
from formaliza.evidence.api import verify_router
from formaliza.journeys.api import router as journeys_router
from formaliza.proposals.api import formalizations_router, proposals_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Formaliza API",
    version="1.0.0",
    description=(
        "API para integradores: propostas, esteira e formalizações. Autentique com a chave de "
        "API da sua empresa (`X-API-Key` ou `Authorization: Bearer`). POSTs aceitam "
        '`Idempotency-Key`. Erros seguem `{"error": {"code", "message", "fields"}}`.'
    ),
    auth=ApiKeyAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/v1/proposals", proposals_router, tags=["Propostas"])
api.add_router("/v1/formalizations", formalizations_router, tags=["Formalizações"])
api.add_router("/v1/formalizations", journeys_router, tags=["Formalizações"])
api.add_router("/v1/cases", cases_router, tags=["Casos"])
api.add_router("/v1/contacts", contacts_router, tags=["Contatos"])
# Public (no API key): anyone holding a sealed PDF or its code can check it.
api.add_router("/v1/verify", verify_router, tags=["Verificação"])


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "body"


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def request_invalid(request, exc: ValidationError):
    fields = [
        {
            "field": _field_name(err.get("loc", ())),
            "code": f"invalid_{err.get('type', 'value')}",
            "message": err.get("msg", "valor inválido"),
        }
        for err in exc.errors
    ]
    body = {
        "error": {
            "code": "invalid_request",
            "message": "A requisição não está no formato esperado.",
            "fields": fields,
        }
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    body = {
        "error": {
            "code": "invalid_api_key",
            "message": "Chave de API ausente, inválida ou revogada.",
        }
    }
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    codes = {
        400: "invalid_json",
        403: "permission_denied",
        405: "method_not_allowed",
        429: "rate_limited",
    }
    messages = {400: "O corpo da requisição não é um JSON válido."}
    body = {
        "error": {
            "code": codes.get(exc.status_code, "http_error"),
            "message": messages.get(exc.status_code, str(exc)),
        }
    }
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request, exc):
    body = {"error": {"code": "not_found", "message": "Recurso não encontrado."}}
    return api.create_response(request, body, status=404)


@api.exception_handler(Exception)
def unexpected(request, exc):
    logger.exception("unhandled API error")
    body = {"error": {"code": "internal_error", "message": "Erro interno. Tente novamente."}}
    return api.create_response(request, body, status=500)
