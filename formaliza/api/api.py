"""The public HTTP API: one NinjaAPI, routers from the domain apps, one error format.

Every error is `{"error": {"code": <stable code>, "message": <pt-BR>, "fields": [...]}}`.
"""

from __future__ import annotations

import logging

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from formaliza.accounts.actors import Actor
from formaliza.accounts.api_auth import api_key_auth
from formaliza.cases.api import router as cases_router
from formaliza.contacts.api import router as contacts_router
from formaliza.conversations.api import router as conversations_router
from formaliza.core.errors import ApplicationError
from formaliza.core.tenant_lookups import api_namespace, visible
from formaliza.erp.api import router as erp_router
from formaliza.evidence.api import verify_router
from formaliza.flows.api import router as flows_router
from formaliza.history.api import router as history_router
from formaliza.journeys.api import router as journeys_router
from formaliza.proposals.api import formalizations_router, proposals_router
from formaliza.triage.api import router as triage_router
from formaliza.webhooks.api import router as webhooks_router

logger = logging.getLogger(__name__)

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string"},
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
        }
    },
}
_SHARED_ANSWERS = {
    400: "`invalid_json`: o corpo não é um JSON válido; `idempotency_key_invalid`.",
    401: "`invalid_api_key`: chave de API ausente, inválida ou revogada.",
    404: "`not_found` (ou o código do recurso): não existe nesta empresa.",
    409: "`idempotency_request_in_progress`: a mesma Idempotency-Key ainda está em andamento.",
    422: "`invalid_request` (formato) ou `validation_failed` (regras); `fields` diz onde.",
}
_IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": (
        "Repetir a requisição com a mesma chave devolve a primeira resposta sem executar de "
        "novo (24 h por chave de API)."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


class FormalizaAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document also lists what the shared machinery answers (the
    error handlers below, the idempotency middleware), so no router has to remember them."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["ApiError"] = _ERROR_SCHEMA
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                _document_shared_answers(method, operation)
        return schema


def _document_shared_answers(method: str, operation: dict) -> None:
    params = operation.setdefault("parameters", [])
    authenticated = bool(operation.get("security"))
    has_body = "requestBody" in operation
    statuses = set()
    if authenticated:
        statuses.add(401)
    if params or has_body:
        statuses.add(422)
    if has_body:
        statuses.add(400)
    if authenticated and any(p["in"] == "path" for p in params):
        statuses.add(404)
    if method == "post" and authenticated:
        params.append(_IDEMPOTENCY_HEADER)
        statuses |= {400, 409, 422}
    responses = operation.setdefault("responses", {})
    for status in sorted(statuses):
        responses.setdefault(
            str(status),
            {
                "description": _SHARED_ANSWERS[status],
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}
                },
            },
        )
    if not params:
        del operation["parameters"]


api = FormalizaAPI(
    title="Formaliza API",
    version="1.0.0",
    description=(
        "API para integradores: propostas, esteira e formalizações. Autentique com a chave de "
        "API da sua empresa (`X-API-Key` ou `Authorization: Bearer`). POSTs aceitam "
        '`Idempotency-Key`. Erros seguem `{"error": {"code", "message", "fields"}}`.'
    ),
    auth=api_key_auth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/v1/proposals", proposals_router, tags=["Propostas"])
api.add_router("/v1/formalizations", formalizations_router, tags=["Formalizações"])
api.add_router("/v1/formalizations", journeys_router, tags=["Formalizações"])
api.add_router("/v1/cases", cases_router, tags=["Casos"])
api.add_router("/v1/flows", flows_router, tags=["Fluxos"])
api.add_router("/v1/conversations", conversations_router, tags=["Atendimentos"])
api.add_router("/v1/history", history_router, tags=["Histórico"])
api.add_router("/v1/webhooks", webhooks_router, tags=["Webhooks"])
api.add_router("/v1/contacts", contacts_router, tags=["Contatos"])
api.add_router("/v1/triage", triage_router, tags=["Triagem"])
api.add_router("/v1/erp", erp_router, tags=["ERP"])
# Public (no API key): anyone holding a sealed PDF or its code can check it.
api.add_router("/v1/verify", verify_router, tags=["Verificação"])


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "body"


def _not_yours(request):
    """The 404 for a request naming, in its path, an object the caller cannot see; None when
    every such object is the caller's (or the path names none). Asked before answering a
    400/415/422 about the body: those must not reveal that another tenant's id exists."""
    match = getattr(request, "resolver_match", None)
    auth = getattr(request, "auth", None)
    if match is None or not match.kwargs or auth is None:
        return None
    actor = Actor.of_api_key(auth)
    namespace = api_namespace(request.path)
    try:
        for param, value in match.kwargs.items():
            if visible(actor, namespace, param, str(value)) is False:
                return not_found(request, None)
    except ApplicationError as exc:
        return application_error(request, exc)
    return None


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def request_invalid(request, exc: ValidationError):
    if hidden := _not_yours(request):
        return hidden
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
    if exc.status_code in (400, 415, 422) and (hidden := _not_yours(request)):
        return hidden
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
