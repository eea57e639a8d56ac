"""Write-offs (expired, damaged, lost goods) and corrections of stock by hand."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ewarung import audit
from ewarung.audit import actor
from ewarung.errors import N_, ValidationFailed
from ewarung.numbers import MAX_ID
from ewarung.outbox import record_event
from inventory import fields, ledger, stock
from inventory.catalogue import get_product, is_fractional
from inventory.fields import FieldErrors
from inventory.ledger import Allocation, InsufficientStock
from inventory.models import Product, StockAdjustment

WRITE_OFF_REASONS = ("expired", "damaged", "lost", "other")
ADJUSTMENT_REASONS = ("correction", "found", "lost", "other")


def write_off(session: Session, data: Mapping[str, Any]) -> StockAdjustment:
    """Remove goods that cannot be sold: `product_id`, `quantity`, `reason`, `note`,
    and `batch_id` to take them from one batch (an expired one) instead of FEFO."""
    errors = FieldErrors()
    product = get_product(session, _required_id(data.get("product_id"), "product_id"))
    qty = _whole_if_counted(fields.quantity(data.get("quantity"), "quantity", errors),
                            product.unit, errors)
    reason = fields.choice(data.get("reason"), "reason", errors, WRITE_OFF_REASONS)
    note = fields.text_value(data.get("note"), "note", errors, max_len=500,
                             multiline=True)
    batch_id = None
    if data.get("batch_id") not in (None, "", 0):
        batch_id = fields.integer(data.get("batch_id"), "batch_id", errors, low=1, high=MAX_ID)
    errors.raise_if_any()
    assert qty is not None
    record = _record(session, "write_off", product.id, reason, note)
    if batch_id is None:
        allocations = stock.issue(session, product.id, qty, ref_type="write_off",
                                  ref_id=record.id, kind="write_off")
    else:
        allocations = _from_batch(session, product, batch_id, qty, record.id)
    _audit(session, record, qty, -sum(a.value for a in allocations))
    return record


def _from_batch(session: Session, product: Product, batch_id: int, qty: Decimal,
                ref_id: int) -> list[Allocation]:
    """Take `qty` from one given batch (the expired one), not FEFO."""
    owner, batch = stock.lock_batches(session, [batch_id])[batch_id]
    if owner != product.id:
        raise ValidationFailed.field("batch_id", N_("Batch ini bukan milik produk tersebut."))
    if batch.quantity < qty:
        raise InsufficientStock(product=product.name, available=ledger.show(batch.quantity),
                                requested=ledger.show(qty),
                                details={"batch_id": batch_id, "available": str(batch.quantity)})
    allocations = [Allocation(batch_id, qty, ledger.take_value(batch, qty))]
    by_id = {batch_id: batch}
    stock.post(session, product.id, by_id, ledger.take(by_id, allocations), "write_off",
               "write_off", ref_id)
    return allocations


def adjust(session: Session, data: Mapping[str, Any]) -> StockAdjustment:
    """Correct stock by hand: `product_id`, signed `quantity`, `reason`, `note`.

    Less is taken FEFO (refused beyond what is on hand, as for a sale); more goes to the
    newest batch at its cost.
    """
    errors = FieldErrors()
    product = get_product(session, _required_id(data.get("product_id"), "product_id"))
    qty: Decimal | None = None
    try:
        qty = ledger.parse_quantity(data.get("quantity"), "quantity", allow_negative=True)
    except ValidationFailed as exc:
        errors.catch(exc)
    qty = _whole_if_counted(qty, product.unit, errors)
    reason = fields.choice(data.get("reason"), "reason", errors, ADJUSTMENT_REASONS)
    note = fields.text_value(data.get("note"), "note", errors, max_len=500,
                             multiline=True)
    errors.raise_if_any()
    assert qty is not None
    record = _record(session, "adjustment", product.id, reason, note)
    if qty < 0:
        value = -sum(a.value for a in stock.issue(
            session, product.id, -qty, ref_type="adjustment", ref_id=record.id,
            kind="adjustment"))
    else:
        value = put_in(session, product.id, qty, "adjustment", "adjustment", record.id)
    _audit(session, record, qty, value)
    return record


def put_in(session: Session, product_id: int, qty: Decimal, kind: str, ref_type: str,
           ref_id: int) -> int:
    """Stock found: fill an overdraft, the rest into the newest batch; the value added."""
    batches = stock.holdings(session, product_id)
    newest = stock.newest_batch(session, product_id)
    if newest is not None and all(b.id != newest.id for b in batches):
        batches.append(newest)
    if not batches:
        batches.append(stock.overdraft_batch(session, product_id))
    moves = ledger.gain(batches, qty)
    stock.post(session, product_id, {b.id: b for b in batches}, moves, kind, ref_type, ref_id)
    return sum(m.value for m in moves)


def _record(session: Session, kind: str, product_id: int, reason: str,
            note: str) -> StockAdjustment:
    record = StockAdjustment(kind=kind, product_id=product_id, reason=reason, note=note,
                             user_id=actor())
    session.add(record)
    session.flush()
    return record


def _audit(session: Session, record: StockAdjustment, qty: Decimal, value: int) -> None:
    audit.record(session, f"stock.{record.kind}", entity="product", entity_id=record.product_id,
                 after={"quantity": str(qty), "value": value, "reason": record.reason,
                        "adjustment_id": record.id})
    record_event(session, f"stock.{record.kind}", {  # last: see ewarung.outbox
        "adjustment_id": record.id, "product_id": record.product_id, "quantity": str(qty),
        "value": value, "reason": record.reason})


def _required_id(raw: Any, field: str) -> int:
    errors = FieldErrors()
    value = fields.integer(raw, field, errors, low=1, high=MAX_ID)
    errors.raise_if_any()
    assert value is not None
    return value


def _whole_if_counted(qty: Decimal | None, unit: str, errors: FieldErrors) -> Decimal | None:
    if qty is not None and not is_fractional(unit) and qty != int(qty):
        errors.add("quantity", N_("Satuan %(unit)s dihitung utuh, tanpa pecahan."), unit=unit)
    return qty
