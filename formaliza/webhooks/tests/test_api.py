"""The webhook subscriptions API: create (secret shown once), list, rotate the secret, deliveries
with every attempt and a retry on request — tenant-scoped, in the API's error shape."""

from __future__ import annotations

import json
import uuid

from formaliza.core.testing import run_queued_tasks
from formaliza.webhooks import signing
from formaliza.webhooks.models import WebhookDelivery, WebhookEndpoint
from formaliza.webhooks.services import webhook_event_emit

URL = "/api/v1/webhooks"


def post(client, kit, url, body=None, **headers):
    return client.post(
        url, data=json.dumps(body or {}), content_type="application/json",
        **kit.api_headers(**headers),
    )  # fmt: skip


def _subscribe(client, kit, receiver, **extra):
    body = {"url": receiver.url + "/hooks", **extra}
    response = post(client, kit, f"{URL}/endpoints", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_create_list_and_rotate_the_secret(client, kit, receiver):
    created = _subscribe(client, kit, receiver, event_types=["proposal.activity_changed"])
    assert created["secret"].startswith("whsec_")
    assert created["endpoint"]["event_types"] == ["proposal.activity_changed"]
    listed = client.get(f"{URL}/endpoints", **kit.api_headers()).json()
    assert [e["id"] for e in listed] == [created["endpoint"]["id"]]
    assert "secret" not in listed[0]  # shown once, never listed

    rotated = post(client, kit, f"{URL}/endpoints/{created['endpoint']['id']}/rotate-secret")
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != created["secret"]
    webhook_event_emit(tenant=kit.tenant, event_type="proposal.activity_changed", data={"n": 1})
    run_queued_tasks()
    (request,) = receiver.requests
    header = request.headers["X-Formaliza-Signature"]
    assert signing.verify(secret=new_secret, body=request.body, header=header)
    assert not signing.verify(secret=created["secret"], body=request.body, header=header)


def test_deliveries_with_their_attempts_and_a_retry(client, kit, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    _subscribe(client, kit, receiver)
    receiver.reply(500, "fora do ar")
    webhook_event_emit(tenant=kit.tenant, event_type="formalization.opened", data={"n": 1})
    run_queued_tasks()
    page = client.get(f"{URL}/deliveries", **kit.api_headers()).json()
    (item,) = page["items"]
    assert item["status"] == "pending" and item["attempts"] == 1
    assert item["last_status_code"] == 500 and item["event_type"] == "formalization.opened"
    detail = client.get(f"{URL}/deliveries/{item['id']}", **kit.api_headers()).json()
    assert detail["attempt_log"][0]["status_code"] == 500
    assert detail["attempt_log"][0]["will_retry"] is True

    again = post(client, kit, f"{URL}/deliveries/{item['id']}/redeliver")
    assert again.status_code == 202
    run_queued_tasks()
    delivered = client.get(f"{URL}/deliveries/{item['id']}", **kit.api_headers()).json()
    assert delivered["status"] == "delivered" and len(delivered["attempt_log"]) == 2
    done = post(client, kit, f"{URL}/deliveries/{item['id']}/redeliver")
    assert done.status_code == 409 and done.json()["error"]["code"] == "already_delivered"
    failed = client.get(f"{URL}/deliveries?status=failed", **kit.api_headers()).json()
    assert failed["count"] == 0


def test_bad_input_codes(client, kit, receiver, settings):
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    internal = post(client, kit, f"{URL}/endpoints", {"url": "http://127.0.0.1:9/x"})
    assert internal.status_code == 422
    assert internal.json()["error"]["fields"][0]["field"] == "url"
    assert post(client, kit, f"{URL}/endpoints", {"url": "ftp://x"}).status_code == 422
    unknown = post(client, kit, f"{URL}/endpoints", {"url": "http://x", "event_types": ["nope"]})
    assert unknown.status_code == 422
    assert client.get(f"{URL}/deliveries/nao-e-uuid", **kit.api_headers()).status_code == 404
    assert client.get(f"{URL}/deliveries?status=x", **kit.api_headers()).status_code == 422
    assert post(client, kit, f"{URL}/endpoints/abc/rotate-secret").status_code == 404
    assert not WebhookEndpoint.objects.exists()


def test_another_tenants_subscriptions_are_404(client, kit, other_kit, receiver):
    created = _subscribe(client, kit, receiver)
    webhook_event_emit(tenant=kit.tenant, event_type="formalization.opened", data={})
    delivery = WebhookDelivery.objects.get()
    endpoint_id = created["endpoint"]["id"]
    assert (
        post(client, other_kit, f"{URL}/endpoints/{endpoint_id}/rotate-secret", []).status_code
        == 404
    )
    assert (
        client.get(f"{URL}/deliveries/{delivery.pk}", **other_kit.api_headers()).status_code == 404
    )
    assert post(client, other_kit, f"{URL}/deliveries/{delivery.pk}/redeliver").status_code == 404
    assert post(client, other_kit, f"{URL}/deliveries/{uuid.uuid4()}/redeliver").status_code == 404
    assert client.get(f"{URL}/endpoints", **other_kit.api_headers()).json() == []
    assert client.get(f"{URL}/deliveries", **other_kit.api_headers()).json()["count"] == 0
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == WebhookEndpoint.objects.get(pk=endpoint_id).secret
