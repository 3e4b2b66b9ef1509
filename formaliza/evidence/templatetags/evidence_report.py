"""Filters for the evidence report."""

from __future__ import annotations

import re

from django import template

register = template.Library()
ZERO_WIDTH_SPACE = "\u200b"
_LONG_RUN = re.compile(r"(\S{16})(?=\S)")


@register.filter
def breakable(value) -> str:
    """Allow line breaks every 16 characters inside long unbroken runs (hashes, ids, JSON), so
    fixed-width table cells wrap them without the much slower `word-break: break-all`."""
    return _LONG_RUN.sub(r"\1" + ZERO_WIDTH_SPACE, str(value))
