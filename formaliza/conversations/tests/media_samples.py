"""Small files with real magic numbers (enough for type sniffing), used by media fixtures: the
fixtures' sha256 values are of these exact bytes."""

import hashlib

JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\x00" * 200
    + b"\xff\xd9"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OGG = b"OggS\x00\x02" + b"\x00" * 200
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 200
WEBP = b"RIFF\x00\x01\x00\x00WEBPVP8 " + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200

# media id (as in the fixtures) -> (bytes, mime type)
FIXTURE_MEDIA = {
    "1001": (JPEG, "image/jpeg"),
    "1002": (OGG, "audio/ogg"),
    "1003": (MP4, "video/mp4"),
    "1004": (PDF, "application/pdf"),
    "1005": (WEBP, "image/webp"),
}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
