"""The face match in the journey: asked with the accepted selfie, run by the background task
(the real dlib adapter on the shared photos, or the fake verifier for scripted outcomes),
decided in the tenant's bands, settled by a reviewer; the seal waits for it."""

from __future__ import annotations

import pytest

from formaliza.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from formaliza.core.testing import queued_tasks, run_queued_tasks
from formaliza.evidence.models import EvidenceEvent, SealedDocument
from formaliza.evidence.services import RequestContext
from formaliza.journeys import selectors, services
from formaliza.journeys.adapters.fake import FakeFaceVerifier
from formaliza.journeys.face_match import NO_FACE_ON_DOCUMENT
from formaliza.journeys.models import CaptureAccess, FaceMatch, Journey, Step
from formaliza.journeys.ports import FaceOutcome, _verifier
from formaliza.journeys.tests.helpers import (
    bomb_png,
    face_frame,
    jpeg,
    person_selfie,
    send_selfie,
    walk,
    walk_to_selfie,
)
from formaliza.proposals.models import FormalizationRequest

OFFICE = RequestContext(ip="10.0.0.9", user_agent="pytest-backoffice", session_id="", phone="")


@pytest.fixture(autouse=True)
def face_on(settings):
    settings.JOURNEY_FACE_MATCH_ENABLED = True
    FakeFaceVerifier.reset()
    yield
    FakeFaceVerifier.reset()


@pytest.fixture
def fake_verifier(settings):
    settings.JOURNEY_FACE_VERIFIER = "formaliza.journeys.adapters.fake.FakeFaceVerifier"
    _verifier.cache_clear()
    yield FakeFaceVerifier
    _verifier.cache_clear()


def events(journey: Journey, prefix: str = "face_match.") -> list[EvidenceEvent]:
    return list(
        EvidenceEvent.objects.filter(subject_id=str(journey.pk), kind__startswith=prefix).order_by(
            "sequence"
        )
    )


def sign(journey: Journey) -> Journey:
    return walk(journey, until=Step.DONE)


def test_a_matching_selfie_is_accepted_in_the_background_and_the_journey_goes_on(journey):
    walk_to_selfie(journey, document="obama_1")
    send_selfie(journey, person_selfie("obama_2"))
    journey.refresh_from_db()
    match = FaceMatch.objects.get(journey=journey)
    assert match.status == FaceMatch.Status.PENDING  # nothing ran in the request
    assert journey.current_step == Step.CONFIRM  # the client is not held meanwhile
    assert [t.task_path for t in queued_tasks("journey_face_match_run")]

    run_queued_tasks()

    match.refresh_from_db()
    assert match.status == FaceMatch.Status.ACCEPTED
    assert match.score >= match.accept_threshold
    assert match.model == "dlib_face_recognition_resnet_model_v1"
    assert match.document_crop.name.endswith(".jpg")
    (event,) = events(journey)
    assert event.kind == "face_match.accepted"
    assert event.data["score"] == match.score
    assert event.data["accept_threshold"] == 0.45
    assert "dlib-bin" in event.data["model_version"]


def test_signing_before_the_match_ran_waits_for_it_to_seal(journey):
    walk_to_selfie(journey, document="biden_1")
    send_selfie(journey, person_selfie("biden_2"))
    journey = sign(journey)
    assert journey.status == Journey.Status.SIGNED
    assert not SealedDocument.objects.filter(subject_id=str(journey.pk)).exists()
    assert journey.request.status == FormalizationRequest.Status.OPEN  # completes with the seal

    run_queued_tasks()

    assert FaceMatch.objects.get(journey=journey).status == FaceMatch.Status.ACCEPTED
    assert SealedDocument.objects.filter(subject_id=str(journey.pk)).exists()  # requested
    journey.request.refresh_from_db()
    assert journey.request.status == FormalizationRequest.Status.COMPLETED


