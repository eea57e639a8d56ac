"""Suppliers and the goods receipts generated stock arrives on: `Deliveries(conn, seed)`.

Given to the stock and sales generators, it gives the shop suppliers of every kind and makes
each generated batch a line of a goods receipt: one receipt per supplier and delivery day,
the batch and its receipt movement pointing at it, as a delivery recorded at the shop is.
Receipts and movements are append-only, so they are planned before they are written. Who
supplies a
product depends on its commodity group, the way an e-Warong buys: vegetables, fruit and eggs
from local producers and KUBE members, rice from Bulog and third parties, the rest mostly
from third parties.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from bench.gen.databases import bump_sequence, insert_rows
from inventory.models import (
    SUPPLIER_KINDS,
    GoodsReceipt,
    GoodsReceiptLine,
    Product,
    Supplier,
)

CHUNK = 5_000
WIB = timedelta(hours=7)
NAMES = {
    "third_party": ["CV Sumber Pangan", "PT Agro Distribusi", "UD Makmur Sentosa",
                    "CV Mitra Sembako"],
    "local_producer": ["Kelompok Tani Sidomulyo", "Peternak Telur Bu Sri", "Nelayan Karangrejo",
                       "Pengrajin Tempe Pak Darto"],
    "kube_member": ["KUBE Mawar", "KUBE Melati", "KUBE Anggrek"],
    "bulog": ["Perum Bulog Cabang"],
    "other": ["Pasar Desa", "Toko Grosir Pak Haji"],
}
#: supplier kinds a commodity group is bought from, with their weights
SOURCES = {
    "carbohydrate": {"bulog": 4, "third_party": 4, "local_producer": 2},
    "animal_protein": {"local_producer": 5, "kube_member": 2, "third_party": 3},
    "plant_protein": {"local_producer": 4, "kube_member": 3, "third_party": 3},
    "vitamins_minerals": {"local_producer": 5, "kube_member": 3, "other": 2},
    "none": {"third_party": 8, "other": 2},
}
assert set(NAMES) == set(SUPPLIER_KINDS)


@dataclass(frozen=True)
class Received:
    """One batch as it came in: what a goods receipt line says of it."""

    batch_id: int
    product_id: int
    at: datetime
    quantity: Decimal
    unit_cost: int
    value: int
    expires_on: date | None = None
    label: str = ""


@dataclass
class Delivery:
    """Goods receipts planned for some batches: write the receipts before the batches refer
    to them, and the lines after the batches exist."""

    receipts: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    #: batch id → (receipt id, supplier id)
    of_batch: dict[int, tuple[int, int]]

    def write_receipts(self, conn: Any) -> None:
        if self.receipts:
            insert_rows(conn, GoodsReceipt, self.receipts)
            bump_sequence(conn, "goods_receipts")

    def write_lines(self, conn: Any) -> None:
        for start in range(0, len(self.lines), CHUNK):
            insert_rows(conn, GoodsReceiptLine, self.lines[start:start + CHUNK])


class Deliveries:
    """The shop's suppliers, and the goods receipts generated stock arrives on."""

    def __init__(self, conn: Any, seed: int) -> None:
        self.rng = random.Random(seed)
        self.by_kind = _suppliers(conn, self.rng)
        self.supplier_of: dict[int, int] = {}  # product id → its supplier
        self.receipts = self.lines = 0

    def plan(self, conn: Any, items: list[Received]) -> Delivery:
        """One receipt per supplier and local day for `items` (ids continue the table's)."""
        wanted = sorted({i.product_id for i in items} - set(self.supplier_of))
        groups = dict(conn.execute(select(Product.id, Product.commodity_group)
                                   .where(Product.id.in_(wanted))).all()) if wanted else {}
        for pid in wanted:
            weights = SOURCES[groups[pid]]
            kind = self.rng.choices(list(weights), list(weights.values()))[0]
            self.supplier_of[pid] = self.rng.choice(self.by_kind[kind])
        next_id = int(conn.execute(select(func.coalesce(func.max(GoodsReceipt.id), 0)))
                      .scalar() or 0) + 1
        receipts: dict[tuple[int, date], dict[str, Any]] = {}
        out = Delivery([], [], {})
        for item in items:
            supplier = self.supplier_of[item.product_id]
            day = (item.at.astimezone(UTC) + WIB).date()
            receipt = receipts.get((supplier, day))
            if receipt is None:
                receipt = receipts[supplier, day] = {
                    "id": next_id, "supplier_id": supplier, "received_on": day,
                    "reference": f"SJ-{day:%y%m%d}-{next_id:05d}", "note": "", "total": 0,
                    "created_at": item.at}
                next_id += 1
            receipt["total"] += item.value
            out.lines.append({"receipt_id": receipt["id"], "product_id": item.product_id,
                              "quantity": item.quantity, "unit_cost": item.unit_cost,
                              "value": item.value, "expires_on": item.expires_on,
                              "batch_label": item.label, "batch_id": item.batch_id})
            out.of_batch[item.batch_id] = (receipt["id"], supplier)
        out.receipts = list(receipts.values())
        self.receipts += len(out.receipts)
        self.lines += len(out.lines)
        return out

    @property
    def generated(self) -> GeneratedReceipts:
        return GeneratedReceipts(sum(map(len, self.by_kind.values())), self.receipts,
                                 self.lines)


@dataclass(frozen=True)
class GeneratedReceipts:
    """What was written: suppliers, receipts and receipt lines."""

    suppliers: int
    receipts: int
    lines: int


def _suppliers(conn: Any, rng: random.Random) -> dict[str, list[int]]:
    """Every supplier of `NAMES`, phone numbers and lead times drawn from `rng`; ids by kind."""
    first = int(conn.execute(select(func.coalesce(func.max(Supplier.id), 0))).scalar() or 0) + 1
    now = datetime.now(UTC)
    rows, by_kind = [], defaultdict(list)
    for kind in SUPPLIER_KINDS:
        for name in NAMES[kind]:
            sid = first + len(rows)
            rows.append({"id": sid, "name": name, "kind": kind, "contact_person": "",
                         "phone": f"08{rng.randrange(10**9, 10**10)}", "address": "",
                         "note": "", "lead_time_days": rng.randint(1, 7), "active": True,
                         "created_at": now})
            by_kind[kind].append(sid)
    insert_rows(conn, Supplier, rows)
    bump_sequence(conn, "suppliers")
    return by_kind
