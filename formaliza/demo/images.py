"""Photos for the demo's signed client, made on the spot: an ID card drawn with Pillow and a
selfie that places a public-domain portrait inside the selfie oval, so both pass the journey's
real checks (sharpness, face inside the frame)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

PORTRAIT = Path(__file__).parent / "assets" / "astronaut.jpg"


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def id_card_jpeg(*, side: str) -> bytes:
    card = Image.new("RGB", (1200, 800), (236, 240, 228))
    draw = ImageDraw.Draw(card)
    draw.rectangle((20, 20, 1180, 780), outline=(20, 60, 40), width=6)
    if side == "front":
        draw.rectangle((60, 200, 330, 560), fill=(150, 130, 120))
    for row in range(12):
        y = 80 + row * 55
        text = (
            f"REPUBLICA FEDERATIVA DO BRASIL  {row:02d}  {'FRENTE' if side == 'front' else 'VERSO'}"
        )
        draw.text((380 if side == "front" else 60, y), text, fill=(10, 10, 10))
        draw.line(
            (380 if side == "front" else 60, y + 30, 1140, y + 30), fill=(40, 40, 40), width=2
        )
    return _jpeg(card)


def selfie_jpeg() -> bytes:
    """A 640x480 camera frame with the face where the selfie page's oval is."""
    with Image.open(PORTRAIT) as portrait:
        face = portrait.convert("RGB")
    side = int(face.width * 1.25)
    face = face.resize((side, side), Image.Resampling.LANCZOS)
    frame = Image.new("RGB", (640, 480), (128, 128, 128))
    frame.paste(face, (39, 84))
    return _jpeg(frame)