def test_another_persons_selfie_asks_for_a_new_one_then_goes_to_review(journey, kit):
    services.face_match_policy_save(
        actor=kit.actor("admin"), enabled=True, accept_threshold=0.45, review_threshold=0.35,
        max_attempts=2,
    )  # fmt: skip
    walk_to_selfie(journey, document="obama_1")
    send_selfie(journey, person_selfie("biden_1"))
    run_queued_tasks()
    journey.refresh_from_db()
    first = FaceMatch.objects.get(journey=journey, attempt=1)
    assert first.status == FaceMatch.Status.REFUSED
    assert first.score < first.review_threshold
    assert journey.current_step == Step.SELFIE  # asked to take it again
    assert events(journey)[-1].data["retake"] is True

    send_selfie(journey, person_selfie("biden_2"))
    run_queued_tasks()
    journey.refresh_from_db()
    second = FaceMatch.objects.get(journey=journey, attempt=2)
    assert second.status == FaceMatch.Status.REVIEW
    assert second.reason == "selfie não conferiu com o documento em 2 tentativa(s)"
    assert journey.current_step == Step.CONFIRM  # no third selfie: a person decides
    assert list(selectors.face_match_queue(tenant=journey.tenant)) == [second]

    journey = sign(journey)
    run_queued_tasks()
    assert not SealedDocument.objects.filter(subject_id=str(journey.pk)).exists()


def test_an_id_without_a_face_goes_to_review_with_its_reason(journey, fake_verifier):
    fake_verifier.results.append((FaceOutcome.NO_FACE_DOCUMENT, None))
    walk_to_selfie(journey, document="obama_1")
    send_selfie(journey, person_selfie("obama_2"))
    run_queued_tasks()
    match = FaceMatch.objects.get(journey=journey)
    assert match.status == FaceMatch.Status.REVIEW
    assert match.reason == NO_FACE_ON_DOCUMENT == "rosto não encontrado no documento"
    journey.refresh_from_db()
    assert journey.current_step == Step.CONFIRM


def test_two_faces_in_the_selfie_ask_for_a_new_selfie(journey, fake_verifier):
    fake_verifier.results.append((FaceOutcome.MANY_FACES_SELFIE, None))
    walk_to_selfie(journey, document="obama_1")
    send_selfie(journey, person_selfie("obama_2"))
    run_queued_tasks()
    match = FaceMatch.objects.get(journey=journey)
    assert match.status == FaceMatch.Status.REFUSED
    assert match.reason == "mais de um rosto na selfie"
    journey.refresh_from_db()
    assert journey.current_step == Step.SELFIE


def test_a_refusal_after_signing_goes_to_review_not_to_a_retake(journey, fake_verifier):
    fake_verifier.results.append((FaceOutcome.COMPARED, 0.1))
    walk_to_selfie(journey, document="obama_1")
    send_selfie(journey, person_selfie("obama_2"))
    journey = sign(journey)
    run_queued_tasks()
    match = FaceMatch.objects.get(journey=journey)
    assert match.status == FaceMatch.Status.REVIEW
    assert "já estava assinada" in match.reason
    journey.refresh_from_db()
    assert journey.status == Journey.Status.SIGNED


def test_a_failing_model_sends_the_match_to_review(journey, fake_verifier):
    fake_verifier.results.append(RuntimeError("model file missing"))
    walk_to_selfie(journey, document="obama_1")
    send_selfie(journey, person_selfie("obama_2"))
    run_queued_tasks()
    match = FaceMatch.objects.get(journey=journey)
    assert (match.status, match.reason) == ("review", "falha na comparação automática")


@pytest.mark.parametrize(
    "photo",
    [
        pytest.param(lambda: bomb_png(), id="huge"),
        pytest.param(
            lambda: jpeg(face_frame(size=(320, 240), scale=0.6, offset=(20, 20))), id="tiny"
        ),
    ],
)
def test_a_huge_or_tiny_selfie_is_refused_by_the_checks_before_any_model(journey, photo):
    walk_to_selfie(journey, document="obama_1")
    outcome = send_selfie(journey, photo())
    assert not outcome.accepted
    assert not FaceMatch.objects.filter(journey=journey).exists()
    assert not queued_tasks("journey_face_match_run")


