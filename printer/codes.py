"""Receipt verification codes: short, URL-safe, signed, and hiding how many sales there were.

A code is 12 bytes written as 16 base64url characters (no padding, no spare bits, so every
character counts): an 8-byte HMAC-SHA256 tag of the sale id, then the sale id (4 bytes)
masked with a keystream derived from the tag. Guessing a valid code takes about 2^64 tries;
changing any character breaks the tag.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

CODE_LENGTH = 16
TAG_BYTES = 8
ID_BYTES = 4
MAX_SALE_ID = 2 ** (8 * ID_BYTES) - 1
_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{16}$")


def _key(secret: str) -> bytes:
    # A key of its own, so a receipt code can never double as a session signature.
    return hmac.new(secret.encode(), b"ewarung receipt code v1", hashlib.sha256).digest()


def _tag(key: bytes, sale_id: int) -> bytes:
    return hmac.new(key, b"sale:" + sale_id.to_bytes(ID_BYTES, "big"),
                    hashlib.sha256).digest()[:TAG_BYTES]


def _mask(key: bytes, tag: bytes) -> int:
    stream = hmac.new(key, b"mask:" + tag, hashlib.sha256).digest()[:ID_BYTES]
    return int.from_bytes(stream, "big")


def make_code(secret: str, sale_id: int) -> str:
    """The code printed (as /r/CODE in a QR code) on the receipt of sale `sale_id`."""
    if not 0 < sale_id <= MAX_SALE_ID:
        raise ValueError(f"sale id out of range: {sale_id}")
    key = _key(secret)
    tag = _tag(key, sale_id)
    hidden = (sale_id ^ _mask(key, tag)).to_bytes(ID_BYTES, "big")
    return base64.urlsafe_b64encode(tag + hidden).decode("ascii")


def read_code(secret: str, code: str) -> int | None:
    """The sale id a genuine code stands for; None for anything forged, mistyped or malformed."""
    if not isinstance(code, str) or not _CODE_RE.match(code):
        return None
    try:
        raw = base64.urlsafe_b64decode(code.encode("ascii"))
    except (binascii.Error, ValueError):
        return None
    key = _key(secret)
    tag, hidden = raw[:TAG_BYTES], raw[TAG_BYTES:]
    sale_id = int.from_bytes(hidden, "big") ^ _mask(key, tag)
    if sale_id == 0 or not hmac.compare_digest(tag, _tag(key, sale_id)):
        return None
    return sale_id
