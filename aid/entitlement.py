"""The BPNT entitlement as a pure computation over ledger entries.

The bank's EDC holds the real balance; the shop only estimates what a KPM has left, so the
cashier can see it and the till can refuse an amount the card cannot have. How it is
estimated is the shop's choice (the program rules leave it open):

- the period is a month, or a quarter ("tahap": Q1 = January to March, ...);
- with carry-over, whatever is left from earlier periods adds to this one; without it, each
  period starts from its own credits.

Every entry belongs to a month (`YYYY-MM`): a credit to the month it was given for, a
redemption to the shop's local month when it happened, a reversal to the month of the
redemption it undoes, an adjustment to the month the manager chose. Amounts are signed:
credits, reversals and positive adjustments add; redemptions subtract.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ewarung.errors import N_, Conflict

PeriodMode = Literal["monthly", "quarterly"]
EntryKind = Literal["credit", "redemption", "reversal", "adjustment"]
KINDS: tuple[str, ...] = ("credit", "redemption", "reversal", "adjustment")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger entry, or the sum of several of the same kind and month."""

    kind: str
    period: str  # "YYYY-MM"
    amount: int  # signed Rupiah


@dataclass(frozen=True)
class Entitlement:
    """A KPM's entitlement in one period, as the cashier and the API see it."""

    period: str      # "2026-11" (monthly) or "2026-Q4" (quarterly)
    credited: int    # credits of this period
    redeemed: int    # redemptions of this period, less their reversals
    adjusted: int    # manager adjustments in this period (signed)
    carried: int     # left from earlier periods (0 without carry-over)

    @property
    def remaining(self) -> int:
        """What the KPM may still redeem (negative after an over-limit redemption in warn mode)."""
        return self.carried + self.credited - self.redeemed + self.adjusted

    def as_dict(self) -> dict[str, int | str]:
        """The API shape: period, credited, redeemed, remaining (and the two extras)."""
        return {"period": self.period, "credited": self.credited, "redeemed": self.redeemed,
                "remaining": self.remaining, "adjusted": self.adjusted,
                "carried": self.carried}


def is_month(text: str) -> bool:
    """Whether `text` is a month written `YYYY-MM`."""
    return bool(_MONTH.match(text))


def month_of(day: date) -> str:
    """The month a date belongs to, as `YYYY-MM`."""
    return f"{day.year:04d}-{day.month:02d}"


def window(month: str, mode: PeriodMode) -> tuple[str, str, str]:
    """(first month, last month, label) of the period that contains `month`."""
    found = _MONTH.match(month)
    if not found:
        raise ValueError(f"not a month: {month!r}")
    year, mon = int(found[1]), int(found[2])
    if mode == "monthly":
        return month, month, month
    quarter = (mon - 1) // 3 + 1
    first = 3 * quarter - 2
    return f"{year:04d}-{first:02d}", f"{year:04d}-{first + 2:02d}", f"{year:04d}-Q{quarter}"


def compute_entitlement(entries: Iterable[LedgerEntry], month: str, mode: PeriodMode,
                        carry_over: bool) -> Entitlement:
    """The entitlement of the period containing `month`, from the KPM's ledger entries.

    Entries after the period (a credit booked ahead) do not count yet; entries before it
    count only with carry-over, as one carried balance.
    """
    first, last, label = window(month, mode)
    credited = redeemed = adjusted = carried = 0
    for entry in entries:
        if entry.period > last:
            continue
        if entry.period < first:
            if carry_over:
                carried += entry.amount
            continue
        if entry.kind == "credit":
            credited += entry.amount
        elif entry.kind in ("redemption", "reversal"):
            redeemed -= entry.amount
        else:
            adjusted += entry.amount
    return Entitlement(period=label, credited=credited, redeemed=redeemed,
                       adjusted=adjusted, carried=carried)


class BpntBalanceExceeded(Conflict):
    """The card's remaining entitlement is less than the BPNT tender (strict mode).

    The one class for the till's arithmetic (`pos.checkout`) and for the ledger's locked
    check (`aid.ledger.redeem`).
    """

    code = "bpnt_balance_exceeded"
    template = N_("Saldo BPNT tidak cukup: sisa %(remaining)s, diminta %(requested)s.")
