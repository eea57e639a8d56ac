"""Numbers that come in from outside: one bounded parser for money, one for quantities, one
for whole numbers (ids, limits, counts). The API's types (`ewarung.fields`), the pages'
forms and the command line all read numbers through these, so they refuse the same things
with the same Indonesian messages, naming the field.

The limits, and why no sum can overflow a 64-bit column (BigInteger, ±9.2 × 10^18):
- money is whole Rupiah, at most Rp100.000.000.000 (10^11) per value, a hundred times the
  yearly turnover of a big village shop; a line's amount (price × quantity) is held to the
  same limit, so a sum needs some 92 million values at the limit to overflow;
- a quantity has at most 3 decimals and is at most 1.000.000 (kg, litres, pieces): it is
  stored as thousandths, at most 10^9;
- ids and other whole numbers fit the databases' integer keys (at most 2^31 - 1).

Only ASCII digits are numbers here: Python's `int` and `Decimal` also read `"1_000"`,
Arabic-Indic digits (`"٣"`) and `True`, none of which a cashier means as a quantity.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ewarung.errors import N_, ValidationFailed
from ewarung.money import format_rupiah

MAX_RUPIAH = 100_000_000_000
MAX_QUANTITY = Decimal(1_000_000)
QUANTITY_PLACES = 3
QUANTITY_SCALE = Decimal(1).scaleb(-QUANTITY_PLACES)
#: the largest integer key on PostgreSQL (SERIAL); SQLite's are wider
MAX_ID = 2**31 - 1
#: longer text is not a number a person typed (and costs nothing to refuse)
_MAX_TEXT = 40

_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?(?:[eE][+-]?[0-9]{1,3})?", re.ASCII)
#: Indonesian thousands: 12.500 or 1.250.000, optionally with ,00
_THOUSANDS = re.compile(r"-?[0-9]{1,3}(?:\.[0-9]{3})+(?:,0+)?", re.ASCII)
_CURRENCY = re.compile(r"(?i)rp|\s")

NOT_RUPIAH = N_("Harus berupa jumlah Rupiah bulat.")
NOT_QUANTITY = N_("Jumlah harus berupa angka.")
NOT_WHOLE = N_("Harus berupa bilangan bulat.")
REQUIRED = N_("Wajib diisi.")


def _refuse(field: str, template: str, **params: Any) -> ValidationFailed:
    return ValidationFailed.field(field, template, **params)


def parse_rupiah(raw: Any, field: str, *, low: int = 0, high: int = MAX_RUPIAH,
                 allow_zero: bool = True) -> int:
    """Whole Rupiah between `low` and `high`: 12500, 12500.0, "12.500", "Rp12.500", "12500,00"."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise _refuse(field, REQUIRED)
    value = _rupiah_value(raw)
    if value is None:
        raise _refuse(field, NOT_RUPIAH)
    if value == 0 and not allow_zero:
        raise _refuse(field, N_("Tidak boleh nol."))
    if value < low:
        if low == 0:
            raise _refuse(field, N_("Tidak boleh kurang dari nol."))
        if low == 1:
            raise _refuse(field, N_("Harus lebih dari nol."))
        raise _refuse(field, N_("Jumlah terlalu kecil: paling sedikit %(low)s."),
                      low=format_rupiah(low))
    if value > high:
        raise _refuse(field, N_("Jumlah terlalu besar: paling banyak %(high)s."),
                      high=format_rupiah(high))
    return value


