"""ID photos must show an ID (issue 12, item 9): a coffee cup, enlarged, was accepted as the ID
front and back. Real photos that are not documents (a cup, a cat, a launch pad, two selfies,
a printed letter) are refused; photographed ID cards (journeys/samples.py: perspective, four
surfaces, upright frames, a thumb over the edge, noise) are accepted."""

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from formaliza.journeys.images import MESSAGES, ImageRefused, Limits, image_check
from formaliza.journeys.samples import Shot, card_back, photographed, printed_page
from formaliza.journeys.tests.helpers import (
    enlarged,
    face_frame,
    id_back_jpeg,
    id_front_jpeg,
    jpeg,
)
from formaliza.journeys.tests.test_images import LIMITS

SHOTS = {
    "madeira": Shot(long_side=1000),
    "tecido-em-pe": Shot(long_side=1000, surface="tecido", portrait=True, turn=-8, seed=3),
    "mesa-clara-inclinado": Shot(long_side=1000, surface="mesa_clara", tilt=0.1, fill=0.6, seed=5),
    "mesa-escura-perto": Shot(long_side=1000, surface="mesa_escura", fill=0.85, turn=-3, seed=7),
    "segurado-pelo-polegar": Shot(long_side=1000, thumb=True, surface="mesa_escura", turn=10, seed=4),
}  # fmt: skip
NOT_DOCUMENTS = {
    "xicara-de-cafe": enlarged("coffee.jpg"),
    "gato": enlarged("chelsea.jpg"),
    "paisagem-lancamento": enlarged("rocket.jpg"),
    "selfie": enlarged("selfie_obama.jpg"),
    "selfie-no-oval": jpeg(face_frame(size=(1280, 960), scale=2.5, offset=(78, 168))),
}


def _refusal(data: bytes, kind: str, limits: Limits = LIMITS) -> str:
    with pytest.raises(ImageRefused) as err:
        image_check(data, kind=kind, limits=limits)
    assert err.value.message  # pt-BR, what to do next
    return err.value.code


@pytest.mark.parametrize("shot", SHOTS.values(), ids=SHOTS.keys())
def test_photographed_id_cards_are_accepted(shot):
    front = image_check(id_front_jpeg(shot), kind="id_front", limits=LIMITS)
    back = image_check(id_back_jpeg(shot), kind="id_back", limits=LIMITS)

    for checked in (front, back):
        document = checked.document
        assert document.found and len(document.corners) == 4
        assert document.text_lines >= LIMITS.document.min_text_lines
        assert document.as_dict()["detector"].startswith("opencv-4.")
    assert front.document.face_height >= LIMITS.document.min_face_height
    assert back.document.face_height is None  # the back is not asked for a face


def test_a_cnh_is_accepted_too():
    front = id_front_jpeg(Shot(long_side=1000, surface="tecido", seed=9))
    assert image_check(front, kind="id_front", limits=LIMITS).document.found


@pytest.mark.parametrize("kind", ["id_front", "id_back"])
@pytest.mark.parametrize("data", NOT_DOCUMENTS.values(), ids=NOT_DOCUMENTS.keys())
def test_real_photos_that_are_not_documents_are_refused(data, kind):
    assert _refusal(data, kind) == "document_not_found"


def test_the_coffee_cup_of_the_report_is_refused_as_front_and_back_with_the_reason():
    cup = enlarged("coffee.jpg")
    assert Image.open(io.BytesIO(cup)).size == (1600, 1067)  # passes resolution and blur
    assert _refusal(cup, "id_front") == "document_not_found"
    assert _refusal(cup, "id_back") == "document_not_found"
    with pytest.raises(ImageRefused) as err:
        image_check(cup, kind="id_front", limits=LIMITS)
    assert err.value.message == MESSAGES["document_not_found"]
    assert err.value.message.startswith("Não encontramos um documento na foto.")


def test_the_back_photographed_as_the_front_has_no_face():
    assert _refusal(id_back_jpeg(), "id_front") == "document_no_face"


def test_a_printed_letter_is_a_document_but_not_an_id():
    """Card-like in shape (A4 is 1.41:1), but its lines are body text, too small for an ID."""
    letter = photographed(printed_page().rotate(90, expand=True), Shot(long_side=1000, fill=0.7))
    assert _refusal(letter, "id_back") == "document_not_found"


def test_a_blank_card_is_not_a_document():
    blank = Image.new("RGB", (856, 540), (236, 238, 232))
    assert _refusal(photographed(blank, Shot(long_side=1000)), "id_back") == "document_not_found"


def test_a_card_with_too_little_print_is_refused_for_its_text():
    """Two lines of print on a card (a loyalty card, a card seen too soft): not enough."""
    sparse = Image.new("RGB", (856, 540), (236, 238, 232))
    draw = ImageDraw.Draw(sparse)
    for n, text in enumerate(("CARTÃO FIDELIDADE", "PADARIA BOM DIA")):
        draw.text((60, 120 + n * 90), text, fill=(20, 20, 20), font=ImageFont.load_default(40))
    assert _refusal(photographed(sparse, Shot(long_side=1000)), "id_back") == "document_no_text"


def test_a_card_held_too_far_is_not_taken_for_a_card():
    tiny = photographed(card_back(), Shot(long_side=1000, fill=0.25, tilt=0.02))
    assert _refusal(tiny, "id_back") == "document_not_found"


def test_the_thresholds_are_settings(settings):
    settings.JOURNEY_ID_MIN_TEXT_LINES = 400
    assert _refusal(id_back_jpeg(), "id_back", Limits.from_settings()) == "document_no_text"
    settings.JOURNEY_ID_MIN_TEXT_LINES = 6
    settings.JOURNEY_ID_MIN_FACE_HEIGHT = 0.9
    assert _refusal(id_front_jpeg(), "id_front", Limits.from_settings()) == "document_no_face"
    settings.JOURNEY_ID_MIN_FACE_HEIGHT = 0.08
    settings.JOURNEY_ID_MIN_AREA = 0.9
    assert _refusal(id_back_jpeg(), "id_back", Limits.from_settings()) == "document_not_found"


def test_the_quality_checks_still_come_first():
    """Type, size, bombs, resolution and blur are refused before any document check."""
    small = Image.open(io.BytesIO(enlarged("coffee.jpg"))).resize((400, 267))
    assert _refusal(jpeg(small), "id_front") == "image_too_small"
    assert _refusal(b"not an image", "id_back") == "image_not_image"
    blurred = Image.open(io.BytesIO(id_front_jpeg())).resize((125, 94)).resize((1000, 750))
    assert _refusal(jpeg(blurred), "id_front") == "image_blurred"
