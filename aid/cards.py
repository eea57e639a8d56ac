"""KKS card numbers: validation, masking, the keyed look-up hash, magnetic-stripe text.

Pure functions: no Flask, no session. A full card number lives only in memory while a
request or an import row is handled; what is stored, logged or shown is the masked form
(first 6, last 4) and an HMAC-SHA256 digest keyed from the app's secret key. The key never
goes into the database: with it, the 6 hidden digits of a masked number could be found by
trying 10^6 candidates.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass

from ewarung.errors import N_, AppError, Conflict, NotFound

MIN_LENGTH = 16
MAX_LENGTH = 19
#: the label that turns the app secret into the card-hash key (changing it orphans every card)
KEY_LABEL = b"ewarung/kks-card-hash/v1"
#: the label of the key that signs card tokens (changing it voids every token given out)
TOKEN_LABEL = b"ewarung/kks-card-token/v1"
#: how long a card token pays, in seconds: a till may wait offline through a shop's day
TOKEN_LIFETIME = 12 * 3600
#: how far ahead of the server's clock a token's time may be (clocks of one shop drift little)
TOKEN_CLOCK_SKEW = 300
#: the largest row id (a 32-bit integer column)
MAX_ROW_ID = 2**31 - 1

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


class CardTokenInvalid(AppError):
    code = "card_token_invalid"
    status = 400
    template = N_("Tanda kartu KKS tidak sah. Tekan Cek untuk memeriksa kartu sekali lagi.")


class CardTokenExpired(Conflict):
    code = "card_token_expired"
    template = N_("Pemeriksaan kartu KKS sudah kedaluwarsa (lebih dari 12 jam). Tekan Cek "
                  "untuk memeriksa kartu sekali lagi.")


class CardTokenMismatch(AppError):
    code = "card_token_mismatch"
    status = 422
    template = N_("Kartu KKS yang diperiksa milik KPM lain daripada yang disebut transaksi ini. "
                  "Tekan Cek untuk memeriksa kartu sekali lagi.")


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
            "Nomor kartu KKS salah ketik: angka terakhirnya tidak cocok dengan angka "
            "lainnya. Periksa lagi nomornya."))
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


# --- card tokens ------------------------------------------------------------------------------
#
# The till keeps a sale that waits for the Wi-Fi on the tablet. So that the full number never
# rests there, the look-up answers a token instead: `KPM.CARD.ISSUED.SIGNATURE`, where the
# signature is an HMAC-SHA256 (keyed from the app's secret key) over the KPM's id, the card's
# id, the Unix time of the look-up and the card's hash. The KPM's and card's ids are visible
# (the tablet shows the KPM anyway); the number is neither in the token nor derivable from it.


@dataclass(frozen=True)
class CardToken:
    """What a card token claims; trust it only after `check_card_token`."""

    beneficiary_id: int
    card_id: int
    issued: int
    signature: str


def derive_token_key(secret_key: str) -> bytes:
    """The key that signs card tokens, derived from the app's secret key with its own label."""
    return hmac.new(secret_key.encode(), TOKEN_LABEL, hashlib.sha256).digest()


def _signature(key: bytes, beneficiary_id: int, card_id: int, issued: int, digest: str) -> str:
    mac = hmac.new(key, f"{beneficiary_id}.{card_id}.{issued}.{digest}".encode("ascii"),
                   hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def sign_card_token(key: bytes, *, beneficiary_id: int, card_id: int, digest: str,
                    issued: int) -> str:
    """A token for a card looked up at Unix time `issued` (digest: the card's hash)."""
    return (f"{beneficiary_id}.{card_id}.{issued}."
            f"{_signature(key, beneficiary_id, card_id, issued, digest)}")


_TOKEN = re.compile(r"^(\d{1,10})\.(\d{1,10})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$")


def parse_card_token(text: str) -> CardToken:
    """The claims of a token as sent, or CardTokenInvalid when it has not a token's shape."""
    found = _TOKEN.match(text.strip())
    if not found:
        raise CardTokenInvalid()
    try:
        base64.urlsafe_b64decode(found[4] + "=")
    except (binascii.Error, ValueError):
        raise CardTokenInvalid() from None
    beneficiary_id, card_id = int(found[1]), int(found[2])
    if not (0 < beneficiary_id <= MAX_ROW_ID and 0 < card_id <= MAX_ROW_ID):
        raise CardTokenInvalid()
    return CardToken(beneficiary_id, card_id, int(found[3]), found[4])


def check_card_token(key: bytes, token: CardToken, *, owner_id: int, digest: str,
                     now: int) -> None:
    """Check a token against the card it names (its owner's id and its hash).

    A signature made for another card or key: CardTokenInvalid. A genuine token whose KPM was
    changed (the signature holds for the card's owner, not for the KPM written in it):
    CardTokenMismatch. Older than TOKEN_LIFETIME: CardTokenExpired.
    """
    expected = _signature(key, owner_id, token.card_id, token.issued, digest)
    if not hmac.compare_digest(expected, token.signature):
        raise CardTokenInvalid()
    if token.beneficiary_id != owner_id:
        raise CardTokenMismatch()
    if token.issued > now + TOKEN_CLOCK_SKEW:
        raise CardTokenInvalid()
    if now - token.issued > TOKEN_LIFETIME:
        raise CardTokenExpired()
