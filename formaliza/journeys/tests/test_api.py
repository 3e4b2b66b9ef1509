"""Integrators follow the journey and fetch a fresh link to the sealed document."""

import hashlib
from urllib.parse import urlsplit

from django.test import Client

from formaliza.core.testing import run_queued_tasks
from formaliza.journeys.models import Step
from formaliza.journeys.tests.helpers import walk


def _get(client, kit, path):
    return client.get(f"/api/v1/formalizations/{path}", **kit.api_headers())


def test_journey_status_follows_the_client(client, kit, journey, outbox):
    run_queued_tasks()
    body = _get(client, kit, f"{journey.request_id}/journey").json()
    assert (body["id"], body["status"], body["current_step"]) == (
        str(journey.pk),
        "active",
        "welcome",
    )
    assert [s["step"] for s in body["steps"]][:3] == ["welcome", "terms", "conditions"]
    assert all(s["done_at"] is None for s in body["steps"])
    assert body["document"] is None
    walk(journey, until=Step.ID_FRONT)
    body = _get(client, kit, f"{journey.request_id}/journey").json()
    done = [s["step"] for s in body["steps"] if s["done_at"]]
    assert done == ["welcome", "terms", "conditions", "contracts"]


def test_document_link_before_and_after_the_seal(client, kit, journey, outbox, local_tsa):
    run_queued_tasks()
    signed = walk(journey, until=Step.DONE)
    response = _get(client, kit, f"{signed.request_id}/document")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "document_not_sealed"
    assert (
        _get(client, kit, f"{signed.request_id}/journey").json()["document"]["status"] == "pending"
    )

    run_queued_tasks()

    journey_body = _get(client, kit, f"{signed.request_id}/journey").json()
    assert journey_body["status"] == "signed"
    document = journey_body["document"]
    assert document["status"] == "sealed"
    assert (
        document["verification_url"].endswith(document["code"])
        or document["code"] in document["verification_url"]
    )
    body = _get(client, kit, f"{signed.request_id}/document").json()
    assert body["sha256"] == document["sha256"]
    download = Client().get(urlsplit(body["download_url"]).path)
    assert download.status_code == 200
    data = b"".join(download.streaming_content) if download.streaming else download.content
    assert hashlib.sha256(data).hexdigest() == body["sha256"]


def test_another_tenant_gets_404_and_unknown_ids_too(client, kit, other_kit, journey):
    for path in (f"{journey.request_id}/journey", f"{journey.request_id}/document", "nope/journey"):
        response = _get(client, other_kit, path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] in ("journey_not_found", "not_found")


def test_requests_without_a_key_are_refused(client, journey):
    response = client.get(f"/api/v1/formalizations/{journey.request_id}/journey")
    assert response.status_code == 401


def test_face_matches_are_listed_for_the_tenant_only(client, kit, other_kit, journey, settings):
    from formaliza.journeys.tests.helpers import person_selfie, send_selfie, walk_to_selfie

    settings.JOURNEY_FACE_MATCH_ENABLED = True
    walk_to_selfie(journey, document="obama_1")
    send_selfie(journey, person_selfie("biden_1"))
    run_queued_tasks()
    body = _get(client, kit, f"{journey.request_id}/face-matches").json()
    assert [(m["attempt"], m["status"], m["outcome"]) for m in body] == [(1, "refused", "compared")]
    assert body[0]["score"] < body[0]["review_threshold"] == 0.35
    assert body[0]["model"] == "dlib_face_recognition_resnet_model_v1"
    journey_body = _get(client, kit, f"{journey.request_id}/journey").json()
    assert journey_body["face_matches"] == body
    response = _get(client, other_kit, f"{journey.request_id}/face-matches")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "journey_not_found"
    assert "face_matches" not in response.json()
