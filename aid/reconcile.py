"""Matching the bank's EDC settlement file against the shop's BPNT redemptions. Pure.

The bank is the authority. Each bank line is paired with a recorded redemption first by the
EDC approval reference, then (for a reference the cashier mistyped or left out) by date,
amount and masked card, then by date and card alone (the amounts differ). What is left
over is only in the bank file or only in the shop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from aid.cards import mask_card_number, masked_parts
from ewarung.clock import FIRST_MONTH, LAST_MONTH
from ewarung.errors import N_, ValidationFailed
from ewarung.numbers import MAX_RUPIAH
from ewarung.tabular import Limits, read_rows
from ewarung.text import UNWRITABLE, has_unwritable

Status = Literal["matched", "bank_only", "shop_only", "amount_differs"]
STATUSES: tuple[Status, ...] = ("matched", "amount_differs", "bank_only", "shop_only")
FIELDS = ("date", "reference", "amount", "card")
DEFAULT_COLUMNS = {"date": "tanggal", "reference": "kode_approval", "amount": "nominal",
                   "card": "no_kartu"}
#: a month of one shop's EDC lines is hundreds to a few thousand; every line read is kept
#: and stored with its match, so the file is held to what the import's memory bound allows
SETTLEMENT_LIMITS = Limits(rows=10_000)
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y%m%d",
                 "%Y/%m/%d")


@dataclass(frozen=True)
class Txn:
    """One BPNT payment as one side saw it. `key` is the bank row or the shop's entry id."""

    key: int
    day: date
    reference: str
    amount: int
    masked_card: str


@dataclass(frozen=True)
class MatchItem:
    """One line of the result."""

    status: Status
    bank: Txn | None
    shop: Txn | None
    #: "reference", "date_amount_card" or "date_card"; "" when unpaired
    matched_by: str = ""


@dataclass
class SettlementFile:
    """The readable lines of a settlement file and the rows that could not be read."""

    txns: list[Txn] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def normal_reference(ref: str) -> str:
    """An approval reference compared loosely: no spaces, upper case, no leading zeros."""
    return re.sub(r"\s+", "", ref).upper().lstrip("0")


def same_card(a: str, b: str) -> bool:
    """Whether two masked (or full) numbers can be the same card."""
    pa, pb = masked_parts(a), masked_parts(b)
    if pa is None or pb is None:
        return False
    if pa[1] != pb[1]:
        return False
    return pa[0] is None or pb[0] is None or pa[0] == pb[0]


def _pick(candidates: list[Txn], bank: Txn) -> Txn:
    def score(t: Txn) -> tuple[bool, bool, int]:
        return (t.amount != bank.amount, t.day != bank.day, t.key)
    return min(candidates, key=score)


def match(bank: Sequence[Txn], shop: Sequence[Txn]) -> list[MatchItem]:
    """Pair bank lines with shop redemptions; every input appears in exactly one item."""
    items: list[MatchItem] = []
    free_shop = {t.key: t for t in shop}
    by_ref: dict[str, list[Txn]] = {}
    for t in shop:
        ref = normal_reference(t.reference)
        if ref:
            by_ref.setdefault(ref, []).append(t)
    left: list[Txn] = []
    for b in bank:
        ref = normal_reference(b.reference)
        candidates = [t for t in by_ref.get(ref, []) if t.key in free_shop] if ref else []
        if not candidates:
            left.append(b)
            continue
        s = _pick(candidates, b)
        del free_shop[s.key]
        items.append(MatchItem("matched" if s.amount == b.amount else "amount_differs",
                               b, s, "reference"))
    still: list[Txn] = []
    for b in left:
        found = next((t for t in free_shop.values() if t.day == b.day
                      and t.amount == b.amount and same_card(t.masked_card, b.masked_card)),
                     None)
        if found is None:
            still.append(b)
            continue
        del free_shop[found.key]
        items.append(MatchItem("matched", b, found, "date_amount_card"))
    left = _pair_lone_lines(still, free_shop, items)
    items.extend(MatchItem("bank_only", b, None) for b in left)
    items.extend(MatchItem("shop_only", None, s) for s in free_shop.values())
    return items


