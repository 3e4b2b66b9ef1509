"""Secrets at rest and message signatures.

Field encryption uses Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) through MultiFernet
so keys can be rotated: the first key of FIELD_ENCRYPTION_KEYS encrypts, every key decrypts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        derived = hashlib.sha256(b"formaliza-field-encryption:" + settings.SECRET_KEY.encode())
        keys = [base64.urlsafe_b64encode(derived.digest()).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key or tampered value: never return garbage
        raise ValueError("encrypted value cannot be decrypted with the configured keys") from exc


def mask(secret: str, visible: int = 4) -> str:
    """What the UI shows of a secret: never the whole of it."""
    if not secret:
        return ""
    if len(secret) <= visible * 2:
        return "•" * len(secret)
    return f"{'•' * 8}{secret[-visible:]}"


def hmac_sha256_hex(key: bytes | str, message: bytes) -> str:
    if isinstance(key, str):
        key = key.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def hmac_matches(key: bytes | str, message: bytes, signature_hex: str) -> bool:
    """Constant-time comparison of a hex HMAC-SHA256."""
    return hmac.compare_digest(hmac_sha256_hex(key, message), signature_hex.strip().lower())


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; reads give the plaintext back."""

    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
