"""What `manage.py serve` starts for this app (settings.SERVE_EXTRA_PROCESSES)."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from django.conf import settings


def fake_psp_process(*, host: str, port: int) -> list[tuple[str, list[str]]]:
    """The fake Pix PSP that the demo's Pix accounts talk to."""
    if not settings.FAKE_PIX_PSP_SERVE:
        return []
    parts = urlsplit(settings.FAKE_PIX_PSP_URL)
    manage = str(settings.BASE_DIR / "manage.py")
    command = [
        sys.executable, manage, "fake_pix_psp",
        "--host", parts.hostname or "127.0.0.1", "--port", str(parts.port or 8026),
    ]  # fmt: skip
    return [("fake-pix-psp", command)]