def test_a_tenant_with_face_match_off_seals_at_signing(journey, kit):
    services.face_match_policy_save(
        actor=kit.actor("admin"), enabled=False, accept_threshold=0.45, review_threshold=0.35,
        max_attempts=3,
    )  # fmt: skip
    walk_to_selfie(journey, document="obama_1")
    send_selfie(journey, person_selfie("biden_1"))
    journey = sign(journey)
    assert not FaceMatch.objects.filter(journey=journey).exists()
    assert SealedDocument.objects.filter(subject_id=str(journey.pk)).exists()


def in_review(journey, fake_verifier) -> FaceMatch:
    fake_verifier.results.append((FaceOutcome.COMPARED, 0.40))
    walk_to_selfie(journey, document="obama_1")
    send_selfie(journey, person_selfie("obama_2"))
    run_queued_tasks()
    return FaceMatch.objects.get(journey=journey, status=FaceMatch.Status.REVIEW)


def test_a_reviewer_approves_and_the_signed_journey_is_sealed(journey, kit, fake_verifier):
    match = in_review(journey, fake_verifier)
    journey = sign(journey)
    services.journey_face_match_review(
        actor=kit.actor("manager"), face_match_id=match.pk, decision="approve",
        reason="Mesma pessoa: conferi os traços e o documento.", context=OFFICE,
    )  # fmt: skip
    match.refresh_from_db()
    assert match.status == FaceMatch.Status.APPROVED
    assert match.reviewed_by == kit.users["manager"]
    event = events(journey)[-1]
    assert event.kind == "face_match.approved"
    assert event.data["reviewer"] == kit.users["manager"].display_name
    assert event.actor_kind == "user"
    run_queued_tasks()
    assert SealedDocument.objects.filter(subject_id=str(journey.pk)).exists()  # requested


def test_a_reviewer_refuses_and_the_journey_and_formalization_are_cancelled(
    journey, kit, fake_verifier
):
    match = in_review(journey, fake_verifier)
    journey = sign(journey)
    services.journey_face_match_review(
        actor=kit.actor("admin"), face_match_id=match.pk, decision="reject",
        reason="Pessoas diferentes.", context=OFFICE,
    )  # fmt: skip
    journey.refresh_from_db()
    assert journey.status == Journey.Status.CANCELLED
    assert journey.request.status == FormalizationRequest.Status.CANCELLED
    assert events(journey)[-1].kind == "face_match.rejected"
    run_queued_tasks()
    assert not SealedDocument.objects.filter(subject_id=str(journey.pk)).exists()


def test_a_review_needs_a_reason_the_permission_and_the_tenant(
    journey, kit, other_kit, fake_verifier
):
    match = in_review(journey, fake_verifier)
    with pytest.raises(ValidationFailed) as exc:
        services.journey_face_match_review(
            actor=kit.actor("admin"), face_match_id=match.pk, decision="approve", reason=" ",
            context=OFFICE,
        )  # fmt: skip
    assert exc.value.fields[0].code == "reason_required"
    with pytest.raises(PermissionDenied):
        services.journey_face_match_review(
            actor=kit.actor("operator"), face_match_id=match.pk, decision="approve",
            reason="ok", context=OFFICE,
        )  # fmt: skip
    with pytest.raises(NotFound):
        services.journey_face_match_review(
            actor=other_kit.actor("admin"), face_match_id=match.pk, decision="approve",
            reason="ok", context=OFFICE,
        )  # fmt: skip
    match.refresh_from_db()
    assert match.status == FaceMatch.Status.REVIEW  # nothing changed
    assert not events(journey, "face_match.approved")
    services.journey_face_match_review(
        actor=kit.actor("admin"), face_match_id=match.pk, decision="approve", reason="ok",
        context=OFFICE,
    )  # fmt: skip
    with pytest.raises(Conflict):
        services.journey_face_match_review(
            actor=kit.actor("admin"), face_match_id=match.pk, decision="reject", reason="x",
            context=OFFICE,
        )  # fmt: skip