def _pair_lone_lines(left: list[Txn], free_shop: dict[int, Txn],
                     items: list[MatchItem]) -> list[Txn]:
    """Pair what is left by day and card alone, only where each side has one such line.

    A card used twice on a day cannot tell which amount belongs to which, so those stay
    unpaired rather than guessed.
    """
    def peers(t: Txn, pool: Iterable[Txn]) -> list[Txn]:
        return [o for o in pool if o.day == t.day and same_card(o.masked_card, t.masked_card)]
    still: list[Txn] = []
    for b in left:
        candidates = peers(b, free_shop.values())
        if len(candidates) != 1 or len(peers(candidates[0], left)) != 1:
            still.append(b)
            continue
        s = candidates[0]
        del free_shop[s.key]
        items.append(MatchItem("amount_differs", b, s, "date_card"))
    return still


#: the last day a bank file's row may carry (the shop's months end with 2099-12)
LAST_DAY = date(LAST_MONTH.year, 12, 31)


def parse_amount(text: str) -> int:
    """A Rupiah amount as banks write it: 50000, 50.000, Rp50.000,00, 50,000.00."""
    t = re.sub(r"(?i)rp|idr|\s", "", text)
    if not t.isascii():
        raise ValueError(text)  # Python's \d and int() also read Arabic-Indic digits
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?", t):
        t = t.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d{1,2})?", t):
        t = t.replace(",", "")
    elif re.fullmatch(r"\d+,\d{1,2}", t):
        t = t.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", t):
        raise ValueError(text)
    whole, _, cents = t.partition(".")
    if cents.strip("0"):
        raise ValueError(text)  # BPNT is paid in whole Rupiah
    if len(whole) > 12 or int(whole) > MAX_RUPIAH:
        raise ValueError(text)
    return int(whole)


def parse_day(text: str) -> date:
    """A date as banks write it, day first; a time after it is ignored."""
    part = re.split(r"[ T]", text.strip(), maxsplit=1)[0]
    if not part.isascii():
        raise ValueError(text)
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(part, fmt).date()
        except ValueError:
            continue
        if FIRST_MONTH <= day <= LAST_DAY:  # a year 9999 would overflow the day after it
            return day
    raise ValueError(text)


def safe_masked(text: str) -> str:
    """A bank file's card column as a masked number; a full number is masked at once."""
    digits = re.sub(r"[\s\-]", "", text)
    if digits.isdigit() and len(digits) >= 12:
        return mask_card_number(digits)
    return text.strip()[:19]


def read_settlement(data: bytes, columns: dict[str, str]) -> SettlementFile:
    """The lines of a settlement CSV, with `columns` naming the file's header for each field;
    read by `ewarung.tabular`, within its limits."""
    wanted = {f: columns.get(f, DEFAULT_COLUMNS[f]).strip().lower() for f in FIELDS}

    def names(cells: Sequence[object]) -> list[str]:
        return [str(h).strip().lower() for h in cells]
    rows = read_rows(data, limits=SETTLEMENT_LIMITS, xlsx=False,
                     delimiters=(";", ",", "\t", "|"),
                     header=lambda cells: set(wanted.values()) <= set(names(cells)))
    header = names(next(rows, []))
    missing = [name for name in wanted.values() if name not in header]
    if missing:
        raise ValidationFailed.field("file", N_(
            "Kolom berkas bank tidak ditemukan: %(columns)s. Periksa pemetaan kolom."),
            columns=", ".join(missing))
    at = {f: header.index(name) for f, name in wanted.items()}
    out = SettlementFile()
    for number, raw in enumerate(rows, start=2):
        if not any(c.strip() for c in raw):
            continue
        cell = {f: raw[i].strip() if i < len(raw) else "" for f, i in at.items()}
        if has_unwritable(cell["reference"]) or has_unwritable(cell["card"]):
            out.problems.append((number, UNWRITABLE))  # kept as written: no NUL, no ESC
            continue
        try:
            out.txns.append(Txn(number, parse_day(cell["date"]), cell["reference"][:40],
                                parse_amount(cell["amount"]), safe_masked(cell["card"])))
        except ValueError:
            out.problems.append((number, N_("Tanggal atau nominal tidak terbaca.")))
    return out


def summary(items: Iterable[MatchItem]) -> dict[str, Any]:
    """How many items of each status."""
    counts: dict[str, Any] = dict.fromkeys(STATUSES, 0)
    for item in items:
        counts[item.status] += 1
    return counts
