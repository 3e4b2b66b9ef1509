"""Fake adapter for tests: records every message in `FakeMessenger.outbox` (shared by all
instances, so a test sees what the live server thread sent) and can be told to fail."""

from __future__ import annotations

import itertools
import threading

from formaliza.journeys.ports import (
    CompletionMessage,
    FaceComparison,
    FaceOutcome,
    LinkMessage,
    MessengerError,
    SendResult,
)

_ids = itertools.count(1)


class FakeMessenger:
    outbox: list[LinkMessage | CompletionMessage] = []
    # Scripted failures, consumed one per call: a MessengerError to raise.
    failures: list[MessengerError] = []
    _lock = threading.Lock()

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.outbox.clear()
            cls.failures.clear()

    @classmethod
    def links(cls) -> list[LinkMessage]:
        return [m for m in cls.outbox if isinstance(m, LinkMessage)]

    @classmethod
    def completions(cls) -> list[CompletionMessage]:
        return [m for m in cls.outbox if isinstance(m, CompletionMessage)]

    def _send(self, message: LinkMessage | CompletionMessage) -> SendResult:
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)
            self.outbox.append(message)
            return SendResult(provider="fake", message_id=f"wamid.fake{next(_ids)}")

    def send_link(self, message: LinkMessage) -> SendResult:
        return self._send(message)

    def send_completion(self, message: CompletionMessage) -> SendResult:
        return self._send(message)


class FakeFaceVerifier:
    """A scripted `FaceVerifier`: each call consumes the next of `results` (an outcome and a
    score, or an exception to raise) and records the photos it was given in `calls`."""

    results: list[tuple[str, float | None] | Exception] = []
    calls: list[tuple[bytes, bytes]] = []

    @classmethod
    def reset(cls) -> None:
        cls.results.clear()
        cls.calls.clear()

    def compare(self, *, selfie_jpeg: bytes, document_jpeg: bytes) -> FaceComparison:
        FakeFaceVerifier.calls.append((selfie_jpeg, document_jpeg))
        scripted = FakeFaceVerifier.results.pop(0)
        if isinstance(scripted, Exception):
            raise scripted
        outcome, score = scripted
        found = outcome != FaceOutcome.NO_FACE_DOCUMENT
        return FaceComparison(
            outcome=outcome, score=score, method="fake", model="fake-model",
            model_version="fake 1", selfie_faces=2 if outcome == FaceOutcome.MANY_FACES_SELFIE else 1,
            selfie_box=(10, 10, 100, 100), document_box=(5, 5, 40, 40) if found else None,
            document_crop_jpeg=_CROP if found else None, seconds=0.01,
        )  # fmt: skip


# A 1x1 JPEG: the fake's "crop of the ID's face".
_CROP = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c"
    "1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc000"
    "0b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400"
    "b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c1"
    "1552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a63"
    "6465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6"
    "b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008"
    "010100003f00fbfcffd9"
)
