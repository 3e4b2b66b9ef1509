"""Is this photo of an ID card? A pure check over pixels (OpenCV), run after the quality checks
of `images.py` on the ID front and back:

1. a card-shaped region: a convex quadrilateral (the card's outline, found on its edges and on
   its light/dark contrast with the table) covering enough of the frame, with corners near
   right angles and the proportions of an ID (the ID-1 card is 1.585:1; an old RG ~1.5:1),
   seen in some perspective — but not the whole frame (an enlarged picture of anything else);
2. printed text: the region, straightened, holds enough text lines of an ID's type size
   (morphological gradient, Otsu, horizontal closing: blobs as tall as a printed line, longer
   than tall, mostly filled — a security background's fine curves are not);
3. on the front, a printed face: the Haar cascade finds a face of an ID photo's size inside it.

Thresholds come from settings (`DocumentLimits.from_settings`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from django.conf import settings

CARD_W, CARD_H = 642, 405  # the straightened card (ID-1 proportions)
LINE_MIN, LINE_MAX = 0.025, 0.12  # a text line's height / the card's height
MAX_FRAME_AREA = 0.97  # a "card" as large as the whole frame is the frame itself


@dataclass(frozen=True)
class DocumentLimits:
    min_area: float  # the card's area / the frame's
    aspect_min: float
    aspect_max: float
    min_text_lines: int
    min_text_density: float  # area of text lines / the card's area
    min_face_height: float  # printed face height / the card's height (front)

    @classmethod
    def from_settings(cls) -> DocumentLimits:
        return cls(
            min_area=settings.JOURNEY_ID_MIN_AREA,
            aspect_min=settings.JOURNEY_ID_ASPECT_MIN,
            aspect_max=settings.JOURNEY_ID_ASPECT_MAX,
            min_text_lines=settings.JOURNEY_ID_MIN_TEXT_LINES,
            min_text_density=settings.JOURNEY_ID_MIN_TEXT_DENSITY,
            min_face_height=settings.JOURNEY_ID_MIN_FACE_HEIGHT,
        )


@dataclass(frozen=True)
class DocumentResult:
    corners: tuple[tuple[int, int], ...]  # in the checked image's pixels; () when none
    area_ratio: float
    aspect: float
    text_lines: int
    text_density: float
    face_height: float | None  # front only: the printed face's height / the card's

    @property
    def found(self) -> bool:
        return bool(self.corners)

    def as_dict(self) -> dict:
        return {
            "detector": f"opencv-{cv2.__version__} card outline + text lines + haar face",
            "corners": [list(c) for c in self.corners],
            "area_ratio": round(self.area_ratio, 3),
            "aspect": round(self.aspect, 3),
            "text_lines": self.text_lines,
            "text_density": round(self.text_density, 3),
            "face_height": None if self.face_height is None else round(self.face_height, 3),
        }


NOTHING = DocumentResult((), 0.0, 0.0, 0, 0.0, None)


def _order(quad: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    pts = quad.reshape(4, 2).astype(np.float32)
    total, diff = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.float32([pts[np.argmin(total)], pts[np.argmin(diff)],
                       pts[np.argmax(total)], pts[np.argmax(diff)]])  # fmt: skip


def _max_cosine(quad: np.ndarray) -> float:
    cosines = []
    for i in range(4):
        a, b, c = quad[i - 1], quad[i], quad[(i + 1) % 4]
        u, v = a - b, c - b
        cosines.append(abs(float(u @ v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9)))
    return max(cosines)


def _aspect(quad: np.ndarray) -> float:
    top, right = np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[1])
    bottom, left = np.linalg.norm(quad[2] - quad[3]), np.linalg.norm(quad[3] - quad[0])
    width, height = (top + bottom) / 2, (left + right) / 2
    return float(max(width, height) / max(1e-6, min(width, height)))


def _outlines(gray: np.ndarray) -> list[np.ndarray]:
    """Closed outlines that may be the card: from its edges, and from the card being lighter
    (or darker) than the surface it lies on."""
    smooth = cv2.GaussianBlur(gray, (5, 5), 0)
    edges = cv2.dilate(cv2.Canny(smooth, 30, 90), np.ones((3, 3), np.uint8))
    _t, light = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    found = []
    for binary in (edges, light, 255 - light):
        contours, _h = cv2.findContours(binary, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        found.extend(contours)
    return found


def _quadrilateral(hull: np.ndarray) -> tuple[np.ndarray, bool] | None:
    """The hull's four corners; a hull with a bump (a thumb over an edge, a rounded corner)
    that still fills its bounding rectangle is taken as that rectangle."""
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) == 4:
        return _order(quad), True
    if not 5 <= len(quad) <= 8:
        return None
    for epsilon in (0.04, 0.06):  # a coarser outline drops the bump's corners
        coarse = cv2.approxPolyDP(hull, epsilon * cv2.arcLength(hull, True), True)
        if len(coarse) == 4:
            return _order(coarse), False
    (cx, cy), (w, h), angle = cv2.minAreaRect(hull)
    if w * h > 0 and cv2.contourArea(hull) >= 0.88 * w * h:
        return _order(cv2.boxPoints(((cx, cy), (w, h), angle))), False
    return None


def _inside(quad: np.ndarray, shape: tuple[int, ...]) -> bool:
    """No corner on the frame's border: a card cut off by the frame is not all there."""
    height, width = shape[:2]
    margin = 0.005 * max(width, height)
    xs, ys = quad[:, 0], quad[:, 1]
    return bool(
        xs.min() > margin and ys.min() > margin
        and xs.max() < width - 1 - margin and ys.max() < height - 1 - margin
    )  # fmt: skip


