"""Submitting photos on the journey: storage, evidence, refusals, retakes."""

import pytest
from django.core.files.storage import default_storage

from formaliza.core.errors import ApplicationError
from formaliza.evidence.models import EvidenceEvent
from formaliza.journeys import services
from formaliza.journeys.models import JourneyCapture, Step
from formaliza.journeys.tests.helpers import (
    CLIENT_CTX,
    enlarged,
    face_frame,
    id_back_jpeg,
    id_front_jpeg,
    jpeg,
    walk,
)


def _submit(journey, kind, data, retakes=0):
    return services.journey_capture_submit(
        journey_id=journey.pk, kind=kind, data=data, source="camera", client_retakes=retakes,
        context=CLIENT_CTX,
    )  # fmt: skip


def test_an_accepted_photo_is_stored_through_storages_and_evidenced(journey, settings):
    walk(journey, until=Step.ID_FRONT)
    data = id_front_jpeg()

    outcome = _submit(journey, "id_front", data)

    capture = outcome.capture
    assert outcome.accepted
    assert capture.image.name.startswith(f"journeys/{journey.tenant_id}/{journey.pk}/id_front-01-")
    assert default_storage.exists(capture.image.name)
    with default_storage.open(capture.image.name) as stored:
        import hashlib

        assert hashlib.sha256(stored.read()).hexdigest() == capture.display_sha256
    assert str(settings.MEDIA_ROOT) in default_storage.path(capture.image.name)
    journey.refresh_from_db()
    assert journey.current_step == Step.ID_BACK
    event = EvidenceEvent.objects.filter(subject_id=str(journey.pk)).order_by("-sequence").first()
    assert event.kind == "capture.accepted"
    assert event.data["original_sha256"] == capture.original_sha256
    assert event.data["display_sha256"] == capture.display_sha256
    assert event.data["document"] == capture.document  # where the card was, what it showed
    assert capture.document["text_lines"] >= 6 and capture.document["face_height"] > 0


def test_a_coffee_cup_is_refused_as_the_id_front_and_back_and_nothing_is_stored(journey):
    """Issue 12: a photo of a coffee cup, enlarged, was accepted as the ID front and back."""
    walk(journey, until=Step.ID_FRONT)
    cup = enlarged("coffee.jpg")

    front = _submit(journey, "id_front", cup)

    assert (front.accepted, front.refusal.code) == (False, "document_not_found")
    journey.refresh_from_db()
    assert journey.current_step == Step.ID_FRONT and journey.id_front_at is None
    assert not default_storage.exists(f"journeys/{journey.tenant_id}/{journey.pk}")
    event = EvidenceEvent.objects.filter(subject_id=str(journey.pk)).order_by("-sequence").first()
    assert (event.kind, event.data["refusal"]) == ("capture.refused", "document_not_found")

    assert _submit(journey, "id_front", id_front_jpeg()).accepted
    back = _submit(journey, "id_back", cup)
    assert back.refusal.code == "document_not_found"
    journey.refresh_from_db()
    assert journey.current_step == Step.ID_BACK
    assert not JourneyCapture.objects.filter(journey=journey, kind="id_back", accepted=True)
    assert _submit(journey, "id_back", id_back_jpeg()).accepted


def test_a_refused_photo_keeps_only_the_reason_and_counts_as_a_retake(journey):
    walk(journey, until=Step.SELFIE)

    refused = _submit(journey, "selfie", jpeg(face_frame(offset=(-150, -40))), retakes=2)
    accepted = _submit(journey, "selfie", jpeg(face_frame()), retakes=1)

    assert refused.refusal.code == "face_outside_oval"
    assert (refused.capture.accepted, refused.capture.image.name) == (False, "")
    assert refused.capture.original_sha256
    assert accepted.accepted and accepted.capture.attempt == 2
    assert list(
        JourneyCapture.objects.filter(journey=journey, kind="selfie").values_list(
            "attempt", "accepted", "client_retakes"
        )
    ) == [(1, False, 2), (2, True, 1)]
    kinds = list(
        EvidenceEvent.objects.filter(subject_id=str(journey.pk)).values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["capture.refused", "capture.accepted"]
    journey.refresh_from_db()
    assert journey.current_step == Step.CONFIRM


def test_a_photo_for_a_step_not_yet_reached_is_refused_and_not_stored(journey):
    walk(journey, until=Step.ID_FRONT)
    with pytest.raises(ApplicationError) as err:
        _submit(journey, "selfie", jpeg(face_frame()))
    assert err.value.code == "step_out_of_order"
    assert not JourneyCapture.objects.filter(journey=journey).exists()
    assert not default_storage.exists(f"journeys/{journey.tenant_id}/{journey.pk}")
