"""The stock ledger's rules as plain functions: FEFO allocation, costing, stocktake variance.

No Flask, no session: the services load batches into `Batch` values, ask these functions
what to move, write the answer as stock movements and store the batches' new balances.

Value policy (whole Rupiah, `ewarung.money`):
- a receipt line adds `line_amount(unit_cost, quantity)` to its own batch;
- every batch carries what is left of it: a quantity and a value;
- taking part of a batch costs its share of the value left, rounded half up; taking all
  that is left costs exactly the value left, so an empty batch never keeps a stray Rupiah
  and the cost of goods sold plus the value still on hand always equals what was paid;
- goods put back (a return) go into the batch they came from with the value they took.

Negative stock: a product that allows it sells beyond what is on hand from one
*overdraft* batch per product, at an estimated cost (the latest unit cost). The next
receipt or stock gain fills that hole first; the last unit filling it takes exactly the
value of the hole, so the difference between estimate and true cost lands in the ledger
as an adjustment instead of being lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ewarung.errors import N_, AppError
from ewarung.money import line_amount, round_rupiah
from ewarung.numbers import MAX_QUANTITY, checked_amount, parse_quantity

__all__ = ["MAX_QUANTITY", "parse_quantity"]  # the quantity rules live in ewarung.numbers

SCALE = Decimal("0.001")
ZERO = Decimal("0.000")


class InsufficientStock(AppError):
    """More is asked than is on hand, and the product does not allow negative stock."""

    code = "insufficient_stock"
    status = 409
    template = N_("Stok %(product)s tidak cukup: tersedia %(available)s, diminta %(requested)s.")


class ExpiredStock(AppError):
    """A sale would take goods past their expiry date, and no manager approved it."""

    code = "expired_stock"
    status = 409
    template = N_("%(products)s: stok yang belum kedaluwarsa tidak cukup (tersedia "
                  "%(available)s). Barang kedaluwarsa hanya dijual dengan persetujuan manajer.")


@dataclass
class Batch:
    """What is left of one batch of one product (mutable: the functions below update it)."""

    id: int
    quantity: Decimal
    value: int
    unit_cost: int
    expires_on: date | None = None
    #: the one batch per product that may go below zero (negative stock)
    overdraft: bool = False


@dataclass(frozen=True)
class Allocation:
    """A quantity taken from one batch, and its cost in Rupiah (both positive)."""

    batch_id: int
    quantity: Decimal
    value: int


@dataclass(frozen=True)
class Movement:
    """A change to one batch: signed quantity, signed value (cost basis)."""

    batch_id: int
    quantity: Decimal
    value: int
    unit_cost: int


def show(quantity: Decimal) -> str:
    """A quantity for messages: 1.5, 2 (no trailing zeros, no exponent)."""
    return format(quantity.normalize(), "f")


def fefo(batches: Iterable[Batch]) -> list[Batch]:
    """Batches with stock left, first expiry first, undated last, then in receipt order."""
    live = [b for b in batches if b.quantity > 0]
    return sorted(live, key=lambda b: (b.expires_on is None, b.expires_on or date.min, b.id))


def is_expired(batch: Batch, day: date) -> bool:
    """Past its expiry date on `day` (a batch may be sold on its expiry date itself)."""
    return batch.expires_on is not None and batch.expires_on < day


def on_hand(batches: Iterable[Batch]) -> Decimal:
    """The quantity on hand: the sum over batches (an overdraft counts negative)."""
    return sum((b.quantity for b in batches), ZERO)


def take_value(batch: Batch, quantity: Decimal) -> int:
    """The cost of taking `quantity` (0 < quantity ≤ what is left) from `batch`."""
    if quantity == batch.quantity:
        return batch.value
    return round_rupiah(Decimal(batch.value) * quantity / batch.quantity)


def fill_value(overdraft: Batch, quantity: Decimal) -> int:
    """What putting `quantity` into a negative overdraft is worth; closing it is exact."""
    hole = -overdraft.quantity
    if quantity == hole:
        return -overdraft.value
    return round_rupiah(Decimal(-overdraft.value) * quantity / hole)


def allocate(batches: Iterable[Batch], quantity: Decimal) -> tuple[list[Allocation], Decimal]:
    """Plan taking `quantity` first-expiry-first-out; returns the plan and what is missing."""
    plan: list[Allocation] = []
    left = quantity
    for batch in fefo(batches):
        if left <= 0:
            break
        take = min(left, batch.quantity)
        plan.append(Allocation(batch.id, take, take_value(batch, take)))
        left -= take
    return plan, left


def overdraw(overdraft: Batch, quantity: Decimal, unit_cost: int) -> Allocation:
    """Issue `quantity` beyond what is on hand, from the overdraft batch at `unit_cost`."""
    return Allocation(overdraft.id, quantity,
                      checked_amount(line_amount(unit_cost, quantity), "quantity"))


def take(batches: dict[int, Batch], allocations: Sequence[Allocation]) -> list[Movement]:
    """Apply issued allocations to the batches; the outgoing movements."""
    moves = []
    for a in allocations:
        batch = batches[a.batch_id]
        batch.quantity -= a.quantity
        batch.value -= a.value
        moves.append(Movement(a.batch_id, -a.quantity, -a.value, batch.unit_cost))
    return moves


def put_back(batches: dict[int, Batch], allocations: Sequence[Allocation]) -> list[Movement]:
    """Return allocations to the batches they came from, with the value they took."""
    moves = []
    for a in allocations:
        batch = batches[a.batch_id]
        batch.quantity += a.quantity
        batch.value += a.value
        moves.append(Movement(a.batch_id, a.quantity, a.value, batch.unit_cost))
    return moves


def receive(batch: Batch, quantity: Decimal, unit_cost: int) -> Movement:
    """Put a receipt line into its (new) batch (or stock found into the newest one)."""
    value = checked_amount(line_amount(unit_cost, quantity), "quantity")
    batch.quantity += quantity
    batch.value += value
    return Movement(batch.id, quantity, value, unit_cost)


def settle(overdraft: Batch | None, source: Batch) -> list[Movement]:
    """Fill an overdraft's hole from a newly received batch: a pair of movements."""
    if overdraft is None or overdraft.quantity >= 0 or source.quantity <= 0:
        return []
    moved = min(-overdraft.quantity, source.quantity)
    out_value, in_value = take_value(source, moved), fill_value(overdraft, moved)
    source.quantity -= moved
    source.value -= out_value
    overdraft.quantity += moved
    overdraft.value += in_value
    return [Movement(source.id, -moved, -out_value, source.unit_cost),
            Movement(overdraft.id, moved, in_value, overdraft.unit_cost)]


