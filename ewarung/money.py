"""Rupiah arithmetic: the one rounding policy and a split that never loses a Rupiah.

Policy: amounts are whole Rupiah. A product of a price and a fractional quantity
(1,5 kg × Rp13.333) rounds half up to the nearest Rupiah (Rp19.999,5 → Rp20.000), the way
a cashier rounds by hand. Splitting an amount into parts (SHU buckets, a cost over several
batches) uses the largest-remainder method, so the parts always add up to the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, format_decimal


def round_rupiah(value: Decimal | int | str) -> int:
    """Round to whole Rupiah, half up (away from zero for negatives)."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def line_amount(unit_price: int, quantity: Decimal | int | str) -> int:
    """The amount of a line: price × quantity, rounded by the policy."""
    return round_rupiah(Decimal(unit_price) * Decimal(quantity))


def split(total: int, weights: Sequence[Decimal | int]) -> list[int]:
    """Split `total` in proportion to `weights`; the parts sum to exactly `total`.

    Each part gets the floor of its exact share; the Rupiah left over go one by one to the
    parts with the largest remainders (ties: the earlier part).
    """
    if not weights:
        return []
    ws = [Decimal(w) for w in weights]
    if any(w < 0 for w in ws):
        raise ValueError("weights must not be negative")
    whole = sum(ws)
    if whole == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if total < 0 else 1
    amount = abs(total)
    exact = [Decimal(amount) * w / whole for w in ws]
    parts = [int(e) for e in exact]  # floor, as every exact share is non-negative
    left = amount - sum(parts)
    order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return [sign * p for p in parts]


def format_rupiah(amount: int | None) -> str:
    """Rupiah the Indonesian way, whatever the interface language: Rp12.500, -Rp3.000."""
    if amount is None:
        return ""
    return format_currency(amount, "IDR", format="¤#,##0", locale="id_ID",
                           currency_digits=False)


def format_quantity(quantity: Decimal | int | str) -> str:
    """A quantity without trailing zeros, with a decimal comma: 1,5 or 2."""
    value = Decimal(quantity).normalize()
    return format_decimal(value, format="#,##0.###", locale="id_ID")
