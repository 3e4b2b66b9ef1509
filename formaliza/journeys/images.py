"""Checks of the photos a client sends (ID front, ID back, selfie): pure functions over bytes.

Pillow sniffs the real type from the bytes, guards against decompression bombs (dimensions are
read from the header before any pixel is decoded), applies the EXIF orientation and re-encodes a
display copy that carries no metadata (so no GPS position). OpenCV measures blur (variance of the
Laplacian) and, on the selfie, finds the face with the Haar cascade shipped inside the package
(offline) and checks that it sits inside the oval the page draws. On the ID photos it then checks
that they show an ID card (`id_document.py`: a card-shaped region with printed text, and on the
front a printed face).

Each refusal is an `ImageRefused` with a stable code and a pt-BR message telling the client what
to do next.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import threading
import warnings
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
from django.conf import settings
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from formaliza.core.errors import ApplicationError
from formaliza.journeys.id_document import DocumentLimits, DocumentResult, document_check

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
DISPLAY_LONG_SIDE = 1600
WORK_LONG_SIDE = 640  # blur and face detection run at this size: scores comparable across phones
GPS_IFD = 0x8825
ORIENTATION_TAG = 0x0112

MESSAGES = {
    "image_missing": "Nenhuma foto chegou. Tire a foto e toque em Continuar.",
    "image_too_large": "A foto é grande demais para enviar (máximo de {max_mb} MB). Tire a foto pela câmera desta página, que já reduz o tamanho.",
    "image_not_image": "O arquivo enviado não é uma foto. Tire a foto pela câmera desta página ou escolha uma imagem JPEG ou PNG.",
    "image_corrupt": "A foto chegou incompleta. Verifique a conexão e envie de novo.",
    "image_bomb": "A imagem tem dimensões grandes demais para ser conferida. Tire uma nova foto pela câmera desta página.",
    "image_too_small": "A foto tem resolução baixa demais (mínimo de {min_long} × {min_short} pixels). Use a câmera do celular em vez de uma imagem recortada ou de um print.",
    "image_blurred": "A foto ficou tremida ou desfocada. Apoie bem o celular, espere a câmera focar e tire de novo em um lugar iluminado.",
    "face_not_found": "Não encontramos seu rosto na foto. Fique de frente para a câmera, em um lugar iluminado, sem óculos escuros, boné ou máscara, e tire de novo.",
    "face_too_far": "Seu rosto ficou pequeno na foto. Aproxime o celular até o rosto ocupar o oval e tire de novo.",
    "face_outside_oval": "Seu rosto ficou fora do oval. Centralize o rosto dentro da marcação oval e tire de novo.",
    "document_not_found": "Não encontramos um documento na foto. Coloque o RG ou a CNH inteiro dentro da moldura, sobre uma mesa de cor diferente da do documento, com as quatro bordas aparecendo, e tire de novo.",
    "document_no_text": "Não conseguimos ver os dados impressos do documento. Aproxime o celular até o documento ocupar a moldura, evite reflexo e sombra sobre ele e tire de novo.",
    "document_no_face": "Não encontramos a foto do rosto no documento. Fotografe a FRENTE do RG ou da CNH (o lado com a sua foto), sem reflexo sobre a foto, e tire de novo.",
}
ID_KINDS = ("id_front", "id_back")


class ImageRefused(ApplicationError):
    def __init__(self, code: str, **params):
        super().__init__(code=code, message=MESSAGES[code].format(**params), status=422)


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int
    min_long_side: int
    min_short_side: int
    blur_min: float
    document: DocumentLimits

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.JOURNEY_IMAGE_MAX_BYTES,
            max_pixels=settings.JOURNEY_IMAGE_MAX_PIXELS,
            min_long_side=settings.JOURNEY_IMAGE_MIN_LONG_SIDE,
            min_short_side=settings.JOURNEY_IMAGE_MIN_SHORT_SIDE,
            blur_min=settings.JOURNEY_IMAGE_BLUR_MIN,
            document=DocumentLimits.from_settings(),
        )


@dataclass(frozen=True)
class Oval:
    """The selfie frame, in the image's pixels. The page computes the same shape (capture.js)."""

    cx: float
    cy: float
    rx: float
    ry: float

    def contains(self, x: float, y: float) -> bool:
        return ((x - self.cx) / self.rx) ** 2 + ((y - self.cy) / self.ry) ** 2 <= 1.0


