"""The QR code image of a BR Code (segno), inline SVG for the client's page."""

from __future__ import annotations

import segno


def qr_svg(payload: str) -> str:
    return segno.make(payload, error="m").svg_inline(scale=5, border=2, dark="#111")
