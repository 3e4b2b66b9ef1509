"""What `manage.py serve` starts for telephony (settings.SERVE_EXTRA_PROCESSES): the fake ARI
server and the listener applying its events, when settings.TELEPHONY points at it."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from django.conf import settings


def fake_ari_process(*, host: str, port: int) -> list[tuple[str, list[str]]]:
    if not settings.FAKE_ARI_SERVE:
        return []
    parts = urlsplit(settings.FAKE_ARI_URL)
    manage = str(settings.BASE_DIR / "manage.py")
    return [
        ("fake-ari", [sys.executable, manage, "fake_ari", "--host", parts.hostname or "127.0.0.1",
                      "--port", str(parts.port or 8027)]),
        ("ari-events", [sys.executable, manage, "telephony_events"]),
    ]  # fmt: skip
