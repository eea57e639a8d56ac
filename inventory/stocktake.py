"""Stocktakes: count blind, let a manager approve, post the variances with their value.

Each count remembers the newest stock movement at that moment (its ledger mark). On
approval, for each counted product: expected = on hand now − physical movements after the
mark (sales, returns, receipts, write-offs made while counting went on), and
variance = counted − expected. Corrections made after the mark (another stocktake, a hand
adjustment) are not physical movements and do not count, so the same shrinkage is never
posted twice. Shrinkage is taken FEFO with the batches' cost; stock found goes to the
newest batch at its cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ewarung import audit
from ewarung.audit import actor
from ewarung.clock import now
from ewarung.db import get_or_404
from ewarung.errors import N_, Conflict, NotFound
from ewarung.money import line_amount
from ewarung.numbers import MAX_ID, as_id
from ewarung.outbox import record_event
from inventory import fields, ledger, stock
from inventory.adjustments import put_in
from inventory.catalogue import is_fractional
from inventory.fields import FieldErrors
from inventory.models import Product, StockMove, Stocktake, StocktakeLine

#: movements that are goods physically moving; corrections are left out (see above)
PHYSICAL_KINDS = ("receipt", "sale", "return", "write_off", "receipt_reversal")


@dataclass(frozen=True)
class Variance:
    """One counted product against the ledger."""

    product_id: int
    name: str
    unit: str
    counted: Decimal
    expected: Decimal
    variance: Decimal
    #: Rupiah: negative for shrinkage (posted on approval, estimated before)
    value: int


def start_stocktake(session: Session, note: str = "") -> Stocktake:
    """Open a count."""
    take = Stocktake(note=note.strip()[:500], started_by=actor())
    session.add(take)
    session.flush()
    audit.record(session, "stocktake.start", entity="stocktake", entity_id=take.id)
    return take


def get_stocktake(session: Session, stocktake_id: int) -> Stocktake:
    """The stocktake, or `not_found`."""
    return get_or_404(session, Stocktake, stocktake_id,
                      NotFound(N_("Stok opname tidak ditemukan.")))


def record_counts(session: Session, stocktake_id: int,
                  lines: Sequence[Mapping[str, Any]]) -> Stocktake:
    """Enter counted quantities [{product_id, counted}]; counting again replaces a count."""
    take = _open(session, stocktake_id)
    counts = _clean_counts(session, lines)
    mark = session.scalar(select(func.max(StockMove.id))) or 0
    by_product = {line.product_id: line for line in take.lines}
    for product, counted in counts:
        line = by_product.get(product.id)
        if line is None:
            line = StocktakeLine(product_id=product.id, counted=counted, ledger_mark=mark)
            take.lines.append(line)
            by_product[product.id] = line
        line.counted, line.ledger_mark = counted, mark
        line.counted_by, line.counted_at = actor(), now()
    session.flush()
    return take


def _clean_counts(session: Session, lines: Sequence[Mapping[str, Any]]
                  ) -> list[tuple[Product, Decimal]]:
    errors = FieldErrors()
    if not lines:
        errors.add("lines", N_("Isi paling sedikit satu hitungan."))
    wanted = _products(session, lines)
    clean: list[tuple[Product, Decimal]] = []
    for i, raw in enumerate(lines):
        raw = raw if isinstance(raw, Mapping) else {}
        pid = fields.integer(raw.get("product_id"), f"lines.{i}.product_id", errors, low=1,
                             high=MAX_ID)
        product = wanted.get(pid) if pid is not None else None
        if pid is not None and product is None:
            errors.add(f"lines.{i}.product_id", N_("Produk tidak dikenal."))
        counted = fields.quantity(raw.get("counted"), f"lines.{i}.counted", errors,
                                  allow_zero=True)
        if counted is not None and product is not None and not is_fractional(product.unit) \
                and counted != int(counted):
            errors.add(f"lines.{i}.counted", N_("Satuan %(unit)s dihitung utuh, tanpa pecahan."),
                       unit=product.unit)
        if product is not None and counted is not None:
            clean.append((product, counted))
    errors.raise_if_any()
    return clean


def preview(session: Session, stocktake_id: int) -> list[Variance]:
    """The variances if the count were approved now (blind counting never shows this)."""
    take = get_stocktake(session, stocktake_id)
    if take.status == "approved":
        return posted(take)
    out = []
    for line in take.lines:
        batches = stock.holdings(session, line.product_id, lock=False)
        expected = ledger.expected_at_count(ledger.on_hand(batches),
                                            _moved_since(session, line))
        variance = line.counted - expected
        out.append(Variance(line.product_id, line.product.name, line.product.unit,
                            line.counted, expected, variance,
                            _estimate(session, batches, line.product_id, variance)))
    return out


def approve_stocktake(session: Session, stocktake_id: int) -> Stocktake:
    """Post every counted product's variance against the ledger as it is now."""
    take = _open(session, stocktake_id)
    if not take.lines:
        raise Conflict(N_("Belum ada barang yang dihitung."))
    for line in sorted(take.lines, key=lambda ln: ln.product_id):
        batches = stock.holdings(session, line.product_id)
        expected = ledger.expected_at_count(ledger.on_hand(batches),
                                            _moved_since(session, line))
        variance = line.counted - expected
        value = 0
        if variance < 0:
            value = -sum(a.value for a in stock.take_out(
                session, line.product_id, -variance, kind="stocktake", ref_type="stocktake",
                ref_id=take.id, force=True))
        elif variance > 0:
            value = put_in(session, line.product_id, variance, "stocktake", "stocktake",
                           take.id)
        line.expected, line.variance, line.value = expected, variance, value
    take.status, take.approved_by, take.approved_at = "approved", actor(), now()
    session.flush()
    audit.record(session, "stocktake.approve", entity="stocktake", entity_id=take.id,
                 after={"lines": len(take.lines),
                        "value": sum(line.value or 0 for line in take.lines)})
    record_event(session, "stocktake", {  # last: see ewarung.outbox
        "stocktake_id": take.id, "approved_at": take.approved_at.isoformat(),
        "lines": [{"product_id": ln.product_id, "expected": str(ln.expected),
                   "counted": str(ln.counted), "variance": str(ln.variance),
                   "value": ln.value} for ln in take.lines]})
    return take