def gain(batches: Sequence[Batch], quantity: Decimal) -> list[Movement]:
    """Stock found (a count above the ledger): fill any overdraft, the rest to the newest batch.

    The newest batch is the likeliest origin of goods found on the shelf; they enter at its
    unit cost. Needs at least one batch.
    """
    if not batches:
        raise ValueError("a gain needs a batch to go into")
    moves: list[Movement] = []
    left = quantity
    overdraft = next((b for b in batches if b.overdraft), None)
    if overdraft is not None and overdraft.quantity < 0:
        fill = min(left, -overdraft.quantity)
        value = fill_value(overdraft, fill)
        overdraft.quantity += fill
        overdraft.value += value
        moves.append(Movement(overdraft.id, fill, value, overdraft.unit_cost))
        left -= fill
    if left > 0:
        regular = [b for b in batches if not b.overdraft]
        target = max(regular, key=lambda b: b.id) if regular else overdraft
        assert target is not None
        moves.append(receive(target, left, target.unit_cost))
    return moves


def portion(allocations: Sequence[Allocation], quantity: Decimal) -> list[Allocation]:
    """Part of what a sale line took (for a partial return): freshest batches first.

    A whole allocation keeps its exact value; a part gets its share, rounded.
    """
    out: list[Allocation] = []
    left = quantity
    for a in reversed(allocations):
        if left <= 0:
            break
        q = min(left, a.quantity)
        value = a.value if q == a.quantity else round_rupiah(Decimal(a.value) * q / a.quantity)
        out.append(Allocation(a.batch_id, q, value))
        left -= q
    if left > 0:
        raise ValueError("cannot return more than was issued")
    return out


def expected_at_count(on_hand_now: Decimal, moved_since_count: Decimal) -> Decimal:
    """What the ledger held when an item was counted: today's figure minus what moved since."""
    return on_hand_now - moved_since_count


def stocktake_variance(counted: Decimal, on_hand_now: Decimal,
                       moved_since_count: Decimal) -> Decimal:
    """Counted minus expected at the moment of counting (negative: shrinkage).

    Movements after the count (sales while counting went on) are already in
    `on_hand_now` and are taken out again, so they are never counted twice.
    """
    return counted - expected_at_count(on_hand_now, moved_since_count)