def oval_for(width: int, height: int) -> Oval:
    ry = 0.40 * height
    rx = ry / 1.3
    if rx > 0.42 * width:  # a very narrow (portrait) frame: limit by the width
        rx = 0.42 * width
        ry = 1.3 * rx
    return Oval(cx=width / 2, cy=0.47 * height, rx=rx, ry=ry)


@dataclass(frozen=True)
class FaceResult:
    faces: int
    box: tuple[int, int, int, int] | None  # x, y, w, h in the display copy's pixels
    inside_oval: bool
    size_ratio: float  # face width / oval width
    confidence: float  # the cascade's level weight of the chosen detection

    def as_dict(self) -> dict:
        return {
            "detector": f"opencv-{cv2.__version__} haarcascade_frontalface_default",
            "faces": self.faces,
            "box": list(self.box) if self.box else None,
            "inside_oval": self.inside_oval,
            "size_ratio": round(self.size_ratio, 3),
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True)
class CheckedImage:
    original_sha256: str
    original_bytes: int
    original_format: str
    original_width: int
    original_height: int
    had_location: bool
    display_jpeg: bytes
    display_sha256: str
    display_width: int
    display_height: int
    blur_score: float
    face: FaceResult | None
    document: DocumentResult | None = None


def _open(data: bytes, limits: Limits) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.size  # noqa: B018 - the header is parsed; no pixel decoded yet
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused("image_bomb") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRefused("image_not_image") from exc
    if image.format not in ACCEPTED_FORMATS:
        raise ImageRefused("image_not_image")
    width, height = image.size
    if width * height > limits.max_pixels:
        raise ImageRefused("image_bomb")
    if max(width, height) < limits.min_long_side or min(width, height) < limits.min_short_side:
        raise ImageRefused(
            "image_too_small", min_long=limits.min_long_side, min_short=limits.min_short_side
        )
    return image


_TRUNCATION_LOCK = threading.Lock()


@contextlib.contextmanager
def _refuse_truncated():
    # WeasyPrint sets Pillow's process-wide ImageFile.LOAD_TRUNCATED_IMAGES = True when it is
    # imported (the evidence report renders in the same worker processes). A client's photo cut
    # short by a weak connection must still be refused, so decode it with the flag off.
    with _TRUNCATION_LOCK:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _decode(image: Image.Image) -> tuple[Image.Image, bool]:
    """Pixels upright and in RGB, plus whether the original carried a GPS position."""
    try:
        exif = image.getexif()
        had_location = bool(exif.get_ifd(GPS_IFD))
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _refuse_truncated():
                upright = ImageOps.exif_transpose(image)
                upright.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused("image_bomb") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRefused("image_corrupt") from exc
    if upright.mode != "RGB":
        upright = upright.convert("RGB")
    return upright, had_location


def _scaled(image: Image.Image, long_side: int) -> Image.Image:
    if max(image.size) <= long_side:
        return image
    copy = image.copy()
    copy.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    return copy


def blur_score(gray: np.ndarray) -> float:
    """Variance of the Laplacian: low when the photo has no sharp edges (shaken or unfocused)."""
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


@cache
def _face_cascade() -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    if cascade.empty():  # the XML ships with opencv-python-headless; a broken install must fail
        raise RuntimeError("OpenCV face cascade could not be loaded")
    return cascade


def face_check(gray: np.ndarray, *, scale: float) -> FaceResult:
    """Find the largest face in a working-size grayscale image; report it in display pixels
    (`scale` = display size / working size) against the oval of the working image."""
    height, width = gray.shape[:2]
    min_side = max(24, int(min(width, height) * 0.12))
    faces, _levels, weights = _face_cascade().detectMultiScale3(
        gray,
        scaleFactor=1.1,
        minNeighbors=5,
        minSize=(min_side, min_side),
        outputRejectLevels=True,
    )
    if len(faces) == 0:
        return FaceResult(faces=0, box=None, inside_oval=False, size_ratio=0.0, confidence=0.0)
    # The cascade also fires on face-like textures; the detection it is surest of is the face.
    best = int(np.argmax(np.asarray(weights).reshape(-1)))
    x, y, w, h = (int(v) for v in faces[best])
    confidence = float(np.asarray(weights).reshape(-1)[best])
    oval = oval_for(width, height)
    corners = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)]
    inside = all(oval.contains(cx, cy) for cx, cy in corners)
    box = tuple(round(v * scale) for v in (x, y, w, h))
    return FaceResult(
        faces=len(faces),
        box=box,
        inside_oval=inside,
        size_ratio=w / (2 * oval.rx),
        confidence=confidence,
    )


