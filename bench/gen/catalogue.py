"""A big, realistic catalogue: `generate_products(conn_or_session, n, seed)`.

Names read like an Indonesian grocery's (brand, item, variant, size, some with accents),
each product has a unique SKU and an EAN-13 barcode with a valid check digit (a few have
two), and `generate_stock` gives products batches on hand through real stock movements.
Rows go in with Core multi-row inserts, so 20,000 products take a few seconds.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bench.gen.databases import bump_sequence, insert_rows
from bench.gen.receipts import WIB, Deliveries, Received
from inventory.models import COMMODITY_GROUPS, Barcode, Product, StockBatch, StockMove
from inventory.search import normalise

CHUNK = 1000
ITEMS = {
    "carbohydrate": ["Beras Premium", "Beras Medium", "Beras Merah", "Jagung Pipilan",
                     "Kentang", "Singkong", "Sagu", "Ubi Jalar", "Beras Ketan"],
    "animal_protein": ["Telur Ayam", "Telur Bebek", "Daging Ayam", "Daging Sapi", "Ikan Bandeng",
                       "Ikan Tongkol", "Ikan Lele", "Ikan Kembung", "Udang", "Ikan Nila"],
    "plant_protein": ["Tempe", "Tahu Putih", "Tahu Kuning", "Kacang Hijau", "Kacang Tanah",
                      "Kacang Merah", "Kedelai", "Oncom"],
    "vitamins_minerals": ["Bayam", "Kangkung", "Wortel", "Kubis", "Tomat", "Sawi Hijau",
                          "Buncis", "Pisang Ambon", "Jeruk Lokal", "Pepaya", "Apel Malang"],
    "none": ["Minyak Goreng", "Gula Pasir", "Tepung Terigu", "Mi Instan", "Sabun Mandi",
             "Sabun Cuci Piring", "Kecap Manis", "Garam", "Teh Celup", "Kopi Bubuk",
             "Susu Kental Manis", "Sarden Kaleng", "Biskuit", "Deterjen Bubuk", "Sampo"],
}
BRANDS = ["Sinar", "Cap Jago", "Sumber Rejeki", "Mitra Tani", "Bintang", "Rumah Pangan",
          "Nusantara", "Sehat Jaya", "Ibu Sri", "Karya Desa", "Café Nusa", "Délima",
          "Tiga Roda", "Maju Makmur", "Pelangi"]
VARIANTS = ["", "", "Super", "Pilihan", "Organik", "Curah", "Kemasan", "Lokal", "Asli",
            "Segar", "Spesial", "Hemat"]
SIZES = [("kg", "1 kg"), ("pack", "5 kg"), ("pack", "10 kg"), ("pcs", "250 g"),
         ("pcs", "500 g"), ("botol", "1 L"), ("pack", "2 L"), ("pcs", "isi 10"),
         ("ikat", ""), ("kg", "")]


def ean13(body12: str) -> str:
    """An EAN-13 code: 12 digits and their check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def _names(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """n distinct (name, unit, commodity group)."""
    seen: set[str] = set()
    out: list[tuple[str, str, str]] = []
    while len(out) < n:
        group = rng.choice(COMMODITY_GROUPS)
        unit, size = rng.choice(SIZES)
        parts = [rng.choice(BRANDS), rng.choice(ITEMS[group]), rng.choice(VARIANTS), size]
        name = " ".join(p for p in parts if p)
        if name in seen:
            name = f"{name} #{len(out)}"
        seen.add(name)
        out.append((name, unit, group))
    return out


def generate_products(conn_or_session: Any, n: int, seed: int = 1) -> list[int]:
    """Insert `n` products with barcodes; returns their ids (in insertion order)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    start = conn_or_session.execute(select(Product.id).order_by(Product.id.desc())
                                    .limit(1)).scalar() or 0
    rows, codes = [], []
    for i, (name, unit, group) in enumerate(_names(rng, n), start=start + 1):
        price = rng.randrange(1000, 250000, 500)
        rows.append({"id": i, "sku": f"G{seed:02d}-{i:06d}", "name": name,
                     "search_key": normalise(name), "unit": unit, "price": price,
                     "commodity_group": group,
                     "reference_price": price + 1000 * rng.randint(0, 5),
                     "reorder_point": Decimal(rng.randint(0, 20)),
                     "tracks_expiry": group in ("animal_protein", "vitamins_minerals"),
                     "active": rng.random() > 0.03, "allow_negative": False,
                     "created_at": now, "updated_at": now})
        for _ in range(2 if rng.random() < 0.1 else 1):
            codes.append({"product_id": i, "code": ean13(f"899{seed:02d}{len(codes):07d}")})
    for chunk in range(0, len(rows), CHUNK):
        insert_rows(conn_or_session, Product, rows[chunk:chunk + CHUNK])
    for chunk in range(0, len(codes), CHUNK):
        insert_rows(conn_or_session, Barcode, codes[chunk:chunk + CHUNK])
    bump_sequence(conn_or_session, "products")
    return [row["id"] for row in rows]


def generate_stock(conn_or_session: Any, product_ids: Sequence[int], seed: int = 1,
                   batches: int = 2, deliveries: Deliveries | None = None) -> None:
    """Give each product up to `batches` batches on hand, each with its receipt movement (on a
    goods receipt from one of `deliveries`' suppliers when given)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    start = conn_or_session.execute(select(StockBatch.id).order_by(StockBatch.id.desc())
                                    .limit(1)).scalar() or 0
    batch_rows, move_rows = [], []
    for pid in product_ids:
        for _ in range(rng.randint(0, batches)):
            bid = start + len(batch_rows) + 1
            qty, cost = Decimal(rng.randint(1, 200)), rng.randrange(500, 200000, 50)
            expires = (now + WIB).date() + timedelta(days=rng.randint(1, 90)) \
                if rng.random() < 0.5 else None
            batch_rows.append({"id": bid, "product_id": pid, "expires_on": expires, "label": "",
                               "unit_cost": cost, "quantity_left": qty,
                               "value_left": int(qty) * cost, "overdraft": False,
                               "received_at": now})
            move_rows.append({"product_id": pid, "batch_id": bid, "kind": "receipt",
                              "quantity": qty, "value": int(qty) * cost, "unit_cost": cost,
                              "ref_type": "bench", "ref_id": bid, "at": now})
    delivery = None
    if deliveries is not None:
        delivery = deliveries.plan(conn_or_session, [
            Received(b["id"], b["product_id"], now, b["quantity_left"], b["unit_cost"],
                     b["value_left"], b["expires_on"]) for b in batch_rows])
        delivery.write_receipts(conn_or_session)
        for b, m in zip(batch_rows, move_rows, strict=True):
            b["receipt_id"], b["supplier_id"] = delivery.of_batch[b["id"]]
            m["ref_type"], m["ref_id"] = "goods_receipt", b["receipt_id"]
    for chunk in range(0, len(batch_rows), CHUNK):
        insert_rows(conn_or_session, StockBatch, batch_rows[chunk:chunk + CHUNK])
    if delivery is not None:
        delivery.write_lines(conn_or_session)
    for chunk in range(0, len(move_rows), CHUNK):
        insert_rows(conn_or_session, StockMove, move_rows[chunk:chunk + CHUNK])
    bump_sequence(conn_or_session, "stock_batches")


#: the columns of a catalogue file, as the product import reads them
FILE_HEADER = ("sku", "nama", "satuan", "harga", "kelompok", "barcode")


def product_file_rows(n: int, seed: int = 1) -> list[list[str]]:
    """A catalogue file of `n` products under its header, as a shop's spreadsheet holds it."""
    rng = random.Random(seed)
    rows = [list(FILE_HEADER)]
    for i, (name, unit, group) in enumerate(_names(rng, n), start=1):
        rows.append([f"F{seed:02d}-{i:06d}", name, unit, str(rng.randrange(1000, 250000, 500)),
                     group, ean13(f"898{seed:02d}{i:07d}")])
    return rows
