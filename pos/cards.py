"""KKS card numbers: validation, masking, the keyed look-up hash, magnetic-stripe text.

Pure functions: no Flask, no session. A full card number lives only in memory while a
request or an import row is handled; what is stored, logged or shown is the masked form
(first 6, last 4) and an HMAC-SHA256 digest keyed from the app's secret key. The key never
goes into the database: with it, the 6 hidden digits of a masked number could be found by
trying 10^6 candidates.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from ewarung.errors import N_, AppError, NotFound

MIN_LENGTH = 16
MAX_LENGTH = 19
#: the label that turns the app secret into the card-hash key (changing it orphans every card)
KEY_LABEL = b"ewarung/kks-card-hash/v1"

_SEPARATORS = re.compile(r"[\s\-]+")
# Track 1: %B<PAN>^NAME^YYMM...? (the sentinel and format code may be missing)
_TRACK1 = re.compile(r"%?B(?P<pan>[\d ]{12,23})\^(?P<name>[^^]*)\^")
# Track 2: ;<PAN>=YYMM...? (the start sentinel may be missing)
_TRACK2 = re.compile(r";?(?P<pan>\d{12,19})=")


class InvalidCardNumber(AppError):
    code = "invalid_card_number"
    status = 422
    template = N_("Nomor kartu KKS tidak valid.")


class CardNotRegistered(NotFound):
    code = "card_not_registered"
    template = N_("Kartu KKS ini tidak terdaftar pada KPM mana pun.")


def luhn_valid(digits: str) -> bool:
    """Whether the last digit of `digits` is its Luhn (ISO/IEC 7812) check digit."""
    if not digits.isdigit() or not digits.isascii():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """The digit that makes `partial + digit` pass the Luhn check."""
    for d in "0123456789":
        if luhn_valid(partial + d):
            return d
    raise ValueError(partial)  # unreachable for a string of digits


def clean_card_number(text: str) -> str:
    """`text` without spaces and dashes (what a cashier or a spreadsheet may add)."""
    return _SEPARATORS.sub("", text.strip().lstrip("'"))


def validate_card_number(text: str, *, luhn_check: bool = True) -> str:
    """The card number as digits, or InvalidCardNumber naming what is wrong.

    Messages never repeat the number itself: it must not reach a log or a page.
    """
    digits = clean_card_number(text)
    if not digits:
        raise InvalidCardNumber(N_("Nomor kartu KKS kosong."))
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidCardNumber(N_("Nomor kartu KKS hanya boleh berisi angka."))
    if not MIN_LENGTH <= len(digits) <= MAX_LENGTH:
        raise InvalidCardNumber(
            N_("Nomor kartu KKS harus 16 sampai 19 angka (yang diberikan %(length)s angka)."),
            length=len(digits))
    if luhn_check and not luhn_valid(digits):
        raise InvalidCardNumber(N_(
            "Nomor kartu KKS salah ketik: angka pemeriksanya (Luhn) tidak cocok."))
    return digits


def mask_card_number(digits: str) -> str:
    """First 6 and last 4 digits, the rest as `*`: 526422******1234."""
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def derive_card_key(secret_key: str) -> bytes:
    """The key of the card hash, derived from the app's secret key with a fixed label."""
    return hmac.new(secret_key.encode(), KEY_LABEL, hashlib.sha256).digest()


def card_hash(key: bytes, digits: str) -> str:
    """The keyed digest that finds a card without storing its number (64 hex characters)."""
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()


def parse_card_input(raw: str) -> str:
    """The card number in what was typed or what a magnetic-stripe reader sent.

    Readers that type like a keyboard send track 1 (`%B<PAN>^NAME^...?`), track 2
    (`;<PAN>=...?`), or both one after the other; a cashier types the number, maybe with
    spaces or dashes. Returns the number without separators, not yet validated.
    """
    text = raw.strip()
    track1 = _TRACK1.search(text)
    track2 = _TRACK2.search(text)
    pan1 = clean_card_number(track1["pan"]) if track1 else None
    pan2 = track2["pan"] if track2 else None
    if pan1 and pan2 and pan1 != pan2:
        raise InvalidCardNumber(N_("Data pita magnetik tidak konsisten; gesek kartu sekali lagi."))
    if pan1 or pan2:
        return str(pan1 or pan2)
    if any(ch in text for ch in "%^;=?"):
        raise InvalidCardNumber(N_("Data pita magnetik tidak terbaca; gesek kartu sekali lagi."))
    return clean_card_number(text)


def read_card(raw: str, *, luhn_check: bool = True) -> str:
    """Typed or swiped text to a validated card number (digits only)."""
    return validate_card_number(parse_card_input(raw), luhn_check=luhn_check)


_MASKED = re.compile(r"^(?P<first>\d{6})?[\d*xX#•.]*?(?P<last>\d{4})$")


def masked_parts(text: str) -> tuple[str | None, str] | None:
    """(first 6 or None, last 4) of a masked or full number as a bank file writes it."""
    found = _MASKED.match(_SEPARATORS.sub("", text))
    if not found:
        return None
    return found["first"], found["last"]
