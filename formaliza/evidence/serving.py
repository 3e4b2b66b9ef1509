"""What `manage.py serve` starts for evidence (settings.SERVE_EXTRA_PROCESSES)."""

from __future__ import annotations

import ipaddress
import sys
from urllib.parse import urlsplit

from django.conf import settings

from formaliza.evidence.pki import is_embedded


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_tsa(*, host: str, port: int) -> list[tuple[str, list[str]]]:
    """The local TSA, when the embedded PKI is in use and the TSA URL points at this machine.
    With a production certificate or a remote TSA, nothing is started."""
    parts = urlsplit(settings.EVIDENCE_TSA_URL)
    if not is_embedded() or parts.scheme != "http" or not _is_loopback(parts.hostname or ""):
        return []
    manage = str(settings.BASE_DIR / "manage.py")
    return [
        (
            "tsa",
            [sys.executable, manage, "evidence_tsa", "--host", parts.hostname,
             "--port", str(parts.port or 80)],
        )
    ]  # fmt: skip
