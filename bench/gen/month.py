"""A month of shop life in bulk, for the report benchmark: `generate_month(session, first)`.

Products with a batch received the month before, deliveries in the month from suppliers of
every kind, KPM with the month's credit, and `sales` sales of `lines` lines each (cash, BPNT,
mixed, a few voided), each line with its stock movement and each BPNT tender with its
redemption, written with Core multi-row inserts. Batches end equal to their movements, so
the report's stock identity holds.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text

from aid.models import EntitlementEntry
from bench.gen.beneficiaries import generate_beneficiaries
from bench.gen.catalogue import generate_products
from bench.gen.databases import bump_sequence, insert_rows
from ewarung.auth.models import User
from ewarung.money import line_amount
from inventory.models import (
    SUPPLIER_KINDS,
    GoodsReceipt,
    GoodsReceiptLine,
    Product,
    StockBatch,
    StockMove,
    Supplier,
)
from pos.models import Sale, SaleLine, Shift, Tender

CHUNK = 2_000
WIB = timedelta(hours=7)


def _put(session: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        insert_rows(session, model, rows[start:start + CHUNK])


def _moment(day: date, seconds: int) -> datetime:
    """A WIB moment `seconds` after 07:00 on `day`, as aware UTC."""
    return datetime.combine(day, time(7), UTC) - WIB + timedelta(seconds=seconds)


def _stock(session: Any, rng: random.Random, first: date, products: list[Any]) -> dict[int, Any]:
    """One big batch per product from a receipt the month before, and deliveries in it."""
    suppliers = [{"id": i + 1, "name": f"Pemasok {kind} {i}", "kind": kind,
                  "created_at": datetime.now(UTC)}
                 for i, kind in enumerate(SUPPLIER_KINDS * 2)]
    _put(session, Supplier, suppliers)
    batches: dict[int, Any] = {}
    receipts, lines, batch_rows, moves = [], [], [], []
    for n, (when, share) in enumerate(((first - timedelta(days=5), 1.0),
                                       (first + timedelta(days=12), 0.2))):
        chosen = [p for p in products if rng.random() < share]
        for s in suppliers:
            receipts.append({"id": len(receipts) + 1, "supplier_id": s["id"], "received_on": when,
                             "total": 0, "created_at": _moment(when, 0)})
        for p in chosen:
            receipt = receipts[-len(suppliers) + rng.randrange(len(suppliers))]
            bid, qty, cost = len(batch_rows) + 1, Decimal(100_000), p.price * 8 // 10
            value = line_amount(cost, qty)
            receipt["total"] += value
            batch_rows.append({"id": bid, "product_id": p.id, "receipt_id": receipt["id"],
                               "supplier_id": receipt["supplier_id"], "label": "",
                               "unit_cost": cost, "quantity_left": qty, "value_left": value,
                               "overdraft": False, "received_at": _moment(when, 0)})
            lines.append({"receipt_id": receipt["id"], "product_id": p.id, "quantity": qty,
                          "unit_cost": cost, "value": value, "batch_id": bid,
                          "batch_label": ""})
            moves.append({"product_id": p.id, "batch_id": bid, "kind": "receipt",
                          "quantity": qty, "value": value, "unit_cost": cost,
                          "ref_type": "goods_receipt", "ref_id": receipt["id"],
                          "at": _moment(when, 0)})
            if n == 0:
                batches[p.id] = batch_rows[-1]
    _put(session, GoodsReceipt, receipts)
    _put(session, StockBatch, batch_rows)
    _put(session, GoodsReceiptLine, lines)
    _put(session, StockMove, moves)
    for table in ("suppliers", "goods_receipts", "stock_batches"):
        bump_sequence(session, table)
    return batches


def generate_month(session: Any, first: date, *, sales: int = 10_000, lines: int = 4,
                   products: int = 600, kpm: int = 4_000, seed: int = 1) -> dict[str, int]:
    """Fill an empty database with a month of `sales` sales; returns what was written."""
    rng = random.Random(seed)
    month = f"{first:%Y-%m}"
    ids = generate_products(session, products, seed=seed)
    catalogue = list(session.scalars(select(Product).where(Product.id.in_(ids))))
    batches = _stock(session, rng, first, catalogue)
    kpm_ids = generate_beneficiaries(session, kpm, seed, "bench", period=month).ids
    insert_rows(session, User, [{"id": 1, "username": "bench", "role": "cashier",
                                    "full_name": "Bench", "active": True}])
    bump_sequence(session, "users")
    days = 28
    rows: dict[str, list[dict[str, Any]]] = {"sales": [], "lines": [], "tenders": [],
                                             "moves": [], "entries": []}
    # KPM buy staples: the cheaper eligible goods, so most BPNT tenders pay the whole basket
    staples = [p for p in catalogue if p.commodity_group != "none" and p.price <= 25_000]
    for i in range(sales):
        kpm = rng.choice(kpm_ids) if rng.random() < 0.45 else None
        picked = rng.sample(staples if kpm and rng.random() < 0.8 else catalogue, lines)
        _sale(rows, rng, i + 1, first + timedelta(days=i * days // sales), i % 600,
              picked, batches, kpm, month)
    # every sale belongs to its cashier's shift of the day, counted as its sales left it
    cash = {}
    for t in rows["tenders"]:
        if t["kind"] == "cash":
            cash[t["sale_id"]] = cash.get(t["sale_id"], 0) + t["amount"]
    shifts: dict[date, dict[str, Any]] = {}
    for sale in rows["sales"]:
        day = sale["business_day"]
        if day not in shifts:
            shifts[day] = {"id": len(shifts) + 1, "cashier_id": 1, "opening_float": 0,
                           "opened_at": _moment(day, 0), "closed_at": _moment(day, 36_100),
                           "closed_by": 1, "counted_cash": 0, "expected_cash": 0, "note": ""}
        shift = shifts[day]
        sale["shift_id"] = shift["id"]
        shift["counted_cash"] += cash.get(sale["id"], 0)
        shift["expected_cash"] = shift["counted_cash"]
    _put(session, Shift, list(shifts.values()))
    bump_sequence(session, "shifts")
    _put(session, Sale, rows["sales"])
    _put(session, SaleLine, rows["lines"])
    _put(session, Tender, rows["tenders"])
    _put(session, StockMove, rows["moves"])
    _put(session, EntitlementEntry, rows["entries"])
    for table in ("sales", "sale_lines"):
        bump_sequence(session, table)
    # batches end equal to their movements (what inventory.stock keeps true)
    session.execute(text(
        "UPDATE stock_batches SET quantity_left = (SELECT sum(quantity) FROM stock_moves m "
        "WHERE m.batch_id = stock_batches.id), value_left = (SELECT sum(value) FROM "
        "stock_moves m WHERE m.batch_id = stock_batches.id)"))
    return {k: len(v) for k, v in rows.items()}


def _sale(rows: dict[str, list[dict[str, Any]]], rng: random.Random, sale_id: int, day: date,
          seconds: int, picked: list[Any], batches: dict[int, Any], kpm: int | None,
          month: str) -> None:
    at = _moment(day, seconds * 60 + sale_id % 60)
    total = eligible = 0
    for p in picked:
        line_id = len(rows["lines"]) + 1
        qty = Decimal(rng.choice((1, 1, 2)))
        batch = batches[p.id]
        amount, cost = line_amount(p.price, qty), line_amount(batch["unit_cost"], qty)
        total += amount
        eligible += amount if p.commodity_group != "none" else 0
        rows["lines"].append({
            "id": line_id, "sale_id": sale_id, "product_id": p.id, "name": p.name,
            "unit": p.unit, "commodity_group": p.commodity_group, "quantity": qty,
            "unit_price": p.price, "catalogue_price": p.price,
            "reference_price": p.reference_price, "amount": amount, "cost": cost,
            "returned_quantity": Decimal(0)})
        rows["moves"].append({"product_id": p.id, "batch_id": batch["id"], "kind": "sale",
                              "quantity": -qty, "value": -cost, "unit_cost": batch["unit_cost"],
                              "ref_type": "sale_line", "ref_id": line_id, "at": at})
    bpnt = min(eligible, 200_000) if kpm is not None else 0
    rows["sales"].append({
        "id": sale_id, "number": f"EW-{day:%Y%m%d}-{sale_id:05d}", "business_day": day,
        "client_ref": f"bench-{sale_id}", "request_hash": "0" * 64, "cashier_id": 1,
        "created_at": at, "total": total, "status": "completed",
        "beneficiary_id": kpm if bpnt else None, "above_reference": False})
    if bpnt:
        rows["entries"].append({"beneficiary_id": kpm, "kind": "redemption", "period": month,
                                "amount": -bpnt, "created_at": at, "sale_id": sale_id,
                                "edc_ref": f"{sale_id:06d}"})
        rows["tenders"].append({"sale_id": sale_id, "kind": "bpnt", "amount": bpnt,
                                "given": None, "beneficiary_id": kpm,
                                "edc_ref": f"{sale_id:06d}"})
    if total > bpnt:
        rows["tenders"].append({"sale_id": sale_id, "kind": "cash", "amount": total - bpnt,
                                "given": total - bpnt, "beneficiary_id": None,
                                "edc_ref": None})
