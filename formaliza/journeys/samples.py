"""Synthetic photos of Brazilian ID cards, for the tests, the benchmark and the demo: a card of
the ID-1 shape (85.6 × 54 mm) printed like an RG or a CNH — guilloche background, header,
labelled fields, a portrait on the front, filiation, a fingerprint box and machine-readable
lines on the back — then "photographed": laid on a table (wood, cloth, a light or dark
surface), seen in perspective, under uneven light, with sensor noise, a little softness and
JPEG compression. Nothing here is a real person's document; the portrait is given by the
caller (the tests and the demo use a public-domain photo).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

CARD = (856, 540)  # ID-1 at 10 px/mm
INK = (28, 34, 40)
LABEL = (70, 92, 84)
SURFACES = ("madeira", "tecido", "mesa_clara", "mesa_escura")


@dataclass(frozen=True)
class Shot:
    """How the card is photographed. `tilt` moves the corners (perspective), `fill` is the
    card's width over the frame's, `turn` a rotation in degrees, `portrait` a vertical frame."""

    surface: str = "madeira"
    fill: float = 0.72
    tilt: float = 0.06
    turn: float = 4.0
    portrait: bool = False
    light: float = 0.25  # how uneven the light is
    noise: float = 5.0
    seed: int = 1
    long_side: int = 1600  # what the journey's page sends at most
    thumb: bool = False  # a finger over the card's lower edge, as when it is held


@cache
def _font(size: int, *, bold: bool = False, mono: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSansMono" if mono else ("DejaVuSans-Bold" if bold else "DejaVuSans")
    try:
        return ImageFont.truetype(f"/usr/share/fonts/truetype/dejavu/{name}.ttf", size)
    except OSError:  # no DejaVu on this machine: Pillow's own font has the same glyphs
        return ImageFont.load_default(size=size)


def _guilloche(size: tuple[int, int], tint: tuple[int, int, int], seed: int) -> Image.Image:
    """The security background: a pale base with fine interlaced sine curves."""
    width, height = size
    base = Image.new("RGB", size, tint)
    draw = ImageDraw.Draw(base)
    line = tuple(max(0, c - 26) for c in tint)
    xs = np.arange(0, width, 3)
    for k in range(0, height + 40, 14):
        phase = seed + k / 37
        ys = k + 9 * np.sin(xs / 23 + phase) + 5 * np.sin(xs / 61 - phase)
        draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=line, width=1)
    return base


def _field(draw: ImageDraw.ImageDraw, xy, label: str, value: str, *, size: int = 24) -> None:
    x, y = xy
    draw.text((x, y), label, fill=LABEL, font=_font(15, bold=True))
    draw.text((x, y + 18), value, fill=INK, font=_font(size))


def _portrait_box(portrait: Image.Image, box: tuple[int, int]) -> Image.Image:
    """The face photo as printed on an ID: head and shoulders, slightly washed out."""
    width, height = box
    w, h = portrait.size
    crop_w = min(w * 0.62, h * 0.8 * width / height)
    crop_h = crop_w * height / width
    left, top = (w - crop_w) / 2, h * 0.02
    head = portrait.convert("RGB").crop(
        (int(left), int(top), int(left + crop_w), int(top + crop_h))
    )
    head = head.resize((width, height), Image.Resampling.LANCZOS)
    pale = Image.new("RGB", head.size, (235, 235, 228))
    return Image.blend(head, pale, 0.15)


def card_front(portrait: Image.Image, *, kind: str = "rg", seed: int = 1) -> Image.Image:
    card = _guilloche(CARD, (222, 234, 214) if kind == "rg" else (230, 226, 206), seed)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, CARD[0], 70), fill=(30, 96, 72) if kind == "rg" else (34, 70, 120))
    draw.text((24, 10), "REPÚBLICA FEDERATIVA DO BRASIL", fill="white", font=_font(26, bold=True))
    title = "CARTEIRA DE IDENTIDADE" if kind == "rg" else "CARTEIRA NACIONAL DE HABILITAÇÃO"
    draw.text((24, 42), title, fill="white", font=_font(20))
    card.paste(_portrait_box(portrait, (220, 290)), (28, 96))
    draw.rectangle((28, 96, 248, 386), outline=INK, width=2)
    fields = [
        ("NOME", "MARIA APARECIDA DOS SANTOS"),
        ("REGISTRO GERAL", "12.345.678-9   SSP/SP"),
        ("CPF", "123.456.789-09"),
        ("DATA DE NASCIMENTO", "14/07/1978"),
        ("NATURALIDADE", "CAMPINAS - SP"),
        ("VALIDADE", "21/03/2031"),
    ]
    for n, (label, value) in enumerate(fields):
        _field(draw, (276, 92 + n * 62), label, value)
    # The signature under the photo.
    xs = np.linspace(40, 236, 60)
    ys = 440 + 14 * np.sin(xs / 9) * np.cos(xs / 31)
    draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=(20, 30, 90), width=3)
    draw.text((40, 474), "ASSINATURA DO TITULAR", fill=LABEL, font=_font(14, bold=True))
    return card


def card_back(*, seed: int = 1) -> Image.Image:
    card = _guilloche(CARD, (222, 234, 214), seed + 7)
    draw = ImageDraw.Draw(card)
    fields = [
        ("FILIAÇÃO", "JOSÉ CARLOS DOS SANTOS"),
        ("", "ANA LÚCIA PEREIRA DOS SANTOS"),
        ("NATURALIDADE", "CAMPINAS - SP"),
        ("DATA DE EXPEDIÇÃO", "21/03/2021"),
        ("DOC. ORIGEM", "CERT. NASC. LIVRO A-112 FLS. 45"),
    ]
    for n, (label, value) in enumerate(fields):
        _field(draw, (28, 20 + n * 62), label, value, size=22)
    # The fingerprint box.
    draw.rectangle((640, 24, 828, 246), outline=INK, width=2)
    for r in range(8, 90, 7):
        draw.ellipse(
            (734 - r, 134 - int(r * 1.3), 734 + r, 134 + int(r * 1.3)), outline=(90, 90, 96)
        )
    draw.text((652, 254), "POLEGAR DIREITO", fill=LABEL, font=_font(14, bold=True))
    # Machine-readable lines, as on the new identity card.
    mono = _font(27, mono=True)
    for n, text in enumerate((
        "IDBRA1234567892<<<<<<<<<<<<<<<",
        "7807141F3103218BRA<<<<<<<<<<<4",
        "DOS<SANTOS<<MARIA<APARECIDA<<<",
    )):  # fmt: skip
        draw.text((28, 348 + n * 40), text, fill=INK, font=mono)
    return card


def _surface(size: tuple[int, int], surface: str, rng: np.random.Generator) -> np.ndarray:
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float32) * (1600 / max(size))
    if surface == "madeira":
        grain = np.sin((y + 18 * np.sin(x / 140)) / 5.5) * 0.5 + np.sin(y / 41) * 0.5
        base = np.stack([128 + 26 * grain, 86 + 18 * grain, 54 + 12 * grain], axis=-1)
    elif surface == "tecido":
        weave = np.sin(x / 1.7) * np.sin(y / 1.7) * 10
        base = np.stack([70 + weave, 84 + weave, 112 + weave], axis=-1)
    elif surface == "mesa_clara":
        base = np.full((height, width, 3), (196, 198, 192), np.float32)
    else:
        base = np.full((height, width, 3), (44, 46, 52), np.float32)
    base = base.astype(np.float32)
    base += rng.standard_normal((height, width, 1), dtype=np.float32) * 6
    return base


def photographed(card: Image.Image, shot: Shot = Shot()) -> bytes:
    """The card laid on a surface and photographed (4:3, `shot.long_side` on the long side)."""
    rng = np.random.default_rng(shot.seed)
    # Drawn first, so that a shot frames the card the same way at any size.
    jitters = rng.uniform(-shot.tilt, shot.tilt, (4, 2))
    short = shot.long_side * 3 // 4
    size = (short, shot.long_side) if shot.portrait else (shot.long_side, short)
    width, height = size
    scene = _surface(size, shot.surface, rng)
    card_w = shot.fill * (width if not shot.portrait else height)
    card_h = card_w * card.height / card.width
    cx, cy = width / 2, height / 2
    angle = math.radians(shot.turn + (90 if shot.portrait else 0))
    corners = []
    for (dx, dy), offset in zip(((-1, -1), (1, -1), (1, 1), (-1, 1)), jitters, strict=True):
        px, py = dx * card_w / 2, dy * card_h / 2
        jitter = offset * card_w
        corners.append((
            cx + px * math.cos(angle) - py * math.sin(angle) + jitter[0],
            cy + px * math.sin(angle) + py * math.cos(angle) + jitter[1],
        ))  # fmt: skip
    cw, ch = card.size
    source = np.float32([(0, 0), (cw, 0), (cw, ch), (0, ch)])
    matrix = cv2.getPerspectiveTransform(source, np.float32(corners))
    pixels = np.asarray(card.convert("RGB"), np.float32)
    warped = cv2.warpPerspective(pixels, matrix, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((ch, cw), np.float32), matrix, size)
    # A soft shadow under the card, then the card over it.
    offset = (shot.long_side // 110, shot.long_side // 160)
    shadow = cv2.GaussianBlur(np.roll(mask, offset, axis=(0, 1)), (0, 0), shot.long_side / 130)
    scene *= 1 - 0.35 * shadow[..., None]
    scene = scene * (1 - mask[..., None]) + warped * mask[..., None]
    if shot.thumb:  # a thumb over the middle of the lower edge
        (x1, y1), (x2, y2) = corners[2], corners[3]
        tx, ty = (x1 + x2) / 2, (y1 + y2) / 2
        axes = (int(card_w * 0.05), int(card_w * 0.08))
        thumb = np.zeros(scene.shape[:2], np.float32)
        cv2.ellipse(thumb, (int(tx), int(ty)), axes, math.degrees(angle), 0, 360, 1, -1)
        thumb = cv2.GaussianBlur(thumb, (0, 0), 3)[..., None]
        scene = scene * (1 - thumb) + np.float32((196, 150, 124)) * thumb
    # Uneven light from one side, sensor noise, the lens' softness.
    gradient = np.outer(np.linspace(0, 1, height, dtype=np.float32),
                        np.linspace(0, 1, width, dtype=np.float32))  # fmt: skip
    scene *= (1 - shot.light * (0.3 + 0.7 * gradient))[..., None]
    scene += rng.standard_normal(scene.shape, dtype=np.float32) * shot.noise
    scene = cv2.GaussianBlur(np.clip(scene, 0, 255).astype(np.uint8), (0, 0), 0.8)
    out = io.BytesIO()
    Image.fromarray(scene).save(out, "JPEG", quality=86)
    return out.getvalue()


def id_photo(portrait: Image.Image, *, side: str, shot: Shot = Shot(), kind: str = "rg") -> bytes:
    """A photographed ID card: side "front" (with the portrait) or "back"."""
    card = (
        card_front(portrait, kind=kind, seed=shot.seed)
        if side == "front"
        else card_back(seed=shot.seed)
    )
    return photographed(card, shot)


def printed_page() -> Image.Image:
    """An A4 letter (1:1.414) of body text: a document, but not an ID (its lines are small)."""
    page = Image.new("RGB", (1240, 1754), (246, 246, 242))
    draw = ImageDraw.Draw(page)
    body = _font(22)
    words = ("contrato", "de", "prestação", "de", "serviços", "entre", "as", "partes", "abaixo")
    for row in range(60):
        line = " ".join(words[(row + k) % len(words)] for k in range(12))
        draw.text((110, 120 + row * 25), line, fill=INK, font=body)
    return page
