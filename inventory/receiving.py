"""Goods receipts: stock coming in from suppliers, and reversing receipts that correct them.

A receipt is never edited. Each positive line creates a batch (its expiry date, unit cost
and label) and a `receipt` movement; if the product had been sold below zero, the new batch
first fills that hole (a pair of `adjustment` movements). A mistake is corrected by a
reversing receipt: negative lines that take the goods back out of the batches they created
(`receipt_reversal` movements), dated like the receipt they correct so the month's
purchases net out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ewarung import audit
from ewarung.audit import actor
from ewarung.clock import shop_today
from ewarung.errors import N_, AppError, Conflict, NotFound, ValidationFailed
from ewarung.money import line_amount
from ewarung.numbers import MAX_ID, as_id, checked_amount
from ewarung.outbox import record_event
from inventory import fields, ledger, stock
from inventory.catalogue import is_fractional
from inventory.fields import FieldErrors
from inventory.ledger import Batch
from inventory.models import GoodsReceipt, GoodsReceiptLine, Product, StockBatch, Supplier

MAX_LINES = 200


class ReversalExceedsStock(AppError):
    """Goods of the receipt were already sold or written off: they cannot go back."""

    code = "insufficient_stock"
    status = 409
    template = N_("Tidak bisa dibatalkan: sebagian barang dari penerimaan ini sudah terjual "
                  "atau dihapus. Batalkan sebagian saja.")


def receive_goods(session: Session, data: Mapping[str, Any]) -> GoodsReceipt:
    """Record a delivery: `supplier_id`, `lines` [{product_id, quantity, unit_cost,
    expires_on?, batch_label?}], optional `received_on`, `reference`, `note`."""
    today = shop_today(session)
    supplier_id, received_on, header, lines = _clean_receipt(session, data, today)
    receipt = GoodsReceipt(supplier_id=supplier_id, received_on=received_on,
                           total=sum(line["value"] for line in lines),
                           created_by=actor(), **header)
    session.add(receipt)
    session.flush()
    for line in lines:
        _receive_line(session, receipt, line)
    audit.record(session, "goods_receipt.create", entity="goods_receipt", entity_id=receipt.id,
                 after={"supplier_id": supplier_id, "total": receipt.total,
                        "lines": len(lines)})
    record_event(session, "goods_receipt", {  # last: see ewarung.outbox
        "receipt_id": receipt.id, "number": receipt.number, "supplier_id": supplier_id,
        "supplier_kind": receipt.supplier.kind, "received_on": received_on.isoformat(),
        "total": receipt.total,
        "lines": [{"product_id": ln.product_id, "quantity": str(ln.quantity),
                   "unit_cost": ln.unit_cost, "value": ln.value} for ln in receipt.lines]})
    return receipt


def _receive_line(session: Session, receipt: GoodsReceipt, line: dict[str, Any]) -> None:
    product: Product = line["product"]
    row = StockBatch(product_id=product.id, receipt_id=receipt.id,
                     supplier_id=receipt.supplier_id, expires_on=line["expires_on"],
                     label=line["batch_label"], unit_cost=line["unit_cost"],
                     quantity_left=Decimal(0), value_left=0)
    session.add(row)
    session.flush()
    batch = Batch(row.id, Decimal(0), 0, line["unit_cost"], line["expires_on"])
    moves = [ledger.receive(batch, line["quantity"], line["unit_cost"])]
    overdraft = _overdraft_hole(session, product.id)
    settled = ledger.settle(overdraft, batch)
    session.add(GoodsReceiptLine(
        receipt_id=receipt.id, product_id=product.id, quantity=line["quantity"],
        unit_cost=line["unit_cost"], value=line["value"], expires_on=line["expires_on"],
        batch_label=line["batch_label"], batch_id=row.id))
    session.flush()
    stock.post(session, product.id, {batch.id: batch}, moves, "receipt", "goods_receipt",
               receipt.id)
    if overdraft is not None and settled:
        stock.post(session, product.id, {batch.id: batch, overdraft.id: overdraft}, settled,
                   "adjustment", "goods_receipt", receipt.id)


def _overdraft_hole(session: Session, product_id: int) -> Batch | None:
    """The product's overdraft batch if it is below zero (locked)."""
    return next((b for b in stock.holdings(session, product_id) if b.overdraft
                 and b.quantity < 0), None)


