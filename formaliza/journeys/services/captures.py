"""Photos: the client's uploads (checked, stored through STORAGES, evidenced) and the back
office opening one (logged)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.core import clock
from formaliza.core.errors import NotFound
from formaliza.evidence.services import RequestContext
from formaliza.journeys.images import CheckedImage, ImageRefused, Limits, image_check
from formaliza.journeys.models import CaptureAccess, CaptureKind, JourneyCapture
from formaliza.journeys.services._common import (
    as_uuid,
    client_actor,
    lock_journey,
    record,
    require_step,
)
from formaliza.journeys.services.face_match import face_match_request

DONE_FIELD = {
    CaptureKind.ID_FRONT: "id_front_at",
    CaptureKind.ID_BACK: "id_back_at",
    CaptureKind.SELFIE: "selfie_at",
}


@dataclass(frozen=True)
class CaptureOutcome:
    capture: JourneyCapture
    refusal: ImageRefused | None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


def _fill(capture: JourneyCapture, checked: CheckedImage) -> None:
    capture.original_format = checked.original_format
    capture.original_width, capture.original_height = (
        checked.original_width,
        checked.original_height,
    )
    capture.had_location = checked.had_location
    capture.display_sha256 = checked.display_sha256
    capture.display_width, capture.display_height = checked.display_width, checked.display_height
    capture.blur_score = checked.blur_score
    capture.face = checked.face.as_dict() if checked.face else {}
    capture.document = checked.document.as_dict() if checked.document else {}


def _evidence(capture: JourneyCapture) -> dict:
    data = {
        "kind": capture.kind, "attempt": capture.attempt, "source": capture.source,
        "client_retakes": capture.client_retakes, "original_sha256": capture.original_sha256,
        "original_bytes": capture.original_bytes,
    }  # fmt: skip
    if capture.accepted:
        data.update(
            original_format=capture.original_format,
            original_size=[capture.original_width, capture.original_height],
            location_removed=capture.had_location, display_sha256=capture.display_sha256,
            display_size=[capture.display_width, capture.display_height],
            blur_score=capture.blur_score, face=capture.face or None,
            document=capture.document or None,
        )  # fmt: skip
    else:
        data["refusal"] = capture.refusal_code
    return data


def journey_capture_submit(
    *,
    journey_id: Any,
    kind: str,
    data: bytes,
    source: str,
    client_retakes: int,
    context: RequestContext,
    declared_bytes: int = 0,
) -> CaptureOutcome:
    """Check a photo and keep it (accepted) or the reason it was refused. Refusals are recorded
    too (they count as retakes); only accepted photos are stored, and only their clean display
    copy (no location metadata) — the original's SHA-256 is the evidence of what was sent.
    `declared_bytes`: an upload refused from its Content-Length alone, body never read."""
    kind = CaptureKind(kind)
    limits = Limits.from_settings()
    # The checks (a fraction of a second of CPU; docs/benchmarks.md) run before the
    # transaction: no row lock held meanwhile.
    try:
        if declared_bytes > limits.max_bytes:
            raise ImageRefused("image_too_large", max_mb=limits.max_bytes // (1024 * 1024))
        checked, refusal = image_check(data, kind=kind, limits=limits), None
    except ImageRefused as exc:
        checked, refusal = None, exc
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id)
        require_step(journey, kind)
        capture = JourneyCapture(
            journey=journey, kind=kind, attempt=journey.captures.filter(kind=kind).count() + 1,
            accepted=refusal is None, refusal_code=refusal.code if refusal else "",
            source=(source or "")[:10], client_retakes=max(0, min(int(client_retakes), 999)),
            original_sha256=hashlib.sha256(data).hexdigest() if data else "",
            original_bytes=max(len(data), declared_bytes), created_at=clock.now(),
        )  # fmt: skip
        if checked is not None:
            _fill(capture, checked)
            capture.image.save("photo.jpg", ContentFile(checked.display_jpeg), save=False)
        try:
            capture.save()
            if checked is not None:
                setattr(journey, DONE_FIELD[kind], capture.created_at)
                journey.save(update_fields=[DONE_FIELD[kind], "updated_at"])
                if kind == CaptureKind.SELFIE:  # compared with the ID in the background
                    face_match_request(journey=journey, selfie=capture)
            record(
                journey, "capture.accepted" if checked else "capture.refused",
                actor=client_actor(journey), context=context, data=_evidence(capture),
            )  # fmt: skip
        except Exception:
            if capture.image:  # the row is rolled back: do not leave its file behind
                capture.image.storage.delete(capture.image.name)
            raise
    return CaptureOutcome(capture=capture, refusal=refusal)


@dataclass(frozen=True)
class OpenedCapture:
    capture: JourneyCapture
    file: IO[bytes]


def journey_capture_open(
    *, actor: Actor, journey_id: Any, capture_id: Any, context: RequestContext
) -> OpenedCapture:
    """A back-office user opens a photo: allowed by permission, scoped to the tenant, and logged
    (who, when, from where) before the bytes are handed over."""
    actor.require(Perm.JOURNEY_IMAGES)
    pk = as_uuid(journey_id)
    capture = (
        JourneyCapture.objects.select_related("journey")
        .filter(journey__tenant=actor.tenant, journey_id=pk, pk=capture_id, accepted=True)
        .exclude(image="")
        .first()
        if pk and str(capture_id).isdigit()
        else None
    )
    if capture is None:
        raise NotFound("Imagem", code="capture_not_found")
    CaptureAccess.objects.create(
        tenant=actor.tenant, capture=capture, user=actor.user, ip=context.ip,
        user_agent=context.user_agent[:300],
    )  # fmt: skip
    return OpenedCapture(capture=capture, file=capture.image.open("rb"))