def find_card(gray: np.ndarray, limits: DocumentLimits) -> tuple[np.ndarray, float, float] | None:
    """The largest card-shaped quadrilateral: (corners, area ratio, aspect) or None."""
    frame = float(gray.shape[0] * gray.shape[1])
    best = None
    for contour in _outlines(gray):
        if cv2.contourArea(contour) < limits.min_area * frame * 0.8:
            continue
        shape = _quadrilateral(cv2.convexHull(contour))
        if shape is None:
            continue
        quad, exact = shape
        area = cv2.contourArea(quad) / frame
        aspect = _aspect(quad)
        fits = (
            _inside(quad, gray.shape)
            and limits.min_area <= area <= MAX_FRAME_AREA
            and limits.aspect_min <= aspect <= limits.aspect_max
            and _max_cosine(quad) < 0.3
        )
        # Four clean corners beat a rectangle fitted around a bump; then the larger wins.
        if fits and (best is None or (exact, area) > best[0]):
            best = ((exact, area), (quad, area, aspect))
    return best[1] if best else None


def straighten(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The card seen from the front, landscape, at CARD_W × CARD_H."""
    top, side = np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[3] - quad[0])
    if side > top:  # held upright: turn it to lie landscape
        quad = np.roll(quad, -1, axis=0)
    target = np.float32([(0, 0), (CARD_W, 0), (CARD_W, CARD_H), (0, CARD_H)])
    matrix = cv2.getPerspectiveTransform(quad, target)
    return cv2.warpPerspective(image, matrix, (CARD_W, CARD_H), flags=cv2.INTER_AREA)


def text_lines(card: np.ndarray) -> tuple[int, float]:
    """How many blobs of printed text the straightened card holds, and the share of its area
    they cover."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    gradient = cv2.morphologyEx(card, cv2.MORPH_GRADIENT, kernel)
    _t, ink = cv2.threshold(gradient, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    joined = cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (13, 3))
    )
    # The card's own edge, left by the straightening, would enclose everything.
    margin = CARD_H // 40
    joined[:margin], joined[-margin:], joined[:, :margin], joined[:, -margin:] = 0, 0, 0, 0
    # Every outer boundary, also those inside a printed box (a field's frame, a photo's).
    contours, hierarchy = cv2.findContours(joined, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    outer = (
        [c for c, h in zip(contours, hierarchy[0], strict=True) if h[3] == -1] if contours else []
    )
    count, covered = 0, 0.0
    for contour in outer:
        _x, _y, w, h = cv2.boundingRect(contour)
        tall_enough = LINE_MIN * CARD_H <= h <= LINE_MAX * CARD_H
        filled = cv2.contourArea(contour) >= 0.45 * w * h
        if tall_enough and w >= 2 * h and filled:
            count += 1
            covered += w * h
    return count, covered / (CARD_W * CARD_H)


FACE_SCALE = 0.75  # the face search runs on a smaller card: ID photos are large on it


def printed_face_height(card: np.ndarray, cascade: cv2.CascadeClassifier) -> float | None:
    """The tallest face printed on the card, over the card's height; None when there is none."""
    small = cv2.resize(card, None, fx=FACE_SCALE, fy=FACE_SCALE, interpolation=cv2.INTER_AREA)
    height = small.shape[0]
    faces = cascade.detectMultiScale(
        small, scaleFactor=1.15, minNeighbors=5, minSize=(24, 24),
        maxSize=(int(0.8 * height), int(0.8 * height)),
    )  # fmt: skip
    if len(faces) == 0:
        return None
    return max(int(h) for _x, _y, _w, h in faces) / height


def document_check(
    gray: np.ndarray,
    *,
    detail: np.ndarray,
    front: bool,
    limits: DocumentLimits,
    cascade: cv2.CascadeClassifier,
) -> DocumentResult:
    """Look for the card in `gray` (working size) and read it in `detail` (the same photo,
    grayscale, at display size). Stops at the first part missing: the result says how far
    it got (no corners: no card; few lines: no text; face_height None on a front: no face)."""
    found = find_card(gray, limits)
    if found is None:
        return NOTHING
    quad, area, aspect = found
    scale = detail.shape[1] / gray.shape[1]
    card = straighten(detail, quad * scale)
    lines, density = text_lines(card)
    face = printed_face_height(card, cascade) if front else None
    corners = tuple((round(float(x * scale)), round(float(y * scale))) for x, y in quad)
    return DocumentResult(corners, area, aspect, lines, density, face)