def _clean_receipt(session: Session, data: Mapping[str, Any], today: date) -> tuple[
        int, date, dict[str, str], list[dict[str, Any]]]:
    errors = FieldErrors()
    supplier_id = fields.integer(data.get("supplier_id"), "supplier_id", errors, low=1,
                                 high=MAX_ID)
    if supplier_id is not None:
        supplier = session.get(Supplier, supplier_id)
        if supplier is None or not supplier.active:
            errors.add("supplier_id", N_("Pemasok tidak dikenal atau tidak aktif."))
    received_on = fields.day(data.get("received_on"), "received_on", errors) or today
    if received_on > today:
        errors.add("received_on", N_("Tanggal terima tidak boleh di masa depan."))
    header = {"reference": fields.text_value(data.get("reference"), "reference", errors,
                                             max_len=60),
              "note": fields.text_value(data.get("note"), "note", errors, max_len=500,
                                        multiline=True)}
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, Sequence) or isinstance(raw_lines, str) or not raw_lines:
        errors.add("lines", N_("Isi paling sedikit satu baris barang."))
        raw_lines = []
    elif len(raw_lines) > MAX_LINES:
        errors.add("lines", N_("Paling banyak %(n)d baris."), n=MAX_LINES)
        raw_lines = []
    products = _products(session, raw_lines)
    lines = [_clean_line(raw, f"lines.{i}", products, received_on, errors)
             for i, raw in enumerate(raw_lines)]
    errors.raise_if_any()
    assert supplier_id is not None
    return supplier_id, received_on, header, lines


def _products(session: Session, raw_lines: Sequence[Any]) -> dict[int, Product]:
    ids = set()
    for raw in raw_lines:
        found = as_id(raw.get("product_id")) if isinstance(raw, Mapping) else None
        if found is not None:
            ids.add(found)
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}


def _clean_line(raw: Any, prefix: str, products: dict[int, Product], received_on: date,
                errors: FieldErrors) -> dict[str, Any]:
    raw = raw if isinstance(raw, Mapping) else {}
    pid = fields.integer(raw.get("product_id"), f"{prefix}.product_id", errors, low=1,
                         high=MAX_ID)
    product = products.get(pid) if pid is not None else None
    if pid is not None and product is None:
        errors.add(f"{prefix}.product_id", N_("Produk tidak dikenal."))
    qty = fields.quantity(raw.get("quantity"), f"{prefix}.quantity", errors)
    if qty is not None and product is not None and not is_fractional(product.unit) \
            and qty != int(qty):
        errors.add(f"{prefix}.quantity", N_("Satuan %(unit)s dihitung utuh, tanpa pecahan."),
                   unit=product.unit)
    cost = fields.money(raw.get("unit_cost"), f"{prefix}.unit_cost", errors)
    expires = fields.day(raw.get("expires_on"), f"{prefix}.expires_on", errors)
    if product is not None and product.tracks_expiry and expires is None \
            and f"{prefix}.expires_on" not in errors.fields:
        errors.add(f"{prefix}.expires_on", N_("Produk ini mencatat kedaluwarsa: isi tanggalnya."))
    if expires is not None and expires < received_on:
        errors.add(f"{prefix}.expires_on", N_("Barang sudah kedaluwarsa saat diterima."))
    label = fields.text_value(raw.get("batch_label"), f"{prefix}.batch_label", errors,
                              max_len=60)
    value = 0
    if qty is not None and cost is not None:
        try:
            value = checked_amount(line_amount(cost, qty), f"{prefix}.quantity")
        except ValidationFailed as exc:
            errors.catch(exc)
    return {"product": product, "quantity": qty, "unit_cost": cost, "expires_on": expires,
            "batch_label": label, "value": value}


