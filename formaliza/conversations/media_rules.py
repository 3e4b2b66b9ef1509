"""WhatsApp's media limits (type and size per kind), checked on what clients send us and on what
we send, and a content sniff so a file's bytes must agree with the type it claims."""

from __future__ import annotations

import base64
import binascii
import hashlib

import filetype

MB = 1024 * 1024

# kind -> (accepted MIME types or None for any, max bytes)
LIMITS: dict[str, tuple[frozenset[str] | None, int]] = {
    "image": (frozenset({"image/jpeg", "image/png"}), 5 * MB),
    "sticker": (frozenset({"image/webp"}), 500 * 1024),
    "audio": (
        frozenset({"audio/aac", "audio/mp4", "audio/mpeg", "audio/amr", "audio/ogg"}),
        16 * MB,
    ),
    "video": (frozenset({"video/mp4", "video/3gpp"}), 16 * MB),
    "document": (None, 100 * MB),
}
KINDS = tuple(LIMITS)


def base_mime(mime_type: str) -> str:
    """'audio/ogg; codecs=opus' -> 'audio/ogg'."""
    return (mime_type or "").split(";")[0].strip().lower()


def media_check(*, kind: str, mime_type: str, size: int) -> str:
    """An error code ("media_type", "media_too_large") or "" when the file is acceptable."""
    if kind not in LIMITS:
        return "media_type"
    accepted, max_bytes = LIMITS[kind]
    if accepted is not None and base_mime(mime_type) not in accepted:
        return "media_type"
    if size > max_bytes:
        return "media_too_large"
    return ""


def sniff_mismatch(*, kind: str, mime_type: str, content: bytes) -> bool:
    """True when the bytes are recognisably of another type than declared (an executable
    posing as a JPEG). Unrecognised bytes are given the benefit of the doubt for documents."""
    guess = filetype.guess(content[:8192])
    declared = base_mime(mime_type)
    if guess is None:
        return kind in ("image", "sticker", "video")
    if kind == "document":
        return guess.mime in ("application/x-executable", "application/x-msdownload")
    if kind == "audio":
        return not guess.mime.startswith(("audio/", "video/mp4"))
    return guess.mime != declared and not (
        declared == "video/3gpp" and guess.mime.startswith("video/")
    )


def sha256_matches(content: bytes, declared: str) -> bool:
    """Meta gives the SHA-256 as hex in the media URL answer and as base64 in some webhooks."""
    if not declared:
        return True
    digest = hashlib.sha256(content).digest()
    declared = declared.strip()
    if declared.lower() == digest.hex():
        return True
    try:
        return base64.b64decode(declared, validate=True) == digest
    except (binascii.Error, ValueError):
        return False


EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "audio/ogg": ".ogg",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/aac": ".aac",
    "audio/amr": ".amr",
    "video/mp4": ".mp4",
    "video/3gpp": ".3gp",
    "application/pdf": ".pdf",
}
