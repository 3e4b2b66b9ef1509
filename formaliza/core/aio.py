"""Calling libraries that run their own event loop (pyHanko's sync API uses asyncio.run) from
code that may already be inside one (Playwright's sync API in tests, an ASGI server)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def outside_event_loop(func: Callable[..., T], /, *args, **kwargs) -> T:
    """`func(*args, **kwargs)`, on a fresh thread when this thread already runs an event loop
    (where asyncio.run would raise)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="outside-loop") as pool:
        return pool.submit(func, *args, **kwargs).result()
