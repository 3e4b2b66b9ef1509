"""The Pix BR Code: an EMV® QRCPS-MPM payload (TLV fields, CRC16-CCITT), static or dynamic.

Static: the receiver's key (field 26.01) and optionally the amount and a txid (62.05) —
anyone can pay it any number of times and no PSP tells us, so an operator confirms it.
Dynamic: the PSP's payload location (26.25, from `cob`/`cobv`); the PSP returns the whole
payload as `pixCopiaECola`, and builds it itself. See docs/payments.md for the sources.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

GUI = "br.gov.bcb.pix"


def crc16_ccitt(data: bytes) -> str:
    """CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF), as 4 upper-case hex digits."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"field {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def _plain(text: str, limit: int) -> str:
    """Upper/lower case kept, accents removed, only what the payload's charset allows."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9 .\-/]", "", ascii_text).strip()[:limit]


def brcode_static(
    *, key: str, name: str, city: str, amount: Decimal | None = None, txid: str = "",
    description: str = "",
) -> str:  # fmt: skip
    account = _field("00", GUI) + _field("01", key)
    if description:
        account += _field("02", _plain(description, 72 - len(key)))
    return _assemble(account, name=name, city=city, amount=amount, txid=txid or "***")


def brcode_dynamic(*, location: str, name: str, city: str) -> str:
    """The payload of a dynamic charge whose JSON the PSP serves at `location` (no scheme)."""
    account = _field("00", GUI) + _field("25", location)
    return _assemble(account, name=name, city=city, amount=None, txid="***", unique=True)


def _assemble(account, *, name, city, amount, txid, unique=False) -> str:
    body = _field("00", "01")
    if unique:
        body += _field("01", "12")
    body += _field("26", account) + _field("52", "0000") + _field("53", "986")
    if amount is not None:
        body += _field("54", f"{Decimal(amount):.2f}")
    body += _field("58", "BR") + _field("59", _plain(name, 25)) + _field("60", _plain(city, 15))
    body += _field("62", _field("05", txid))
    body += "6304"
    return body + crc16_ccitt(body.encode())


def brcode_parse(payload: str) -> dict[str, str]:
    """Top-level fields of a payload (tag → value); raises ValueError on a bad CRC or layout."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise ValueError("sem o campo CRC (63)")
    if crc16_ccitt(payload[:-4].encode()) != payload[-4:].upper():
        raise ValueError("CRC não confere")
    fields: dict[str, str] = {}
    i = 0
    while i < len(payload) - 8:
        tag, size = payload[i : i + 2], int(payload[i + 2 : i + 4])
        fields[tag] = payload[i + 4 : i + 4 + size]
        i += 4 + size
    fields["63"] = payload[-4:]
    return fields
