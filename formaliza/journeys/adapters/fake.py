"""Fake adapter for tests: records every message in `FakeMessenger.outbox` (shared by all
instances, so a test sees what the live server thread sent) and can be told to fail."""

from __future__ import annotations

import itertools
import threading

from formaliza.journeys.ports import CompletionMessage, LinkMessage, MessengerError, SendResult

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