def cancel_stocktake(session: Session, stocktake_id: int) -> Stocktake:
    """Drop an open count without posting anything."""
    take = _open(session, stocktake_id)
    take.status = "cancelled"
    audit.record(session, "stocktake.cancel", entity="stocktake", entity_id=take.id)
    return take


def posted(take: Stocktake) -> list[Variance]:
    """The variances an approved stocktake posted."""
    return [Variance(line.product_id, line.product.name, line.product.unit, line.counted,
                     line.expected or ledger.ZERO, line.variance or ledger.ZERO,
                     line.value or 0) for line in take.lines]


def _open(session: Session, stocktake_id: int) -> Stocktake:
    take = get_stocktake(session, stocktake_id)
    if take.status != "open":
        raise Conflict(N_("Stok opname ini sudah ditutup."))
    return take


def _products(session: Session, lines: Sequence[Any]) -> dict[int, Product]:
    ids = {found for raw in lines if isinstance(raw, Mapping)
           and (found := as_id(raw.get("product_id"))) is not None}
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}


def _moved_since(session: Session, line: StocktakeLine) -> Decimal:
    """Physical movements of the line's product after it was counted."""
    total = session.scalar(select(func.sum(StockMove.quantity)).where(
        StockMove.product_id == line.product_id, StockMove.id > line.ledger_mark,
        StockMove.kind.in_(PHYSICAL_KINDS)))
    return total if total is not None else ledger.ZERO


def _estimate(session: Session, batches: list[ledger.Batch], product_id: int,
              variance: Decimal) -> int:
    """The value a variance would post: FEFO cost for shrinkage, newest cost for a gain."""
    if variance < 0:
        plan, missing = ledger.allocate(batches, -variance)
        return -(sum(a.value for a in plan)
                 + line_amount(stock.latest_cost(session, product_id), missing))
    if variance > 0:
        return line_amount(stock.latest_cost(session, product_id), variance)
    return 0