MIN_FACE_RATIO = 0.28


@dataclass(frozen=True)
class Pixels:
    """A photo past the byte-level checks: decoded, upright, at display and working size."""

    original_format: str
    original_size: tuple[int, int]
    had_location: bool
    display: Image.Image  # at most DISPLAY_LONG_SIDE: what is stored
    work: Image.Image  # at most WORK_LONG_SIDE: where blur, faces and the card are looked for
    gray: np.ndarray  # `work` in grayscale


def photo_pixels(data: bytes, *, limits: Limits) -> Pixels:
    """Presence, size, real type, bomb, resolution and complete decoding, in that order (the
    cheapest refusals first); then the pixels upright, at the sizes the later checks use."""
    if not data:
        raise ImageRefused("image_missing")
    if len(data) > limits.max_bytes:
        raise ImageRefused("image_too_large", max_mb=limits.max_bytes // (1024 * 1024))
    image = _open(data, limits)
    original_format, original_size = image.format, image.size
    upright, had_location = _decode(image)
    display = _scaled(upright, DISPLAY_LONG_SIDE)
    work = _scaled(display, WORK_LONG_SIDE)
    gray = cv2.cvtColor(np.asarray(work), cv2.COLOR_RGB2GRAY)
    return Pixels(original_format, original_size, had_location, display, work, gray)


def _selfie_check(gray: np.ndarray, *, scale: float) -> FaceResult:
    face = face_check(gray, scale=scale)
    if face.box is None:
        raise ImageRefused("face_not_found")
    if face.size_ratio < MIN_FACE_RATIO:
        raise ImageRefused("face_too_far")
    if not face.inside_oval:
        raise ImageRefused("face_outside_oval")
    return face


def id_document_check(
    gray: np.ndarray, display: Image.Image, *, front: bool, limits: DocumentLimits
) -> DocumentResult:
    """The ID photo shows an ID: a card, with printed text, and a printed face on the front."""
    detail = cv2.cvtColor(np.asarray(display), cv2.COLOR_RGB2GRAY)
    result = document_check(
        gray, detail=detail, front=front, limits=limits, cascade=_face_cascade()
    )
    # A "card" without a single line of print is some other rectangle (a box, a table top).
    if not result.found or result.text_lines == 0:
        raise ImageRefused("document_not_found")
    if result.text_lines < limits.min_text_lines or result.text_density < limits.min_text_density:
        raise ImageRefused("document_no_text")
    if front and (result.face_height is None or result.face_height < limits.min_face_height):
        raise ImageRefused("document_no_face")
    return result


def image_check(data: bytes, *, kind: str, limits: Limits | None = None) -> CheckedImage:
    """Check one photo of `kind` (selfie, id_front, id_back); return what to store (a clean
    display copy) and the evidence about it, or raise ImageRefused. The cheap checks run
    first: type, size, bomb, resolution, decoding, blur; then the face (selfie) or the
    document (ID)."""
    limits = limits or Limits.from_settings()
    pixels = photo_pixels(data, limits=limits)
    display, work, gray = pixels.display, pixels.work, pixels.gray
    score = blur_score(gray)
    if score < limits.blur_min:
        raise ImageRefused("image_blurred")
    face = _selfie_check(gray, scale=display.width / work.width) if kind == "selfie" else None
    document = None
    if kind in ID_KINDS:
        document = id_document_check(
            gray, display, front=kind == "id_front", limits=limits.document
        )
    out = io.BytesIO()
    # No exif/icc/xmp passed: the stored copy carries pixels only (no location, no device data).
    display.save(out, "JPEG", quality=85, optimize=True)
    jpeg = out.getvalue()
    return CheckedImage(
        original_sha256=hashlib.sha256(data).hexdigest(),
        original_bytes=len(data),
        original_format=pixels.original_format,
        original_width=pixels.original_size[0],
        original_height=pixels.original_size[1],
        had_location=pixels.had_location,
        display_jpeg=jpeg,
        display_sha256=hashlib.sha256(jpeg).hexdigest(),
        display_width=display.width,
        display_height=display.height,
        blur_score=round(score, 2),
        face=face,
        document=document,
    )
