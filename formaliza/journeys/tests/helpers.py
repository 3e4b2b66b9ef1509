"""Builders for journey tests: an opened formalization, photos with known properties, and a
walk through the steps."""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache
from pathlib import Path

from django.test import override_settings
from PIL import Image, ImageDraw, ImageFilter

from formaliza.evidence.services import RequestContext
from formaliza.journeys import services
from formaliza.journeys.models import Journey, Step
from formaliza.journeys.samples import Shot, id_photo
from formaliza.proposals.tests.helpers import decide, to_approval_step, typed

FIXTURES = Path(__file__).parent / "fixtures"
ASTRONAUT = FIXTURES / "astronaut.jpg"
CLIENT_CTX = RequestContext(
    ip="200.100.50.25",
    user_agent="Mozilla/5.0 (Linux; Android 10; SM-A105M) Chrome/120 Mobile",
    session_id="f" * 64,
    phone="+5511987654321",
)


def open_formalization(kit, make_input, count: int = 2, **same):
    """`count` proposals of one client approved together: one formalization request, open."""
    proposals = to_approval_step(kit, typed(kit, make_input, count=count, **same))
    result = None
    for proposal in proposals:
        result = decide(kit, proposal, "approve")
    return result.formalization


def jpeg(image: Image.Image, **save) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **save)
    return out.getvalue()


def face_frame(
    *, size=(640, 480), scale: float = 1.25, offset=(39, 84), blur: float = 0
) -> Image.Image:
    """The astronaut photo placed in a camera-sized frame; the defaults put the face inside the
    selfie oval (formaliza/journeys/images.py: oval_for)."""
    face = Image.open(ASTRONAUT).convert("RGB")
    side = int(face.width * scale)
    face = face.resize((side, side), Image.Resampling.LANCZOS)
    frame = Image.new("RGB", size, (128, 128, 128))
    frame.paste(face, offset)
    if blur:
        frame = frame.filter(ImageFilter.GaussianBlur(blur))
    return frame


def document_frame(*, size=(1200, 800), blur: float = 0) -> Image.Image:
    """Printed lines filling the whole frame: sharp and face-less, but no card in a photo (the
    ID check refuses it); for the quality checks and the selfie's "no face"."""
    card = Image.new("RGB", size, (236, 240, 228))
    draw = ImageDraw.Draw(card)
    draw.rectangle((20, 20, size[0] - 20, size[1] - 20), outline=(20, 60, 40), width=6)
    for row in range(12):
        y = 80 + row * 55
        draw.text(
            (60, y), f"REPUBLICA FEDERATIVA DO BRASIL  {row:02d}  REGISTRO GERAL", fill=(10, 10, 10)
        )
        draw.line((60, y + 30, size[0] - 60, y + 30), fill=(40, 40, 40), width=2)
    if blur:
        card = card.filter(ImageFilter.GaussianBlur(blur))
    return card


SUITE_SHOT = Shot(long_side=1000)  # the suite's photos stay small; the benchmark uses 1600


@cache
def id_front_jpeg(shot: Shot = SUITE_SHOT) -> bytes:
    """A photographed ID front with the astronaut's portrait (see journeys/samples.py)."""
    return id_photo(Image.open(ASTRONAUT), side="front", shot=shot)


@cache
def id_back_jpeg(shot: Shot = SUITE_SHOT) -> bytes:
    return id_photo(Image.open(ASTRONAUT), side="back", shot=shot)


@cache
def enlarged(name: str, long_side: int = 1600) -> bytes:
    """A real photo from the fixtures, enlarged as the attacker of issue 12 did (so it passes
    the resolution check)."""
    photo = Image.open(FIXTURES / name).convert("RGB")
    k = long_side / max(photo.size)
    big = photo.resize((round(photo.width * k), round(photo.height * k)), Image.Resampling.BICUBIC)
    return jpeg(big)


def bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header claims enormous dimensions (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


def walk(journey: Journey, *, until: str, ctx: RequestContext = CLIENT_CTX) -> Journey:
    """Take the journey through its steps (as the client would) up to, not including, `until`."""
    front, back, selfie = id_front_jpeg(), id_back_jpeg(), jpeg(face_frame())
    actions = {
        Step.WELCOME: lambda: services.journey_welcome_confirm(
            journey_id=journey.pk, phone_is_own=True, context=ctx
        ),
        Step.TERMS: lambda: services.journey_terms_accept(
            journey_id=journey.pk, terms_sha256=journey.terms.sha256, context=ctx
        ),
        Step.CONDITIONS: lambda: services.journey_conditions_confirm(
            journey_id=journey.pk, snapshot_sha256=journey.conditions_sha256, context=ctx
        ),
        Step.CONTRACTS: lambda: _read_all(journey, ctx),
        Step.ID_FRONT: lambda: services.journey_capture_submit(
            journey_id=journey.pk, kind="id_front", data=front, source="camera",
            client_retakes=0, context=ctx,
        ),
        Step.ID_BACK: lambda: services.journey_capture_submit(
            journey_id=journey.pk, kind="id_back", data=back, source="camera",
            client_retakes=0, context=ctx,
        ),
        Step.SELFIE: lambda: services.journey_capture_submit(
            journey_id=journey.pk, kind="selfie", data=selfie, source="camera",
            client_retakes=1, context=ctx,
        ),
        Step.CONFIRM: lambda: services.journey_sign(journey_id=journey.pk, context=ctx),
    }  # fmt: skip
    for step, action in actions.items():
        journey.refresh_from_db()
        if step == until or journey.current_step != step:
            if step == until:
                break
            continue
        action()
    journey.refresh_from_db()
    return journey


@override_settings(JOURNEY_READ_MIN_SECONDS_PER_PAGE=0)
def _read_all(journey: Journey, ctx: RequestContext) -> None:
    """Every contract read to its end. The walk does not wait out the reading floor (the server
    measures real seconds); tests/services/test_reading.py tests the floor itself."""
    for contract in services.journey_contracts_shown(journey_id=journey.pk, context=ctx):
        services.journey_contract_reading_record(
            journey_id=journey.pk, contract_id=contract.pk, max_fraction=1.0,
            client_seconds=12.5, context=ctx,
        )  # fmt: skip
    services.journey_contracts_accept(journey_id=journey.pk, context=ctx)


# --- face match: photos of two people (tests/fixtures/faces) ----------------------------------
FACES = FIXTURES / "faces"
# Where each photo's face is, cropped to a selfie (3:4, face inside the page's oval).
SELFIE_CROPS = {
    "obama_1": (184, -128, 805, 700),
    "obama_2": (-54, -16, 692, 978),
    "obama_3": (308, -141, 1200, 1048),
    "biden_1": (220, -85, 967, 909),
    "biden_2": (121, -170, 1194, 1259),
}


@cache
def person_photo(name: str) -> Image.Image:
    """A face-match test photo at most 1600 px on its long side (what the phone sends)."""
    image = Image.open(FACES / f"{name}.jpg").convert("RGB")
    image.thumbnail((1600, 1600))
    return image


@cache
def person_selfie(name: str) -> bytes:
    """The person's photo framed as the selfie page takes it (passes the selfie checks)."""
    image = Image.open(FACES / f"{name}.jpg").convert("RGB")
    return jpeg(image.crop(SELFIE_CROPS[name]).resize((720, 960), Image.Resampling.LANCZOS))


@cache
def person_id_front(name: str, shot: Shot = SUITE_SHOT) -> bytes:
    """A photographed ID front with the person's portrait printed on it."""
    return id_photo(person_photo(name), side="front", shot=shot)


def walk_to_selfie(journey: Journey, *, document: str, ctx: RequestContext = CLIENT_CTX) -> Journey:
    """The steps up to the selfie, with `document`'s portrait on the ID front."""
    walk(journey, until=Step.ID_FRONT, ctx=ctx)
    for kind, data in (("id_front", person_id_front(document)), ("id_back", id_back_jpeg())):
        services.journey_capture_submit(
            journey_id=journey.pk, kind=kind, data=data, source="camera", client_retakes=0,
            context=ctx,
        )  # fmt: skip
    journey.refresh_from_db()
    return journey


def send_selfie(journey: Journey, data: bytes, ctx: RequestContext = CLIENT_CTX):
    return services.journey_capture_submit(
        journey_id=journey.pk, kind="selfie", data=data, source="camera", client_retakes=0,
        context=ctx,
    )  # fmt: skip
