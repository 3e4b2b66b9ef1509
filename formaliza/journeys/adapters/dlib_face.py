"""The default `FaceVerifier`: dlib (`dlib-bin`, prebuilt wheels) with the models shipped inside
the `face-recognition-models` package — nothing is downloaded at run time.

Only models whose licence allows commercial use are loaded: dlib's HOG frontal face detector
(built into dlib), the 5-point landmark predictor and the ResNet face recognition model
(`dlib_face_recognition_resnet_model_v1`), both released by dlib's author into the public domain
(CC0). The 68-point predictor in the same package is trained on iBUG 300-W, whose licence
excludes commercial use: it is never opened.

The walk, on each photo: find the faces (HOG), take the largest, put its 5 landmarks (eye
corners, nose), align and crop it to a 150 px chip (rotation, scale), and compute its 128-d
descriptor. The ID's face is small and printed, so its photo is searched at a larger size, and
once more with dlib's upsampling when that finds nothing. The score is 1 − the Euclidean
distance of the descriptors (clipped to [0, 1]); dlib documents 0.6 as its same-person
distance on LFW, i.e. a score of 0.4.
"""

from __future__ import annotations

import importlib.util
import io
import threading
import time
from functools import cache
from importlib.metadata import version
from pathlib import Path

import numpy as np
from PIL import Image

from formaliza.journeys.ports import FaceComparison, FaceOutcome

SELFIE_SIDE = 640  # a selfie's face fills the oval: found at this size in ~0.1 s
DOCUMENT_SIDE = 1000  # the ID's printed face is ~10 % of the photo's width
DOCUMENT_RETRY_SIDE = 640  # ... and, upsampled once, for a card photographed from afar
CHIP_SIZE = 150
CHIP_PADDING = 0.25
CROP_SIDE = 320  # the reviewer's copy of the ID face
MODEL = "dlib_face_recognition_resnet_model_v1"
LANDMARKS_FILE = "shape_predictor_5_face_landmarks.dat"  # never the 68-point one (see above)
METHOD = (
    "dlib HOG frontal face detector + shape_predictor_5_face_landmarks (alignment) + "
    "ResNet 128-d descriptor; score = 1 - euclidean distance"
)


def model_file(name: str) -> str:
    """A model file inside the installed `face-recognition-models` package. Found without
    importing the package: its `__init__` imports `pkg_resources`, which recent setuptools no
    longer ships."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the face-recognition-models package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / name
    if not path.is_file():
        raise RuntimeError(f"face-recognition-models has no {name}")
    return str(path)


class _Models:
    def __init__(self) -> None:
        import dlib

        self.detector = dlib.get_frontal_face_detector()
        self.landmarks = dlib.shape_predictor(model_file(LANDMARKS_FILE))
        self.encoder = dlib.face_recognition_model_v1(model_file(f"{MODEL}.dat"))
        self.dlib = dlib
        self.version = (
            f"dlib-bin {version('dlib-bin')}, face-recognition-models "
            f"{version('face-recognition-models')}"
        )
        # dlib's objects are not documented as thread-safe; a worker runs one task at a time,
        # the lock only matters for a threaded caller (the test server).
        self.lock = threading.Lock()


@cache
def _models() -> _Models:
    return _Models()


def _rgb(jpeg: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(jpeg)) as image:
        return np.asarray(image.convert("RGB"))


def _resized(pixels: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """The photo at most `long_side` on its long side, and the factor back to its pixels."""
    height, width = pixels.shape[:2]
    if max(height, width) <= long_side:
        return pixels, 1.0
    image = Image.fromarray(pixels)
    image.thumbnail((long_side, long_side), Image.Resampling.BILINEAR)
    return np.asarray(image), width / image.width


def _faces(models: _Models, pixels: np.ndarray, long_side: int, upsample: int) -> list:
    small, factor = _resized(pixels, long_side)
    found = models.detector(small, upsample)
    rect = models.dlib.rectangle
    return [
        rect(
            round(r.left() * factor), round(r.top() * factor),
            round(r.right() * factor), round(r.bottom() * factor),
        )
        for r in found
    ]  # fmt: skip


def _descriptor(models: _Models, pixels: np.ndarray, face) -> np.ndarray:
    shape = models.landmarks(pixels, face)
    chip = models.dlib.get_face_chip(pixels, shape, size=CHIP_SIZE, padding=CHIP_PADDING)
    return np.asarray(models.encoder.compute_face_descriptor(chip))


def _box(face) -> tuple[int, int, int, int]:
    return (face.left(), face.top(), face.width(), face.height())


def _crop(pixels: np.ndarray, face) -> bytes:
    """The face with a margin (head and some shoulders), for the reviewer's eyes."""
    height, width = pixels.shape[:2]
    margin = int(max(face.width(), face.height()) * 0.6)
    left, top = max(0, face.left() - margin), max(0, face.top() - margin)
    right, bottom = min(width, face.right() + margin), min(height, face.bottom() + margin)
    image = Image.fromarray(pixels[top:bottom, left:right])
    image.thumbnail((CROP_SIDE, CROP_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _largest(faces: list):
    return max(faces, key=lambda f: f.area())


def _outcome(selfie_faces: list, document_faces: list) -> str:
    if not document_faces:
        return FaceOutcome.NO_FACE_DOCUMENT
    if not selfie_faces:
        return FaceOutcome.NO_FACE_SELFIE
    if len(selfie_faces) > 1:
        return FaceOutcome.MANY_FACES_SELFIE
    return FaceOutcome.COMPARED


class DlibFaceVerifier:
    """Loads its models on first use, once per process (0.35 s warm to 1.9 s cold; ~12 MB
    resident: docs/benchmarks.md, "Face match")."""

    def compare(self, *, selfie_jpeg: bytes, document_jpeg: bytes) -> FaceComparison:
        started = time.perf_counter()
        models = _models()
        selfie, document = _rgb(selfie_jpeg), _rgb(document_jpeg)
        with models.lock:
            selfie_faces = _faces(models, selfie, SELFIE_SIDE, 0)
            document_faces = _faces(models, document, DOCUMENT_SIDE, 0) or _faces(
                models, document, DOCUMENT_RETRY_SIDE, 1
            )
            outcome = _outcome(selfie_faces, document_faces)
            score = None
            if outcome == FaceOutcome.COMPARED:
                ours = _descriptor(models, selfie, selfie_faces[0])
                theirs = _descriptor(models, document, _largest(document_faces))
                distance = float(np.linalg.norm(ours - theirs))
                score = round(min(1.0, max(0.0, 1.0 - distance)), 4)
        on_document = _largest(document_faces) if document_faces else None
        return FaceComparison(
            outcome=outcome,
            score=score,
            method=METHOD,
            model=MODEL,
            model_version=models.version,
            selfie_faces=len(selfie_faces),
            selfie_box=_box(_largest(selfie_faces)) if selfie_faces else None,
            document_box=_box(on_document) if on_document else None,
            document_crop_jpeg=_crop(document, on_document) if on_document else None,
            seconds=round(time.perf_counter() - started, 3),
        )
