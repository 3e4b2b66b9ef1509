"""`Idempotency-Key` on POSTs of the public API.

The first request with a key runs and its answer (any status below 500) is stored; a repeat with
the same key and the same body gets that stored answer (header `Idempotent-Replayed: true`)
without running again; the same key with a different body is refused (422
`idempotency_key_reused`); a repeat that arrives while the first still runs gets 409
`idempotency_request_in_progress`. Keys live 24 hours per API key.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

from formaliza.accounts.api_auth import presented_key
from formaliza.accounts.selectors import api_key_authenticate
from formaliza.api.models import IdempotencyRecord
from formaliza.core import clock

HEADER = "Idempotency-Key"
TTL = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.path.encode() + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            return _error(
                400, "idempotency_key_invalid", "Idempotency-Key deve ter de 1 a 255 caracteres."
            )
        api_key = api_key_authenticate(presented_key(request))
        if api_key is None:
            return self.get_response(request)  # the endpoint answers 401
        fingerprint = _fingerprint(request)
        record, replay = self._claim(api_key, key, fingerprint)
        if replay is not None:
            return replay
        try:
            response = self.get_response(request)
        except Exception:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 500 or getattr(response, "streaming", False):
            IdempotencyRecord.objects.filter(pk=record.pk).delete()  # let the client retry
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            completed=True,
            status_code=response.status_code,
            content_type=response.get("Content-Type", "application/json"),
            body=response.content,
        )
        return response

    def _claim(self, api_key, key: str, fingerprint: str):
        now = clock.now()
        IdempotencyRecord.objects.filter(
            api_key=api_key, key=key, created_at__lt=now - TTL
        ).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    api_key=api_key, key=key, fingerprint=fingerprint, created_at=now
                )
            return record, None
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
        if existing is None:  # expired and deleted between the two statements
            return self._claim(api_key, key, fingerprint)
        if existing.fingerprint != fingerprint:
            return existing, _error(
                422,
                "idempotency_key_reused",
                "Esta Idempotency-Key já foi usada com outro conteúdo. Use uma chave nova.",
            )
        if not existing.completed:
            return existing, _error(
                409,
                "idempotency_request_in_progress",
                "Uma requisição com esta Idempotency-Key ainda está em andamento.",
            )
        response = HttpResponse(
            bytes(existing.body), status=existing.status_code, content_type=existing.content_type
        )
        response["Idempotent-Replayed"] = "true"
        return existing, response


def sweep_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=clock.now() - TTL).delete()
    return deleted