def test_opening_the_reviewers_photos_is_logged(journey, kit, other_kit, fake_verifier):
    match = in_review(journey, fake_verifier)
    for which in ("selfie", "document"):
        opened = services.journey_face_match_image_open(
            actor=kit.actor("manager"), face_match_id=match.pk, which=which, context=OFFICE
        )
        assert opened.file.read(2) == b"\xff\xd8"
    accesses = CaptureAccess.objects.filter(user=kit.users["manager"])
    assert {a.capture_id for a in accesses} == {match.selfie_id, match.document_id}
    with pytest.raises(NotFound):
        services.journey_face_match_image_open(
            actor=other_kit.actor("admin"), face_match_id=match.pk, which="selfie", context=OFFICE
        )
    assert not CaptureAccess.objects.filter(user=other_kit.users["admin"]).exists()


def test_the_policy_refuses_thresholds_out_of_order(kit):
    with pytest.raises(ValidationFailed) as exc:
        services.face_match_policy_save(
            actor=kit.actor("admin"), enabled=True, accept_threshold=0.3, review_threshold=0.5,
            max_attempts=0,
        )  # fmt: skip
    assert {f.code for f in exc.value.fields} == {
        "thresholds_out_of_order",
        "attempts_out_of_range",
    }
    assert selectors.face_match_policy(tenant=kit.tenant).accept_threshold == 0.45


def _sealed_evidence(journey) -> tuple[str, dict]:
    import io
    import json
    import re

    from pypdf import PdfReader

    from formaliza.evidence.pdf import ATTACHMENT_NAME
    from formaliza.evidence.tests.conftest import stored

    document = SealedDocument.objects.get(subject_id=str(journey.pk))
    assert document.status == "sealed", document.last_error
    reader = PdfReader(io.BytesIO(stored(document)))
    text = re.sub(r"[\s\u200b]+", " ", " ".join(p.extract_text() for p in reader.pages))
    return text, json.loads(reader.attachments[ATTACHMENT_NAME][0])


def test_the_sealed_report_and_its_json_state_the_reviewed_face_match(
    journey, kit, fake_verifier, local_tsa
):
    match = in_review(journey, fake_verifier)
    journey = sign(journey)
    services.journey_face_match_review(
        actor=kit.actor("manager"), face_match_id=match.pk, decision="approve",
        reason="Mesma pessoa.", context=OFFICE,
    )  # fmt: skip
    run_queued_tasks()
    text, evidence = _sealed_evidence(journey)
    manager = kit.users["manager"].display_name
    assert "sim — aprovada na revisão humana" in text
    assert "escore 0,400 (limiar 0,450; revisão humana a partir de 0,350)" in text
    assert "modelo fake-model fake 1" in text
    assert f"revisado por {manager}" in text
    (selfie,) = [i for i in evidence["bundle"]["images"] if i["kind"] == "selfie"]
    face = selfie["face_match"]
    assert face["decision"] == "sim — aprovada na revisão humana"
    assert (face["score"], face["threshold"], face["review_threshold"]) == (0.4, 0.45, 0.35)
    assert (face["model"], face["model_version"], face["method"]) == (
        "fake-model",
        "fake 1",
        "fake",
    )
    assert (face["reviewer"], face["review_reason"]) == (manager, "Mesma pessoa.")
    (check,) = [
        a for a in evidence["bundle"]["signers"][0]["authentications"]
        if a["method"].startswith("Comparação facial")
    ]  # fmt: skip
    assert check["result"] == "sim — aprovada na revisão humana"
    kinds = [e["kind"] for e in evidence["chain"]["events"]]
    assert kinds.index("face_match.review") < kinds.index("face_match.approved")


def test_the_sealed_report_states_an_automatic_acceptance_by_the_model(journey, local_tsa):
    walk_to_selfie(journey, document="obama_1")
    send_selfie(journey, person_selfie("obama_3"))
    run_queued_tasks()
    journey = sign(journey)
    run_queued_tasks()
    text, evidence = _sealed_evidence(journey)
    assert "sim — aceita automaticamente" in text
    assert "dlib_face_recognition_resnet_model_v1" in text
    (selfie,) = [i for i in evidence["bundle"]["images"] if i["kind"] == "selfie"]
    assert selfie["face_match"]["score"] >= 0.45
    assert "dlib-bin" in selfie["face_match"]["model_version"]
    assert selfie["face_match"]["reviewer"] == ""
