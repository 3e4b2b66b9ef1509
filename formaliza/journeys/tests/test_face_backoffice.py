"""The face-match pages of the back office through Django's client: the queue, one match side
by side (photo openings logged), the decision with its reason, the tenant's settings, and
another tenant's ids answered 404."""

from __future__ import annotations

import pytest

from formaliza.core.testing import run_queued_tasks
from formaliza.journeys.adapters.fake import FakeFaceVerifier
from formaliza.journeys.models import CaptureAccess, FaceMatch, FaceMatchPolicy
from formaliza.journeys.ports import FaceOutcome, _verifier
from formaliza.journeys.tests.helpers import person_selfie, send_selfie, walk_to_selfie


@pytest.fixture(autouse=True)
def fake_verifier(settings):
    settings.JOURNEY_FACE_MATCH_ENABLED = True
    settings.JOURNEY_FACE_VERIFIER = "formaliza.journeys.adapters.fake.FakeFaceVerifier"
    _verifier.cache_clear()
    FakeFaceVerifier.reset()
    yield FakeFaceVerifier
    FakeFaceVerifier.reset()
    _verifier.cache_clear()


@pytest.fixture
def match(journey) -> FaceMatch:
    FakeFaceVerifier.results.append((FaceOutcome.COMPARED, 0.41))
    walk_to_selfie(journey, document="obama_1")
    send_selfie(journey, person_selfie("obama_2"))
    run_queued_tasks()
    return FaceMatch.objects.get(journey=journey)


def test_the_queue_and_the_detail_show_the_match_and_log_each_photo(kit, match):
    client = kit.client_for("manager")
    page = client.get("/jornadas/conferencia-facial/").content.decode()
    assert match.journey.client_name in page and "0,41" in page
    detail = client.get(f"/jornadas/conferencia-facial/{match.pk}/").content.decode()
    assert "Registrar decisão" in detail and "aceite a partir de 0,45" in detail
    assert not CaptureAccess.objects.exists()  # the page itself shows no bytes
    for which in ("selfie", "document"):
        response = client.get(f"/jornadas/conferencia-facial/{match.pk}/{which}.jpg")
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert CaptureAccess.objects.filter(user=kit.users["manager"]).count() == 2


def test_a_decision_without_reason_is_refused_in_portuguese_then_recorded(kit, match):
    client = kit.client_for("manager")
    url = f"/jornadas/conferencia-facial/{match.pk}/decidir/"
    response = client.post(url, {"decision": "approve", "reason": ""})
    assert response.status_code == 422
    assert "Informe o motivo da decisão." in response.content.decode()
    match.refresh_from_db()
    assert match.status == FaceMatch.Status.REVIEW
    response = client.post(url, {"decision": "approve", "reason": "Mesma pessoa."})
    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.status, match.review_reason) == ("approved", "Mesma pessoa.")


def test_roles_without_the_photos_permission_get_403(kit, match):
    client = kit.client_for("operator")  # journey.view and .manage, not .images
    assert client.get("/jornadas/conferencia-facial/").status_code == 403
    assert client.get(f"/jornadas/conferencia-facial/{match.pk}/selfie.jpg").status_code == 403
    assert not CaptureAccess.objects.exists()


def test_another_tenants_match_is_not_found_and_nothing_is_logged(other_kit, match):
    client = other_kit.client_for("admin")
    for url in (
        f"/jornadas/conferencia-facial/{match.pk}/",
        f"/jornadas/conferencia-facial/{match.pk}/selfie.jpg",
        f"/jornadas/conferencia-facial/{match.pk}/document.jpg",
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        f"/jornadas/conferencia-facial/{match.pk}/decidir/",
        {"decision": "reject", "reason": "x"},
    )
    assert response.status_code == 404
    match.refresh_from_db()
    assert match.status == FaceMatch.Status.REVIEW
    assert not CaptureAccess.objects.exists()


def test_the_settings_page_saves_the_policy_and_explains_bad_thresholds(kit):
    client = kit.client_for("admin")
    page = client.get("/jornadas/conferencia-facial/configuracao/").content.decode()
    assert "Não é uma prova de vida" in page
    response = client.post(
        "/jornadas/conferencia-facial/configuracao/",
        {
            "enabled": "on",
            "accept_threshold": "0.3",
            "review_threshold": "0.5",
            "max_attempts": "2",
        },
    )
    assert response.status_code == 200
    assert "com o de revisão até o de aceite" in response.content.decode()
    assert not FaceMatchPolicy.objects.exists()
    client.post(
        "/jornadas/conferencia-facial/configuracao/",
        {"accept_threshold": "0.5", "review_threshold": "0.4", "max_attempts": "2"},
    )
    policy = FaceMatchPolicy.objects.get(tenant=kit.tenant)
    assert (policy.enabled, policy.accept_threshold, policy.max_attempts) == (False, 0.5, 2)
