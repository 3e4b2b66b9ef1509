"""The providers' webhook endpoint, one URL per channel. Verify, store, enqueue, answer: the
work happens in workers (services/inbound.py)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from formaliza.conversations.services.intake import webhook_handshake, webhook_receive


@csrf_exempt
def webhook(request, channel_key):
    if request.method == "GET":
        challenge = webhook_handshake(channel_key=str(channel_key), query=request.GET)
        if challenge is None:
            return HttpResponse(status=403)
        return HttpResponse(challenge, content_type="text/plain")
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    result = webhook_receive(
        channel_key=str(channel_key),
        body=request.body,
        headers=request.headers,
        url=request.build_absolute_uri(),
    )
    return HttpResponse(status=result.status)
