"""HTTP plumbing shared by the adapters: one connection pool per process, explicit timeouts,
the SSRF guard for tenant-typed URLs, and transport failures as retryable ProviderErrors."""

from __future__ import annotations

import threading

import httpx
from django.conf import settings

from formaliza.conversations.ports import ChannelConfig, ProviderError
from formaliza.core.net import UnsafeURL, check_outbound_url

_local = threading.local()


def client() -> httpx.Client:
    # One pool per thread: workers are single-threaded, test servers and the fake are not.
    current = getattr(_local, "client", None)
    if current is None:
        current = httpx.Client(
            follow_redirects=False,
            headers={"User-Agent": "Formaliza-Conversations/1.0"},
        )
        _local.client = current
    return current


def guard(config: ChannelConfig, url: str) -> None:
    if not config.check_urls:
        return
    try:
        check_outbound_url(url, extra_allow=config.allow_private)
    except UnsafeURL as exc:
        raise ProviderError(code="100", title=exc.message, retryable=False) from exc


def request(config: ChannelConfig, method: str, url: str, **kwargs) -> httpx.Response:
    guard(config, url)
    timeout = settings.CONVERSATION_HTTP_TIMEOUT_SECONDS
    kwargs.setdefault("timeout", httpx.Timeout(timeout, connect=min(5.0, timeout)))
    try:
        return client().request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise ProviderError(
            code="http_timeout", title="Tempo esgotado aguardando o provedor.", retryable=True
        ) from exc
    except httpx.HTTPError as exc:
        raise ProviderError(
            code="http_error", title=f"Falha de conexão: {exc.__class__.__name__}", retryable=True
        ) from exc


def download(config: ChannelConfig, url: str, *, headers: dict, max_bytes: int) -> bytes:
    """GET a file, refusing to read past `max_bytes` (a provider's declared size may lie)."""
    guard(config, url)
    chunks, total = [], 0
    try:
        with client().stream("GET", url, headers=headers, timeout=60.0) as response:
            if response.status_code >= 400:
                raise ProviderError(
                    code="media_expired" if response.status_code in (404, 410) else "http_5xx",
                    title=f"Download HTTP {response.status_code}",
                    retryable=response.status_code >= 500,
                    http_status=response.status_code,
                )
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise ProviderError(code="media_too_large", title="Arquivo grande demais.")
                chunks.append(chunk)
    except httpx.TimeoutException as exc:
        raise ProviderError(code="http_timeout", title="Tempo esgotado.", retryable=True) from exc
    except httpx.HTTPError as exc:
        raise ProviderError(code="http_error", title=str(exc)[:200], retryable=True) from exc
    return b"".join(chunks)
