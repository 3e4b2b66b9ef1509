"""The journey's guidance in a real browser (issue 12, item 8): one count of the steps for the
welcome list and the header, and a refused photo makes the retake the main action."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from formaliza.journeys.models import JourneyCapture, Step
from formaliza.journeys.tests.helpers import document_frame, face_frame, jpeg, walk

pytestmark = pytest.mark.browser


def _path(started) -> str:
    return "/j/" + started.link_url.rsplit("/j/", 1)[1]


def _header(page) -> tuple[str, int, int]:
    head = page.locator(".j-head .j-step")
    number, total = re.search(r"Etapa (\d+) de (\d+)", head.inner_text()).groups()
    return head.get_attribute("data-step"), int(number), int(total)


def test_the_welcome_list_and_the_header_count_the_same_steps(phone, started, settings):
    settings.JOURNEY_READ_MIN_SECONDS_PER_PAGE = 0
    page = phone
    page.goto(_path(started))
    items = page.locator("ol.steps li")
    listed = [items.nth(i).get_attribute("data-step") for i in range(items.count())]
    step, number, total = _header(page)

    assert total == len(listed) == 8
    assert (step, number) == (listed[0], 1) == (Step.WELCOME, 1)
    expect(page.locator("ol.steps li[aria-current=step]")).to_have_count(1)
    expect(page.get_by_role("heading", name=f"em {total} etapas")).to_be_visible()

    # Every later page's "Etapa x de N" is the x-th step of that list.
    page.get_by_label("Sim, este celular é meu").check()
    page.get_by_role("button", name="Começar").click()
    seen = [_header(page)]
    page.get_by_label("Li e aceito os termos de uso").check()
    page.get_by_role("button", name="Aceitar e continuar").click()
    seen.append(_header(page))
    walk(started.journey, until=Step.SELFIE)
    page.goto("/j/")
    seen.append(_header(page))
    for step, number, of in seen:
        assert of == total and listed[number - 1] == step
    assert [s for s, _n, _t in seen] == [Step.TERMS, Step.CONDITIONS, Step.SELFIE]


def _pick(page, data: bytes, name="foto.jpg"):
    page.locator(".pick input[type=file]").set_input_files(
        {"name": name, "mimeType": "image/jpeg", "buffer": data}
    )
    expect(page.locator("#capture")).to_have_attribute("data-state", "preview")


def test_a_refused_selfie_makes_the_retake_the_main_action(phone, started):
    walk(started.journey, until=Step.SELFIE)
    page = phone
    page.goto(_path(started))
    send = page.get_by_role("button", name="Continuar")
    retake = page.get_by_role("button", name="Tirar outra foto")
    _pick(page, jpeg(document_frame()))  # no face in it
    expect(send).to_be_enabled()
    expect(send).to_have_class("btn")  # before sending, Continuar is the main action

    send.click()

    expect(page.locator("#capture .msg")).to_contain_text("Não encontramos seu rosto")
    expect(send).to_be_disabled()
    expect(retake).to_have_class("btn")  # the main (filled) button...
    expect(send).to_have_class(re.compile(r"\balt\b"))
    boxes = [b.bounding_box() for b in (retake, send)]
    assert boxes[0]["y"] < boxes[1]["y"]  # ...and the first one
    assert not JourneyCapture.objects.filter(
        journey=started.journey, kind="selfie", accepted=True
    ).exists()

    # The retake (from the phone's files, as the first photo) restores Continuar.
    with page.expect_file_chooser() as chooser:
        retake.click()
    chooser.value.set_files({"name": "selfie.jpg", "mimeType": "image/jpeg",
                             "buffer": jpeg(face_frame())})  # fmt: skip
    expect(page.locator("#capture")).to_have_attribute("data-state", "preview")
    expect(send).to_be_enabled()
    expect(send).to_have_class("btn")
    send.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirme e assine")
    selfie = JourneyCapture.objects.get(journey=started.journey, kind="selfie", accepted=True)
    assert selfie.attempt == 2
