"""What `manage.py serve` starts for this app (settings.SERVE_EXTRA_PROCESSES)."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from django.conf import settings


def fake_provider_process(*, host: str, port: int) -> list[tuple[str, list[str]]]:
    """The fake WhatsApp/Zenvia provider that `fake` channels (the demo's) talk to."""
    if not settings.FAKE_PROVIDER_SERVE:
        return []
    parts = urlsplit(settings.FAKE_PROVIDER_URL)
    manage = str(settings.BASE_DIR / "manage.py")
    command = [
        sys.executable, manage, "fake_graph_api",
        "--host", parts.hostname or "127.0.0.1", "--port", str(parts.port or 8025),
    ]  # fmt: skip
    return [("fake-provider", command)]
