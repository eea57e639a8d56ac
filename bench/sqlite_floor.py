"""The floor of a sale on SQLite: the same reads and rows as `POST /sales`, by bare sqlite3.

One transaction per sale (BEGIN IMMEDIATE, WAL, synchronous=FULL as the app runs), one
thread, no ORM, no HTTP: read the products and the card, take the day's number, insert the
sale, read the batches and plan FEFO, insert the lines, update the batches, insert the stock
movements, sum the card's ledger and insert the debit, insert the tenders. Run on a copy of
the benchmark's database, so the indexes are as big as the real run's.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aid.cards import card_hash, derive_card_key
from bench.common import Figure, median, percentile
from ewarung.db import SQLITE_SYNCHRONOUS


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sale(db: sqlite3.Connection, body: dict[str, Any], key: bytes, n: int) -> None:
    cur = db.cursor()
    cur.execute("BEGIN IMMEDIATE")
    ids = [line["product_id"] for line in body["lines"]]
    marks = ",".join("?" * len(ids))
    products = {r[0]: r for r in cur.execute(
        f"SELECT id, name, unit, price, commodity_group, reference_price FROM products "
        f"WHERE id IN ({marks})", ids)}
    bpnt = next((t for t in body["tenders"] if t["kind"] == "bpnt"), None)
    card = None
    if bpnt:
        card = cur.execute("SELECT k.id, k.beneficiary_id, k.masked FROM kks_cards k JOIN "
                           "beneficiaries b ON b.id = k.beneficiary_id WHERE k.card_hash = ?",
                           (card_hash(key, bpnt["card"]),)).fetchone()
    now = _now()
    day = (datetime.now(UTC) + timedelta(hours=7)).date().isoformat()
    seq = cur.execute("INSERT INTO sale_counters (business_day, last) VALUES (?, 1) "
                      "ON CONFLICT (business_day) DO UPDATE SET last = last + 1 "
                      "RETURNING last", (day,)).fetchone()[0]
    total = sum(products[i][3] for i in ids)
    sale_id = cur.execute(
        "INSERT INTO sales (number, business_day, client_ref, request_hash, cashier_id, "
        "created_at, total, status, beneficiary_id, above_reference) VALUES "
        "(?, ?, ?, ?, 1, ?, ?, 'completed', ?, 0) ON CONFLICT (client_ref) DO NOTHING "
        "RETURNING id", (f"FL-{day}-{seq:05d}", day, f"floor-{n}-{body['client_ref']}",
                         "0" * 64, now, total, card[1] if card else None)).fetchone()[0]
    batches = cur.execute(
        f"SELECT id, product_id, quantity_left, value_left, unit_cost, expires_on "
        f"FROM stock_batches WHERE product_id IN ({marks}) AND quantity_left > 0 ORDER BY id",
        ids).fetchall()
    line_rows, updates, moves = [], [], []
    for pid in ids:
        p = products[pid]
        live = sorted((b for b in batches if b[1] == pid),
                      key=lambda b: (b[5] is None, b[5] or "", b[0]))
        b = live[0]
        value = b[3] if b[2] == 1000 else round(b[3] * 1000 / b[2])
        line_rows.append((sale_id, pid, p[1], p[2], p[4], 1000, p[3], p[3], p[5], p[3], value))
        updates.append((b[2] - 1000, b[3] - value, b[0]))
        moves.append((pid, b[0], -1000, -value, b[4], now))
    line_ids = [r[0] for r in cur.execute(
        "INSERT INTO sale_lines (sale_id, product_id, name, unit, commodity_group, quantity, "
        "unit_price, catalogue_price, reference_price, amount, cost, returned_quantity) VALUES "
        + ",".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"] * len(line_rows))
        + " RETURNING id", [v for row in line_rows for v in row]).fetchall()]
    cur.executemany("UPDATE stock_batches SET quantity_left = ?, value_left = ? WHERE id = ?",
                    updates)
    cur.executemany("INSERT INTO stock_moves (product_id, batch_id, kind, quantity, value, "
                    "unit_cost, ref_type, ref_id, user_id, at) VALUES "
                    "(?, ?, 'sale', ?, ?, ?, 'sale_line', ?, 1, ?)",
                    [(m[0], m[1], m[2], m[3], m[4], lid, m[5])
                     for m, lid in zip(moves, line_ids, strict=True)])
    tenders = []
    if card is not None and bpnt is not None:
        sums = cur.execute("SELECT kind, period, SUM(amount) FROM entitlement_entries "
                           "WHERE beneficiary_id = ? GROUP BY kind, period", (card[1],)).fetchall()
        assert sums
        entry = cur.execute(
            "INSERT INTO entitlement_entries (beneficiary_id, kind, period, amount, created_at, "
            "actor_id, sale_id, card_id, masked_card, edc_ref) VALUES "
            "(?, 'redemption', ?, ?, ?, 1, ?, ?, ?, ?) RETURNING id",
            (card[1], day[:7], -bpnt["amount"], now, sale_id, card[0], card[2],
             bpnt["edc_ref"])).fetchone()[0]
        tenders.append((sale_id, "bpnt", bpnt["amount"], None, card[1], card[2],
                        bpnt["edc_ref"], entry))
    paid = sum(t[2] for t in tenders)
    if total > paid:
        tenders.append((sale_id, "cash", total - paid, total - paid, None, None, None, None))
    cur.executemany("INSERT INTO tenders (sale_id, kind, amount, given, beneficiary_id, "
                    "masked_card, edc_ref, entitlement_entry_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    tenders)
    cur.execute("COMMIT")


def floor_figures(url: str, work: list[dict[str, Any]], secret: str) -> list[Figure]:
    """Sales per second and ms per sale written by bare sqlite3 on a copy of `url`'s file."""
    key = derive_card_key(secret)
    with tempfile.TemporaryDirectory(prefix="ewarung-floor-") as tmp:
        path = Path(tmp) / "floor.sqlite3"
        shutil.copy(url.removeprefix("sqlite:///"), path)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
        db.execute("PRAGMA foreign_keys=ON")
        times = []
        t0 = time.perf_counter()
        for n, body in enumerate(work):
            s0 = time.perf_counter()
            _sale(db, body, key, n)
            times.append((time.perf_counter() - s0) * 1000)
        seconds = time.perf_counter() - t0
        db.close()
    note = f"{len(work)} sales, one thread, one transaction each"
    return [Figure("floor: bare sqlite3", len(work) / seconds, "sales/s", None, True, "sqlite",
                   note),
            Figure("floor: ms per sale p50", median(times), "ms", None, False, "sqlite"),
            Figure("floor: ms per sale p99", percentile(times, 99), "ms", None, False,
                   "sqlite")]
