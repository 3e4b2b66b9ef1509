"""The face match as the client and the reviewer see it: another person's selfie is refused in
the background, the confirmation page sends the client back to take another one, the second is
refused too and the case lands in the back office's review queue, where a manager compares the
photos side by side and approves it (the seal then goes)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from formaliza.core.testing import run_queued_tasks
from formaliza.core.testing_browser import sign_in
from formaliza.evidence.models import SealedDocument
from formaliza.journeys import services
from formaliza.journeys.models import CaptureAccess, FaceMatch
from formaliza.journeys.tests.helpers import person_selfie, walk_to_selfie

pytestmark = pytest.mark.browser


def _path(started) -> str:
    return "/j/" + started.link_url.rsplit("/j/", 1)[1]


def _send_selfie(page, data: bytes) -> None:
    page.locator(".pick input[type=file]").set_input_files(
        {"name": "selfie.jpg", "mimeType": "image/jpeg", "buffer": data}
    )
    expect(page.locator("#capture")).to_have_attribute("data-state", "preview")
    page.get_by_role("button", name="Continuar").click()
    expect(page).to_have_url(re.compile(r"/j/assinar/$"))


def test_a_selfie_that_does_not_match_is_retaken_then_reviewed(
    phone, new_page, started, kit, settings
):
    settings.JOURNEY_FACE_MATCH_ENABLED = True
    services.face_match_policy_save(
        actor=kit.actor("admin"), enabled=True, accept_threshold=0.45, review_threshold=0.35,
        max_attempts=2,
    )  # fmt: skip
    journey = walk_to_selfie(started.journey, document="obama_1")
    page = phone
    page.goto(_path(started))
    expect(page).to_have_url(re.compile(r"/j/selfie/$"))

    # Another person's selfie: accepted by the photo checks, the journey goes on meanwhile.
    _send_selfie(page, person_selfie("biden_1"))
    status = page.locator("#face-status")
    expect(status).to_contain_text("Estamos conferindo sua selfie")
    run_queued_tasks()  # the worker compares it: refused, a new selfie is asked
    expect(page).to_have_url(re.compile(r"/j/selfie/$"), timeout=20_000)
    prompt = page.get_by_role("alert")
    expect(prompt).to_contain_text("A selfie não confere com a foto do documento")
    expect(prompt).to_contain_text("selfie 2 de 2")

    _send_selfie(page, person_selfie("biden_2"))
    run_queued_tasks()  # refused again, no attempts left: a person decides
    expect(status).to_contain_text("conferida pela nossa equipe", timeout=20_000)
    page.get_by_label(re.compile("Declaro que sou")).check()
    page.get_by_role("button", name="Assinar").click()
    expect(page.locator("#face-status")).to_contain_text("ainda está sendo conferida")
    assert not SealedDocument.objects.filter(subject_id=str(journey.pk)).exists()

    # The manager's review queue.
    office = new_page("desktop")
    sign_in(office, email=kit.users["manager"].email, password=PASSWORD)
    office.goto("/jornadas/conferencia-facial/")
    expect(office.get_by_role("heading", level=1)).to_have_text("Conferência facial")
    office.get_by_role("link", name=journey.client_name).click()
    for name in ("Selfie do cliente", "Rosto do documento"):
        image = office.get_by_role("img", name=name)
        expect(image).to_be_visible()
        assert image.evaluate("img => img.naturalWidth") > 0
    expect(
        office.get_by_text("selfie não conferiu com o documento em 2 tentativa(s)")
    ).to_be_visible()
    office.get_by_label("Aprovar: é a mesma pessoa").check()
    office.get_by_label("Motivo").fill("Conferi por videochamada: é o cliente.")
    office.get_by_role("button", name="Registrar decisão").click()
    expect(office.get_by_text("Conferência facial aprovada na revisão")).to_be_visible()

    match = FaceMatch.objects.get(journey=journey, attempt=2)
    assert (match.status, match.reviewed_by) == ("approved", kit.users["manager"])
    opened = set(
        CaptureAccess.objects.filter(user=kit.users["manager"]).values_list("capture_id", flat=True)
    )
    assert opened == {match.selfie_id, match.document_id}
    assert SealedDocument.objects.filter(subject_id=str(journey.pk)).exists()