def reverse_receipt(session: Session, receipt_id: int,
                    quantities: Mapping[int, Any] | None = None,
                    note: str = "") -> GoodsReceipt:
    """Take a receipt's goods back out with a reversing receipt.

    `quantities` maps line ids to how much to reverse (default: every line in full).
    """
    original = _reversible(session, receipt_id)
    plans = _reversal_plan(session, _reversal_quantities(original, quantities))
    reversal = GoodsReceipt(supplier_id=original.supplier_id, received_on=original.received_on,
                            reference=original.number, note=note[:500], reverses_id=original.id,
                            total=-sum(a.value for _, a, _ in plans),
                            created_by=actor())
    session.add(reversal)
    session.flush()
    for line, alloc, batch in plans:
        session.add(GoodsReceiptLine(
            receipt_id=reversal.id, product_id=line.product_id, quantity=-alloc.quantity,
            unit_cost=line.unit_cost, value=-alloc.value, expires_on=line.expires_on,
            batch_label=line.batch_label, batch_id=line.batch_id, reverses_line_id=line.id))
        batches = {batch.id: batch}
        stock.post(session, line.product_id, batches, ledger.take(batches, [alloc]),
                   "receipt_reversal", "goods_receipt", reversal.id)
    session.flush()
    audit.record(session, "goods_receipt.reverse", entity="goods_receipt",
                 entity_id=original.id, after={"reversal_id": reversal.id,
                                               "total": reversal.total})
    record_event(session, "goods_receipt.reverse", {  # last: see ewarung.outbox
        "receipt_id": original.id, "reversal_id": reversal.id, "number": reversal.number,
        "supplier_id": original.supplier_id, "supplier_kind": original.supplier.kind,
        "total": reversal.total,
        "lines": [{"product_id": line.product_id, "quantity": str(-alloc.quantity),
                   "value": -alloc.value} for line, alloc, _ in plans]})
    return reversal


def _reversible(session: Session, receipt_id: int) -> GoodsReceipt:
    """The receipt, if it is an original one that has not been reversed yet."""
    original = get_receipt(session, receipt_id)
    if original.reverses_id is not None:
        raise Conflict(N_("Penerimaan pembalik tidak bisa dibalik lagi."))
    if reversal_of(session, receipt_id) is not None:
        raise Conflict(N_("Penerimaan ini sudah dibalik."))
    return original


def _reversal_plan(session: Session, wanted: list[tuple[GoodsReceiptLine, Decimal]]
                   ) -> list[tuple[GoodsReceiptLine, ledger.Allocation, Batch]]:
    """What to take back from each line's batch (locked), refused if it is no longer there."""
    locked = stock.lock_batches(session, {line.batch_id for line, _ in wanted
                                          if line.batch_id is not None})
    plans = []
    for line, qty in wanted:
        batch = locked[line.batch_id or 0][1]
        if batch.quantity < qty:
            raise ReversalExceedsStock(details={"line_id": line.id,
                                                "available": str(batch.quantity)})
        plans.append((line, ledger.Allocation(batch.id, qty, ledger.take_value(batch, qty)),
                      batch))
    return plans


def _reversal_quantities(original: GoodsReceipt, quantities: Mapping[int, Any] | None
                         ) -> list[tuple[GoodsReceiptLine, Decimal]]:
    errors = FieldErrors()
    out = []
    for line in original.lines:
        raw = line.quantity if quantities is None else quantities.get(line.id, 0)
        qty = fields.quantity(raw, f"lines.{line.id}", errors, allow_zero=True)
        if qty is not None and qty > line.quantity:
            errors.add(f"lines.{line.id}", N_("Melebihi jumlah yang diterima."))
        elif qty:
            out.append((line, qty))
    if not out and not errors:
        errors.add("lines", N_("Pilih paling sedikit satu baris untuk dibatalkan."))
    errors.raise_if_any()
    return out


def get_receipt(session: Session, receipt_id: int) -> GoodsReceipt:
    """The receipt, or `not_found`; its lines and their products come with it."""
    receipt = session.get(GoodsReceipt, receipt_id, options=[
        selectinload(GoodsReceipt.lines).selectinload(GoodsReceiptLine.product)])
    if receipt is None:
        raise NotFound(N_("Penerimaan barang tidak ditemukan."))
    return receipt


def reversal_of(session: Session, receipt_id: int) -> GoodsReceipt | None:
    """The receipt that reversed this one, if any."""
    return session.scalar(select(GoodsReceipt).where(GoodsReceipt.reverses_id == receipt_id))
