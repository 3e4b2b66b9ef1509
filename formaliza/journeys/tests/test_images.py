"""Server-side checks of the client's photos (pure: bytes in, verdict out)."""

import hashlib
import io

import pytest
from PIL import Image

from formaliza.journeys.id_document import DocumentLimits
from formaliza.journeys.images import ImageRefused, Limits, image_check, oval_for
from formaliza.journeys.tests.helpers import (
    bomb_png,
    document_frame,
    face_frame,
    id_front_jpeg,
    jpeg,
)

DOCUMENT = DocumentLimits(
    min_area=0.15, aspect_min=1.25, aspect_max=1.95, min_text_lines=6, min_text_density=0.04,
    min_face_height=0.08,
)  # fmt: skip
LIMITS = Limits(
    max_bytes=2 * 1024 * 1024, max_pixels=40_000_000, min_long_side=640, min_short_side=480,
    blur_min=25.0, document=DOCUMENT,
)  # fmt: skip


def _refusal(data, *, kind="id_back", limits=LIMITS):
    with pytest.raises(ImageRefused) as err:
        image_check(data, kind=kind, limits=limits)
    assert err.value.message  # every refusal tells the client what to do, in pt-BR
    return err.value.code


def test_a_good_selfie_is_accepted_with_its_face_inside_the_oval():
    data = jpeg(face_frame())
    checked = image_check(data, kind="selfie", limits=LIMITS)
    assert checked.original_sha256 == hashlib.sha256(data).hexdigest()
    assert (checked.display_width, checked.display_height) == (640, 480)
    assert checked.face.inside_oval is True
    assert checked.face.as_dict()["detector"].startswith("opencv-4.")
    assert checked.blur_score > LIMITS.blur_min
    assert checked.display_sha256 == hashlib.sha256(checked.display_jpeg).hexdigest()


def test_a_sharp_id_photo_is_accepted_without_the_selfie_face_check():
    checked = image_check(id_front_jpeg(), kind="id_front", limits=LIMITS)
    assert checked.face is None and checked.document.found
    assert (checked.original_width, checked.original_height) == (1000, 750)


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.7 not a photo", b"GIF89a" + b"\0" * 100, b"\xff\xd8\xff" + b"\0" * 50],
    ids=["empty", "pdf", "fake-gif", "broken-jpeg-header"],
)
def test_what_is_not_a_photo_is_refused(data):
    assert _refusal(data) in {"image_missing", "image_not_image"}


def test_the_type_comes_from_the_bytes_not_the_name():
    gif = io.BytesIO()
    Image.new("RGB", (800, 600)).save(gif, "GIF")
    assert _refusal(gif.getvalue()) == "image_not_image"
    png = io.BytesIO()
    Image.open(io.BytesIO(id_front_jpeg())).save(png, "PNG")
    assert image_check(png.getvalue(), kind="id_front", limits=LIMITS).original_format == "PNG"


def test_a_photo_too_small_is_refused():
    assert _refusal(jpeg(document_frame(size=(320, 240)))) == "image_too_small"


def test_a_file_too_large_is_refused_before_decoding():
    limits = Limits(**{**LIMITS.__dict__, "max_bytes": 10_000})
    assert _refusal(jpeg(document_frame()), limits=limits) == "image_too_large"


def test_a_decompression_bomb_is_refused_from_its_header():
    data = bomb_png()
    assert len(data) < 2000
    assert _refusal(data) == "image_bomb"


def test_a_truncated_photo_is_refused():
    data = jpeg(document_frame())
    assert _refusal(data[: len(data) // 2]) == "image_corrupt"


def test_a_blurred_photo_is_refused():
    assert _refusal(jpeg(document_frame(blur=4))) == "image_blurred"
    assert _refusal(jpeg(face_frame(blur=3)), kind="selfie") == "image_blurred"


def test_a_selfie_without_a_face_is_refused():
    assert _refusal(jpeg(document_frame()), kind="selfie") == "face_not_found"


def test_a_face_outside_the_oval_is_refused():
    assert _refusal(jpeg(face_frame(offset=(-150, -40))), kind="selfie") == "face_outside_oval"
    assert _refusal(jpeg(face_frame(offset=(300, 200))), kind="selfie") == "face_outside_oval"


def test_a_face_too_far_is_refused():
    assert _refusal(jpeg(face_frame(scale=0.6, offset=(200, 150))), kind="selfie") == "face_too_far"


def test_orientation_is_applied_and_location_stripped_from_the_stored_copy():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to display
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (23.0, 33.0, 1.0), 3: "W", 4: (46.0, 38.0, 2.0)})
    # The phone stored the pixels turned; the EXIF tag says how to show them upright.
    turned = Image.open(io.BytesIO(id_front_jpeg())).transpose(Image.Transpose.ROTATE_90)
    original = jpeg(turned, exif=exif)

    checked = image_check(original, kind="id_front", limits=LIMITS)

    assert checked.had_location is True
    assert (checked.original_width, checked.original_height) == (750, 1000)
    stored = Image.open(io.BytesIO(checked.display_jpeg))
    assert stored.size == (1000, 750)  # upright: the card is found in it
    assert not stored.getexif()  # no orientation, no GPS, nothing
    assert b"Exif" not in checked.display_jpeg[:200]
    assert checked.original_sha256 == hashlib.sha256(original).hexdigest()


def test_large_photos_are_stored_at_most_1600_pixels_long():
    big = Image.open(io.BytesIO(id_front_jpeg())).resize((3200, 2400))
    checked = image_check(jpeg(big), kind="id_front", limits=LIMITS)
    assert (checked.display_width, checked.display_height) == (1600, 1200)


def test_the_oval_fits_portrait_and_landscape_frames():
    landscape, portrait = oval_for(640, 480), oval_for(480, 640)
    assert landscape.ry > landscape.rx and portrait.ry > portrait.rx
    assert 2 * portrait.rx <= 0.85 * 480
    assert landscape.contains(320, 225) and not landscape.contains(10, 10)


def test_a_truncated_photo_is_refused_even_after_weasyprint_relaxed_pillow():
    import weasyprint  # noqa: F401 - importing it sets ImageFile.LOAD_TRUNCATED_IMAGES = True
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    data = jpeg(document_frame())
    assert _refusal(data[: len(data) // 2]) == "image_corrupt"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored for WeasyPrint
