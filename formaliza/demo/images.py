"""Photos for the demo's signed client, made on the spot: an ID card photographed on a table
(journeys/samples.py) and a selfie that places a public-domain portrait inside the selfie oval,
so both pass the journey's real checks (sharpness, an ID with text and a face, a face inside
the oval)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from formaliza.journeys.samples import Shot, id_photo

PORTRAIT = Path(__file__).parent / "assets" / "astronaut.jpg"


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def id_card_jpeg(*, side: str) -> bytes:
    """A photographed ID card (journeys/samples.py) with the demo's portrait on the front: the
    journey's ID check finds the card, its printed text and, on the front, the face."""
    with Image.open(PORTRAIT) as portrait:
        return id_photo(portrait, side=side, shot=Shot(long_side=1200, seed=11))


def selfie_jpeg() -> bytes:
    """A 640x480 camera frame with the face where the selfie page's oval is."""
    with Image.open(PORTRAIT) as portrait:
        face = portrait.convert("RGB")
    side = int(face.width * 1.25)
    face = face.resize((side, side), Image.Resampling.LANCZOS)
    frame = Image.new("RGB", (640, 480), (128, 128, 128))
    frame.paste(face, (39, 84))
    return _jpeg(frame)
