"""The client's pages over HTTP (Django test client): link rules, resuming, gates, uploads."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from formaliza.accounts.roles import Role
from formaliza.core import clock
from formaliza.core.testing import run_queued_tasks
from formaliza.evidence.models import EvidenceEvent
from formaliza.journeys import services
from formaliza.journeys.models import Journey, JourneyLink, Step
from formaliza.journeys.tests.helpers import (
    bomb_png,
    document_frame,
    enlarged,
    face_frame,
    id_back_jpeg,
    id_front_jpeg,
    jpeg,
    walk,
)


def _path(started):
    return "/j/" + started.link_url.rsplit("/j/", 1)[1]


def _kinds(journey):
    return list(
        EvidenceEvent.objects.filter(subject_id=str(journey.pk))
        .order_by("sequence")
        .values_list("kind", flat=True)
    )


@pytest.fixture
def browser(started):
    """A client that entered through the link."""
    client = Client()
    assert client.get(_path(started))["Location"] == "/j/"
    return client


def test_the_link_opens_the_welcome_page_and_records_the_opening_once(browser, started):
    page = browser.get("/j/", follow=True)
    html = page.content.decode()
    assert page.redirect_chain == [("/j/inicio/", 302)]
    assert "Este celular é seu?" in html
    assert "conta comercial oficial de WhatsApp" in html
    assert started.journey.client_name in html
    browser.get("/j/inicio/")
    assert _kinds(started.journey).count("journey.opened") == 1
    assert page["Cache-Control"] == "no-store"
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_unknown_tampered_and_missing_tokens_get_the_same_page(started):
    token = started.link_url.rsplit("/j/", 1)[1]
    tampered = token[:10] + ("x" if token[10] != "x" else "y") + token[11:]
    answers = [Client().get(f"/j/{t}") for t in (tampered, "nada", "A" * 43, "x" * 300)] + [
        Client().get("/j/"),
        Client().get("/j/termos/"),
    ]
    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1
    assert "Link inválido" in answers[0].content.decode()
    assert started.journey.client_name not in answers[0].content.decode()
    assert "journey.opened" not in _kinds(started.journey)


def test_steps_cannot_be_skipped_by_url(browser):
    response = browser.get("/j/selfie/")
    assert response["Location"] == "/j/inicio/"
    response = browser.post("/j/assinar/", {"agree": "on"})
    assert response["Location"] == "/j/inicio/"


def test_reopening_the_link_resumes_at_the_current_step(started):
    walk(started.journey, until=Step.CONTRACTS)
    client = Client()
    client.get(_path(started))
    assert client.get("/j/")["Location"] == "/j/contratos/"
    assert client.get("/j/inicio/")["Location"] == "/j/contratos/"


def test_welcome_flags_someone_elses_phone(browser, started):
    browser.get("/j/")
    response = browser.post("/j/inicio/", {"phone_is_own": "no"})
    assert response["Location"] == "/j/termos/"
    journey = Journey.objects.get(pk=started.journey.pk)
    assert journey.phone_is_own is False


def test_the_server_refuses_to_accept_contracts_not_scrolled_to_the_end(browser, started):
    walk(started.journey, until=Step.CONTRACTS)
    page = browser.get("/j/contratos/")
    html = page.content.decode()
    assert re.search(r'<button class="btn" type="submit" disabled>', html)
    assert "Fim do contrato" in html  # shown in full

    refused = browser.post("/j/contratos/")

    assert refused.status_code == 409
    assert "Role cada contrato até o fim" in refused.content.decode()
    first, second = started.journey.contracts.order_by("position")
    half = browser.post(
        "/j/contratos/leitura/", {"contract": second.pk, "max_fraction": "0.5", "seconds": "4"}
    )
    assert half.json() == {"ok": True, "read": False}
    with time_machine.travel(clock.now() + dt.timedelta(minutes=1)):
        browser.post(
            "/j/contratos/leitura/", {"contract": first.pk, "max_fraction": "1", "seconds": "9"}
        )
        assert browser.post("/j/contratos/").status_code == 409
    journey = Journey.objects.get(pk=started.journey.pk)
    assert journey.contracts_read_at is None

    with time_machine.travel(clock.now() + dt.timedelta(minutes=2)):
        browser.post(
            "/j/contratos/leitura/", {"contract": second.pk, "max_fraction": "1", "seconds": "9"}
        )
        assert browser.post("/j/contratos/")["Location"] == "/j/documento-frente/"


def test_a_reading_proof_sooner_than_the_floor_is_refused_with_the_wait(browser, started):
    walk(started.journey, until=Step.CONTRACTS)
    browser.get("/j/contratos/")
    contract = started.journey.contracts.order_by("position").first()

    fast = browser.post(
        "/j/contratos/leitura/", {"contract": contract.pk, "max_fraction": "1", "seconds": "60"}
    )

    assert fast.status_code == 409
    answer = fast.json()
    assert (answer["ok"], answer["code"]) == (False, "reading_too_fast")
    assert "Leia o contrato com atenção" in answer["message"]
    assert 0 < answer["retry_after"] <= answer["min_seconds"]
    contract.refresh_from_db()
    assert (contract.read_at, contract.max_fraction) == (None, 0.0)


def test_reading_reports_need_valid_numbers(browser, started):
    walk(started.journey, until=Step.CONTRACTS)
    browser.get("/j/contratos/")
    contract = started.journey.contracts.first()
    bad = browser.post("/j/contratos/leitura/", {"contract": contract.pk, "max_fraction": "x"})
    assert bad.status_code == 400
    contract.refresh_from_db()
    assert contract.max_fraction == 0


def _upload(client, url, data, **extra):
    image = SimpleUploadedFile("foto.jpg", data, content_type="image/jpeg")
    return client.post(url, {"image": image, **extra}, HTTP_ACCEPT="application/json")


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"isto nao e uma foto", "image_not_image", "não é uma foto"),
        (jpeg(document_frame(size=(320, 240))), "image_too_small", "resolução baixa"),
        (jpeg(document_frame()), "face_not_found", "Não encontramos seu rosto"),
        (bomb_png(), "image_bomb", "dimensões grandes demais"),
        (jpeg(face_frame(offset=(-150, -40))), "face_outside_oval", "fora do oval"),
        (jpeg(face_frame(blur=4)), "image_blurred", "tremida ou desfocada"),
    ],
    ids=["not-image", "too-small", "no-face", "bomb", "outside-oval", "blurred"],
)
def test_selfie_refusals_tell_the_client_what_to_do(browser, started, data, code, words):
    walk(started.journey, until=Step.SELFIE)
    response = _upload(browser, "/j/selfie/", data)
    assert response.status_code == 422
    body = response.json()
    assert (body["ok"], body["code"]) == (False, code)
    assert words in body["message"]
    journey = Journey.objects.get(pk=started.journey.pk)
    assert journey.current_step == Step.SELFIE
    assert _kinds(journey)[-1] == "capture.refused"


def test_an_oversized_upload_is_refused_from_its_length(browser, started, settings):
    settings.JOURNEY_IMAGE_MAX_BYTES = 50_000
    walk(started.journey, until=Step.ID_FRONT)
    response = _upload(browser, "/j/documento-frente/", b"\xff" * 200_000)
    assert response.json()["code"] == "image_too_large"
    capture = started.journey.captures.get()
    assert (capture.original_sha256, capture.original_bytes > 200_000) == ("", True)


def test_a_photo_that_is_not_an_id_is_refused_with_what_to_do(browser, started):
    walk(started.journey, until=Step.ID_FRONT)
    response = _upload(browser, "/j/documento-frente/", enlarged("chelsea.jpg"))
    assert response.status_code == 422
    body = response.json()
    assert (body["ok"], body["code"]) == (False, "document_not_found")
    assert "Coloque o RG ou a CNH inteiro dentro da moldura" in body["message"]
    assert Journey.objects.get(pk=started.journey.pk).current_step == Step.ID_FRONT


def test_without_javascript_a_refusal_is_shown_on_the_page(browser, started):
    walk(started.journey, until=Step.ID_FRONT)
    image = SimpleUploadedFile("x.jpg", b"nope", content_type="image/jpeg")
    response = browser.post("/j/documento-frente/", {"image": image})
    assert response.status_code == 422
    assert "não é uma foto" in response.content.decode()
    good = SimpleUploadedFile("x.jpg", id_front_jpeg(), content_type="image/jpeg")
    assert (
        browser.post("/j/documento-frente/", {"image": good})["Location"] == "/j/documento-verso/"
    )


def test_an_expired_link_offers_a_new_one_by_whatsapp_rate_limited(started, outbox):
    run_queued_tasks()
    later = clock.now() + dt.timedelta(days=1, minutes=1)
    with time_machine.travel(later, tick=False):
        client = Client()
        page = client.get(_path(started))
        assert page.status_code == 410
        html = page.content.decode()
        assert "Este link expirou" in html
        assert "Receber novo link pelo WhatsApp" in html

        sent = client.post(_path(started) + "/novo-link")
        again = client.post(_path(started) + "/novo-link")
        run_queued_tasks()

    assert "Enviamos um link novo" in sent.content.decode()
    assert started.journey.phone[-4:] in sent.content.decode()
    assert again.status_code == 429
    assert "já pediu um link novo" in again.content.decode()
    assert [m.reason for m in outbox.links()] == ["initial", "requested"]
    assert outbox.links()[-1].link_url != started.link_url


def test_renewing_ends_the_sessions_of_the_old_link(kit, browser, started):
    browser.get("/j/")
    renewed = services.journey_link_renew(
        actor=kit.actor(Role.OPERATOR), journey_id=started.journey.pk
    )

    page = browser.get("/j/inicio/")
    assert page.status_code == 410
    assert "Este link foi substituído" in page.content.decode()
    assert Client().get(_path(started)).status_code == 410
    fresh = Client()
    assert fresh.get("/j/" + renewed.link_url.rsplit("/j/", 1)[1])["Location"] == "/j/"


def test_a_cancelled_formalization_shows_no_way_to_sign(kit, browser, started):
    from formaliza.proposals.services import formalization_cancel

    formalization_cancel(
        actor=kit.actor(Role.MANAGER), request_id=started.journey.request_id, reason="x"
    )
    page = browser.get("/j/inicio/")
    assert "foi cancelada" in page.content.decode()
    assert "novo link" not in page.content.decode()
    assert Journey.objects.get(pk=started.journey.pk).status == "cancelled"


def test_something_wrong_stops_and_says_someone_will_call(browser, started):
    walk(started.journey, until=Step.CONDITIONS)
    browser.get("/j/")
    response = browser.post("/j/algo-errado/", {"message": "Meu nome está errado"}, follow=True)
    assert "Recebemos seu aviso" in response.content.decode()
    assert started.journey.issues.get().message == "Meu nome está errado"
    assert "Recebemos seu aviso" in browser.get("/j/termos/").content.decode()


def test_the_whole_journey_over_http_ends_signed(browser, started):
    journey = started.journey
    browser.get("/j/")
    browser.post("/j/inicio/", {"phone_is_own": "yes"})
    browser.post("/j/termos/", {"terms_sha256": journey.terms.sha256, "accept": "on"})
    browser.post("/j/condicoes/", {"snapshot_sha256": journey.conditions_sha256})
    browser.get("/j/contratos/")
    with time_machine.travel(clock.now() + dt.timedelta(minutes=2)):  # read at a human pace
        for contract in journey.contracts.all():
            browser.post(
                "/j/contratos/leitura/",
                {"contract": contract.pk, "max_fraction": "1", "seconds": "30"},
            )
        browser.post("/j/contratos/")
    assert _upload(browser, "/j/documento-frente/", id_front_jpeg()).json()["ok"]
    assert _upload(browser, "/j/documento-verso/", id_back_jpeg()).json()["ok"]
    assert _upload(browser, "/j/selfie/", jpeg(face_frame()), retakes="1", source="camera").json() == {
        "ok": True, "next": "/j/assinar/",
    }  # fmt: skip
    unchecked = browser.post("/j/assinar/", {})  # the declaration is required
    assert "Marque a declaração para assinar." in unchecked.content.decode()
    assert Journey.objects.get(pk=journey.pk).signed_at is None
    done = browser.post("/j/assinar/", {"agree": "on"}, follow=True)
    assert "Pronto, contratos assinados!" in done.content.decode()
    assert Journey.objects.get(pk=journey.pk).status == "signed"
    assert Client().get(_path(started), follow=True).redirect_chain[-1][0] == "/j/concluido/"
    assert JourneyLink.objects.filter(journey=journey).count() == 1