def _rupiah_value(raw: Any) -> int | None:
    """The whole number `raw` stands for, or None when it is no amount of Rupiah."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float | Decimal):
        return _whole_number(raw)
    if not isinstance(raw, str) or len(raw) > _MAX_TEXT:
        return None
    text = _CURRENCY.sub("", raw)
    if _THOUSANDS.fullmatch(text):
        text = text.split(",")[0].replace(".", "")
    text = re.sub(r"^(-?[0-9]+)[.,]0+$", r"\1", text)
    return int(text) if _WHOLE.fullmatch(text) else None


def _whole_number(number: float | Decimal) -> int | None:
    try:
        whole = int(number)
    except (ValueError, OverflowError, ArithmeticError):
        return None  # NaN or infinity
    return whole if whole == number else None


def parse_quantity(raw: Any, field: str, *, allow_zero: bool = False,
                   allow_negative: bool = False) -> Decimal:
    """A quantity of at most 3 decimals and at most 1.000.000, with a decimal point or comma."""
    value = plain_decimal(raw)
    if value is None:
        raise _refuse(field, NOT_QUANTITY)
    # Bounded before quantizing: quantizing 1e30 to thousandths exceeds Decimal's precision.
    if abs(value) > MAX_QUANTITY:
        raise _refuse(field, N_("Jumlah terlalu besar: paling banyak %(high)s."),
                      high="1.000.000")
    if value != value.quantize(QUANTITY_SCALE):
        raise _refuse(field, N_("Jumlah paling banyak 3 angka di belakang koma."))
    if value < 0 and not allow_negative:
        raise _refuse(field, N_("Jumlah tidak boleh negatif."))
    if value == 0 and not allow_zero:
        raise _refuse(field, N_("Jumlah harus lebih dari nol."))
    return value.quantize(QUANTITY_SCALE) + 0  # + 0 turns -0.000 into 0.000


def parse_decimal(raw: Any, field: str) -> Decimal:
    """A plain finite decimal (a percentage, a weight): the caller checks its bounds."""
    value = plain_decimal(raw)
    if value is None:
        raise _refuse(field, N_("Harus berupa angka."))
    return value


def plain_decimal(raw: Any) -> Decimal | None:
    """The finite decimal `raw` stands for, or None."""
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        if isinstance(raw, int):
            value = Decimal(raw)
        elif isinstance(raw, float):
            value = Decimal(repr(raw))  # 0.1 is "0.1", not its binary expansion
        elif isinstance(raw, Decimal):
            value = raw
        elif isinstance(raw, str) and len(raw) <= _MAX_TEXT \
                and _DECIMAL.fullmatch(text := raw.strip()):
            value = Decimal(text.replace(",", "."))
        else:
            return None
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def parse_whole(raw: Any, field: str, *, low: int = 1, high: int = MAX_ID) -> int:
    """A whole number between `low` and `high` (an id: 1 to 2^31 - 1)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise _refuse(field, REQUIRED)
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, float):
        value = _whole_number(raw)
    elif isinstance(raw, str) and len(raw) <= _MAX_TEXT and _WHOLE.fullmatch(raw.strip()):
        value = int(raw.strip())
    if value is None:
        raise _refuse(field, NOT_WHOLE)
    if not low <= value <= high:
        raise _refuse(field, N_("Harus antara %(low)d dan %(high)d."), low=low, high=high)
    return value


def checked_amount(amount: int, field: str) -> int:
    """A computed amount (price × quantity) held to the money limit."""
    if abs(amount) > MAX_RUPIAH:
        raise _refuse(field, N_("Nilai harga × jumlah terlalu besar: paling banyak %(high)s."),
                      high=format_rupiah(MAX_RUPIAH))
    return amount


def as_id(raw: Any) -> int | None:
    """The row id `raw` stands for, or None when it cannot be one (to look rows up with)."""
    try:
        return parse_whole(raw, "id")
    except ValidationFailed:
        return None


def clamped_whole(raw: str | None, default: int, low: int, high: int) -> int:
    """A page's whole-number query argument (?page=, ?days=), held between `low` and `high`;
    `default` when it is missing or not a number (a page forgives what the API refuses)."""
    text = (raw or "").strip()
    if len(text) > _MAX_TEXT or not _WHOLE.fullmatch(text):
        return default
    return max(low, min(high, int(text)))
