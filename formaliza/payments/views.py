"""The PSP's webhook endpoint: `POST {webhookUrl}/pix` (webhookUrl = .../pix-webhook/<token>)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from formaliza.core.errors import ApplicationError, NotFound
from formaliza.payments.ports import WebhookRequest
from formaliza.payments.services import WebhookRefused, pix_webhook_receive


@csrf_exempt
@require_POST
def pix_webhook(request: HttpRequest, token: str) -> JsonResponse:
    incoming = WebhookRequest(
        body=request.body,
        headers={k.lower(): v for k, v in request.headers.items()},
        query={k: request.GET.get(k, "") for k in request.GET},
    )
    try:
        pix_webhook_receive(token=token, request=incoming)
    except NotFound:
        return JsonResponse({"error": "not_found"}, status=404)
    except WebhookRefused as exc:
        return JsonResponse({"error": exc.code}, status=401)
    except ApplicationError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message}, status=400)
    return JsonResponse({"ok": True})
