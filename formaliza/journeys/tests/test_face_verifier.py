"""The default FaceVerifier (dlib + face-recognition-models) on the shared test photos: the face
printed on a photographed ID front (journeys/samples.py) against a selfie of the same person
taken elsewhere, and of another person."""

from __future__ import annotations

import dataclasses
import io
import itertools
from functools import cache

import numpy as np
import pytest
from django.conf import settings
from PIL import Image

from formaliza.journeys.adapters import dlib_face
from formaliza.journeys.adapters.dlib_face import DlibFaceVerifier
from formaliza.journeys.face_match import (
    ACCEPTED,
    NO_FACE_ON_DOCUMENT,
    REFUSED,
    REVIEW,
    Policy,
    decide,
)
from formaliza.journeys.ports import FaceOutcome, face_verifier
from formaliza.journeys.samples import id_photo
from formaliza.journeys.tests.helpers import FIXTURES, SUITE_SHOT, id_back_jpeg, jpeg

FACES = FIXTURES / "faces"
PEOPLE = {"obama": ("obama_1", "obama_2", "obama_3"), "biden": ("biden_1", "biden_2")}
PHOTOS = [name for names in PEOPLE.values() for name in names]
SAME = [
    (a, b) for names in PEOPLE.values() for a, b in itertools.permutations(names, 2)
]  # ID of a, selfie b
DIFFERENT = [
    (a, b) for a, b in itertools.product(PHOTOS, PHOTOS) if a.split("_")[0] != b.split("_")[0]
]


@cache
def photo(name: str) -> Image.Image:
    image = Image.open(FACES / f"{name}.jpg").convert("RGB")
    image.thumbnail((1600, 1600))
    return image


@cache
def selfie(name: str) -> bytes:
    return jpeg(photo(name))


@cache
def id_front(name: str) -> bytes:
    return id_photo(photo(name), side="front", shot=SUITE_SHOT)


def test_the_configured_adapter_is_dlib_and_loaded_once_per_process():
    assert settings.JOURNEY_FACE_VERIFIER.endswith("dlib_face.DlibFaceVerifier")
    assert face_verifier() is face_verifier()
    assert dlib_face._models() is dlib_face._models()


def test_only_commercially_usable_models_are_loaded():
    models = dlib_face._models()
    pixels = np.asarray(photo("obama_1"))
    shape = models.landmarks(pixels, models.detector(pixels, 0)[0])
    assert shape.num_parts == 5  # the 68-point predictor would give 68
    assert "68" not in dlib_face.model_file(dlib_face.LANDMARKS_FILE)


@pytest.mark.parametrize(("document", "face"), SAME)
def test_every_same_person_pair_scores_above_the_acceptance_threshold(document, face):
    result = DlibFaceVerifier().compare(selfie_jpeg=selfie(face), document_jpeg=id_front(document))
    assert result.outcome == FaceOutcome.COMPARED
    assert result.score >= settings.JOURNEY_FACE_MATCH_ACCEPT
    assert result.selfie_faces == 1
    assert result.document_crop_jpeg.startswith(b"\xff\xd8")
    assert result.model == "dlib_face_recognition_resnet_model_v1"
    assert "dlib-bin 20." in result.model_version
    assert decide(result, policy=Policy.defaults(), attempt=1, can_retake=True).band == ACCEPTED


@pytest.mark.parametrize(("document", "face"), DIFFERENT)
def test_every_different_person_pair_scores_below_the_review_threshold(document, face):
    result = DlibFaceVerifier().compare(selfie_jpeg=selfie(face), document_jpeg=id_front(document))
    assert result.outcome == FaceOutcome.COMPARED
    assert result.score < settings.JOURNEY_FACE_MATCH_REVIEW
    decision = decide(result, policy=Policy.defaults(), attempt=1, can_retake=True)
    assert (decision.band, decision.retake) == (REFUSED, True)
    assert decision.prompt.startswith("A selfie não confere com a foto do documento")


def test_the_document_face_is_found_small_and_cropped_upright():
    result = DlibFaceVerifier().compare(
        selfie_jpeg=selfie("obama_2"), document_jpeg=id_front("obama_1")
    )
    _x, _y, w, _h = result.document_box
    document = Image.open(io.BytesIO(id_front("obama_1")))
    assert w < document.width * 0.2  # the printed portrait is a small part of the photo
    crop = Image.open(io.BytesIO(result.document_crop_jpeg))
    assert max(crop.size) <= dlib_face.CROP_SIDE


def test_an_id_photo_without_a_face_is_reported_as_such():
    result = DlibFaceVerifier().compare(selfie_jpeg=selfie("obama_1"), document_jpeg=id_back_jpeg())
    assert result.outcome == FaceOutcome.NO_FACE_DOCUMENT
    assert result.score is None
    assert result.document_crop_jpeg is None
    decision = decide(result, policy=Policy.defaults(), attempt=1, can_retake=True)
    assert (decision.band, decision.reason) == (REVIEW, NO_FACE_ON_DOCUMENT)
    assert NO_FACE_ON_DOCUMENT == "rosto não encontrado no documento"


def two_people() -> bytes:
    left, right = photo("obama_1").copy(), photo("biden_2").copy()
    left.thumbnail((640, 640))
    right.thumbnail((640, 640))
    frame = Image.new("RGB", (left.width + right.width, max(left.height, right.height)), "gray")
    frame.paste(left, (0, 0))
    frame.paste(right, (left.width, 0))
    return jpeg(frame)


def test_two_faces_in_the_selfie_are_reported_and_not_compared():
    result = DlibFaceVerifier().compare(selfie_jpeg=two_people(), document_jpeg=id_front("obama_2"))
    assert result.outcome == FaceOutcome.MANY_FACES_SELFIE
    assert result.selfie_faces == 2
    assert result.score is None
    decision = decide(result, policy=Policy.defaults(), attempt=1, can_retake=True)
    assert (decision.band, decision.retake) == (REFUSED, True)
    assert "mais de um rosto" in decision.prompt


def test_the_bands_follow_the_policy_and_the_last_attempt_goes_to_review():
    policy = Policy(enabled=True, accept_threshold=0.6, review_threshold=0.4, max_attempts=2)
    result = DlibFaceVerifier().compare(
        selfie_jpeg=selfie("obama_2"), document_jpeg=id_front("obama_1")
    )
    at = dict(policy.__dict__)
    for score, band in ((0.6, ACCEPTED), (0.59, REVIEW), (0.4, REVIEW), (0.39, REFUSED)):
        scored = dataclasses.replace(result, score=score)
        assert decide(scored, policy=Policy(**at), attempt=1, can_retake=True).band == band
    low = dataclasses.replace(result, score=0.1)
    last = decide(low, policy=policy, attempt=2, can_retake=True)
    assert (last.band, last.retake) == (REVIEW, False)
    signed = decide(low, policy=policy, attempt=1, can_retake=False)
    assert (signed.band, signed.retake) == (REVIEW, False)
