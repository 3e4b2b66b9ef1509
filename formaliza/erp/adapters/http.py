"""What every ERP connector does on the wire, in one place: one pooled `httpx.Client` per
connector (the connector is cached per account by `erp.services`, so connections are reused
across steps), explicit timeouts, bounded retries for idempotent reads only, and a circuit
breaker per account (= per tenant) so an ERP that is down fails fast instead of holding a
worker for the whole timeout on every conversation.

Errors are `ErpFailure`: `timeout`, `unavailable` (transport error, 5xx, open circuit),
`malformed` (not JSON / wrong shape), `auth` (the connector decides from the ERP's answer).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from formaliza.erp.ports import ErpFailure

RETRIES = 2  # extra attempts, idempotent reads only
BACKOFF = 0.1  # seconds, times the attempt number
BREAKER_THRESHOLD = 5  # consecutive failures that open the circuit
BREAKER_COOLDOWN = 30.0  # seconds the circuit stays open before one trial call


class CircuitBreaker:
    def __init__(self, *, threshold: int = BREAKER_THRESHOLD, cooldown: float = BREAKER_COOLDOWN):
        self.threshold = threshold
        self.cooldown = cooldown
        self._failures = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    def allow(self) -> bool:
        with self._lock:
            if self._opened_at is None:
                return True
            # Half open: after the cooldown one call goes through; its outcome decides.
            return time.monotonic() - self._opened_at >= self.cooldown

    def success(self) -> None:
        with self._lock:
            self._failures, self._opened_at = 0, None

    def failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.threshold:
                self._opened_at = time.monotonic()


class ErpHttp:
    """The HTTP side of one connector. `name` goes into the pt-BR failure details."""

    def __init__(self, *, name: str, base_url: str, timeout: float) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.breaker = CircuitBreaker()
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        with self._client_lock:
            if self._client is None:
                self._client = httpx.Client(
                    timeout=self.timeout,
                    trust_env=False,
                    limits=httpx.Limits(max_connections=10, max_keepalive_connections=5),
                )
            return self._client

    def close(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def send(self, method: str, path: str, *, idempotent: bool, **kwargs) -> httpx.Response:
        """One request (with retries when `idempotent`); 5xx and transport errors raise."""
        if not self.breaker.allow():
            raise ErpFailure("unavailable", f"{self.name} fora do ar (circuito aberto)")
        attempts = 1 + (RETRIES if idempotent else 0)
        for attempt in range(1, attempts + 1):
            try:
                response = self.client.request(method, f"{self.base_url}{path}", **kwargs)
            except httpx.TimeoutException as exc:
                failure = ErpFailure("timeout", f"{self.name} não respondeu em {self.timeout:g} s")
                failure.__cause__ = exc
            except httpx.HTTPError as exc:
                failure = ErpFailure(
                    "unavailable", f"falha de conexão com o {self.name}: {type(exc).__name__}"
                )
                failure.__cause__ = exc
            else:
                if response.status_code < 500:
                    self.breaker.success()
                    return response
                failure = ErpFailure("unavailable", f"{self.name} respondeu {response.status_code}")
            if attempt >= attempts:
                self.breaker.failure()
                raise failure
            time.sleep(BACKOFF * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise ErpFailure("malformed", f"{self.name} respondeu algo que não é JSON") from exc

    def json_object(self, response: httpx.Response) -> dict:
        data = self.json(response)
        if not isinstance(data, dict):
            raise ErpFailure("malformed", f"{self.name} respondeu um JSON sem objeto")
        return data
