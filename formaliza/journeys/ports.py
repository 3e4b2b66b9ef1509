"""The journey's ports: the `ClientMessenger` through which it talks to the client (WhatsApp in
production), and the `FaceVerifier` that compares the selfie with the ID's photo (below).

The journeys app never knows the channel: it hands a dataclass to the `ClientMessenger` named by
settings.JOURNEY_MESSENGER and records the returned message id as evidence. Adapters live in
`adapters/` (the WhatsApp one sits over the conversations layer); tests use
`adapters.fake.FakeMessenger`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class LinkMessage:
    """Send the journey link to the client. `reason` tells the adapter why, so it can pick the
    right wording or template: initial (first message, may need the invitation template outside
    the 24-hour window), resend (same link again), renew (a new link; the old one no longer
    works), requested (the client asked for a new link on an expired link's page)."""

    tenant_id: int
    tenant_name: str
    journey_id: str
    formalization_number: str
    phone: str  # E.164
    client_name: str
    link_url: str
    expires_at: dt.datetime
    reason: str


@dataclass(frozen=True)
class CompletionMessage:
    """Tell the client the contracts were signed."""

    tenant_id: int
    tenant_name: str
    journey_id: str
    formalization_number: str
    phone: str
    client_name: str
    proposal_numbers: tuple[str, ...]
    signed_at: dt.datetime


@dataclass(frozen=True)
class SendResult:
    provider: str  # e.g. "whatsapp", "console", "fake"
    message_id: str  # the provider's id, kept as evidence


class MessengerError(Exception):
    """A message could not be sent. `retryable` (timeouts, 5xx, rate limits) is tried again with
    backoff; a terminal failure (invalid number, opted out) is shown to the operators.

    Not an `ApplicationError`, on purpose: it is the port's report to the notification worker
    (services/messages.py), which retries it or records it as the notification's last error and
    a `message.failed` evidence event. No request of a person or the API is answered with it."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class ClientMessenger(Protocol):
    def send_link(self, message: LinkMessage) -> SendResult: ...

    def send_completion(self, message: CompletionMessage) -> SendResult: ...


@cache
def _messenger_class(path: str) -> type:
    return import_string(path)


def messenger() -> ClientMessenger:
    """The configured adapter (settings.JOURNEY_MESSENGER)."""
    return _messenger_class(settings.JOURNEY_MESSENGER)()


# --- Face verification -------------------------------------------------------------------------
# The selfie against the face printed on the ID front, offline on the server's CPU. The journeys
# app hands the two stored photos (display copies, already past the checks of images.py) to the
# `FaceVerifier` named by settings.JOURNEY_FACE_VERIFIER and decides on the score it returns
# (face_match.py); adapters live in `adapters/` (dlib_face.py by default, fake.py for tests).


class FaceOutcome:
    COMPARED = "compared"
    NO_FACE_DOCUMENT = "no_face_document"  # nothing the model sees as a face on the ID
    NO_FACE_SELFIE = "no_face_selfie"
    MANY_FACES_SELFIE = "many_faces_selfie"  # someone else in the frame: which one signs?


@dataclass(frozen=True)
class FaceComparison:
    """What the verifier found. `score` is a similarity in [0, 1] (1: the same face), set only
    when `outcome` is COMPARED. Boxes are (x, y, w, h) in the given photo's pixels;
    `document_crop_jpeg` is the ID's face, cut out and upright, for the reviewer."""

    outcome: str
    score: float | None
    method: str  # how: detector + landmarks + embedding + metric
    model: str  # the embedding model's name
    model_version: str  # the package versions the models came from
    selfie_faces: int
    selfie_box: tuple[int, int, int, int] | None
    document_box: tuple[int, int, int, int] | None
    document_crop_jpeg: bytes | None
    seconds: float


class FaceVerifier(Protocol):
    def compare(self, *, selfie_jpeg: bytes, document_jpeg: bytes) -> FaceComparison: ...


@cache
def _verifier(path: str) -> FaceVerifier:
    # One instance per process: the adapter loads its model once and keeps it.
    return import_string(path)()


def face_verifier() -> FaceVerifier:
    """The configured adapter (settings.JOURNEY_FACE_VERIFIER), one per worker process."""
    return _verifier(settings.JOURNEY_FACE_VERIFIER)
