"""The checkout's stock step: FEFO issue of a 3-line sale, on SQLite and PostgreSQL.

A catalogue of 2,000 products with several batches each (bench/gen/catalogue.py); each
sale takes three products in id order, the way the selling domain calls
`inventory.stock.issue` inside its own transaction. "issue" times the three calls;
"sale transaction" adds begin and commit (SQLite's writer lock, WAL, synchronous=FULL).

    .venv/bin/python -m bench.stock_issue [sqlite] [postgresql]
"""

from __future__ import annotations

import random
import sys
import time

from bench.common import Figure, percentile, table
from bench.gen.catalogue import generate_products, generate_stock
from bench.gen.databases import fresh_database

N_PRODUCTS = 2_000
N_SALES = 600
TARGET_MS = 2.0


def _measure(kind: str) -> list[Figure]:
    from ewarung.db import Database
    from inventory import stock

    with fresh_database(kind) as url:
        db = Database(url)
        with db.unit_of_work() as s:
            ids = generate_products(s, N_PRODUCTS, seed=3)
            for round_ in range(4):  # history: several batches per product
                generate_stock(s, ids, seed=round_, batches=2)
        if kind == "postgresql":
            with db.engine.begin() as conn:  # committed, or the statistics are rolled back
                conn.exec_driver_sql("ANALYZE")
        rng = random.Random(5)
        issue_ms, many_ms, sale_ms = [], [], []
        for n in range(2 * (N_SALES + 50)):
            lines = [(pid, rng.choice(("1", "2", "0.5"))) for pid in sorted(rng.sample(ids, 3))]
            one_by_one = n % 2 == 0
            t0 = time.perf_counter()
            with db.unit_of_work() as s:
                t1 = time.perf_counter()
                try:
                    if one_by_one:
                        for pid, qty in lines:
                            stock.issue(s, pid, qty, ref_type="sale", ref_id=n)
                    else:
                        stock.issue_many(s, lines, ref_type="sale", ref_id=n)
                except stock.InsufficientStock:
                    pass
                t2 = time.perf_counter()
            t3 = time.perf_counter()
            if n >= 100:  # after warming up
                (issue_ms if one_by_one else many_ms).append((t2 - t1) * 1000)
                if one_by_one:
                    sale_ms.append((t3 - t0) * 1000)
        db.dispose()
    note = f"{N_PRODUCTS} products, {N_SALES} sales of 3 lines"
    return [
        Figure("stock issue, 3 lines p50", percentile(issue_ms, 50), "ms", None, False, kind,
               note),
        Figure("stock issue, 3 lines p99", percentile(issue_ms, 99), "ms", TARGET_MS, False,
               kind),
        Figure("stock issue_many, 3 lines p50", percentile(many_ms, 50), "ms", None, False,
               kind, "one statement of each kind per sale"),
        Figure("stock issue_many, 3 lines p99", percentile(many_ms, 99), "ms", TARGET_MS, False,
               kind),
        Figure("sale transaction with issue p50", percentile(sale_ms, 50), "ms", None, False,
               kind, "begin + 3 × issue + commit"),
        Figure("sale transaction with issue p99", percentile(sale_ms, 99), "ms", None, False,
               kind),
    ]


def run(databases: list[str]) -> list[Figure]:
    """Stock issue latency on each database."""
    figures: list[Figure] = []
    for kind in databases:
        figures += _measure(kind)
    return figures


if __name__ == "__main__":
    print(table(run(sys.argv[1:] or ["sqlite", "postgresql"])))
