"""Product search at 20,000 products: p50/p99 server side, on SQLite and PostgreSQL.

Each database gets a generated catalogue (bench/gen/catalogue.py) with stock. Queries mix
what a till sends: name prefixes while typing, words from the middle of names, two words,
scanned barcodes, SKUs, and misses. "api" times the whole request inside the server (the
app's WSGI call: auth, search, JSON); "service" times `search_products` alone.

    .venv/bin/python -m bench.search [sqlite] [postgresql]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure, percentile, table
from bench.gen.catalogue import ITEMS, generate_products, generate_stock
from bench.gen.databases import fresh_database

N_PRODUCTS = 20_000
N_QUERIES = 600
TARGET_P99_MS = 10.0


def _queries(rng: random.Random, barcodes: list[str], skus: list[str]) -> list[str]:
    words = [w for items in ITEMS.values() for item in items for w in item.split()]
    out = []
    for _ in range(N_QUERIES):
        roll = rng.random()
        word = rng.choice(words)
        if roll < 0.35:
            out.append(word[:rng.randint(2, len(word))].lower())      # typing a name
        elif roll < 0.5:
            out.append(word[1:5].upper())                              # inside a word
        elif roll < 0.65:
            out.append(f"{rng.choice(words)} {word[:3]}")              # two words
        elif roll < 0.85:
            out.append(rng.choice(barcodes))                           # a scan
        elif roll < 0.95:
            out.append(rng.choice(skus))
        else:
            out.append(f"zzq{rng.randint(0, 999)}")                    # nothing found
    return out


def _measure(kind: str) -> list[Figure]:
    from sqlalchemy import select

    from ewarung.app import create_app
    from ewarung.auth.services import create_token, create_user
    from inventory.models import Barcode, Product
    from inventory.search import search_products

    with fresh_database(kind) as url, tempfile.TemporaryDirectory() as tmp:
        app = create_app({"data_dir": Path(tmp), "database_url": url, "testing": True,
                          "hash_profile": "cheap"})
        db = app.extensions["ewarung.db"]
        started = time.perf_counter()
        with db.unit_of_work() as s:
            ids = generate_products(s, N_PRODUCTS, seed=7)
            generate_stock(s, ids, seed=7)
            token = create_token(s, create_user(s, "bench", "cashier", pin="1234"))
        with db.unit_of_work(write=False) as s:
            barcodes = list(s.scalars(select(Barcode.code)))
            skus = list(s.scalars(select(Product.sku)))
        if kind == "postgresql":
            with db.engine.begin() as conn:  # committed, or the statistics are rolled back
                conn.exec_driver_sql("ANALYZE")
        setup_s = time.perf_counter() - started
        queries = _queries(random.Random(11), barcodes, skus)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        for q in queries[:50]:  # warm caches and connections
            client.get("/api/v1/products", query_string={"q": q, "limit": 20}, headers=headers)
        api, service = [], []
        for q in queries:
            t0 = time.perf_counter()
            resp = client.get("/api/v1/products", query_string={"q": q, "limit": 20},
                              headers=headers)
            api.append((time.perf_counter() - t0) * 1000)
            assert resp.status_code == 200, resp.get_json()
        for q in queries:
            with db.unit_of_work(write=False) as s:
                t0 = time.perf_counter()
                search_products(s, q, 20)
                service.append((time.perf_counter() - t0) * 1000)
        db.dispose()
    note = f"{N_PRODUCTS} products, {len(queries)} queries, setup {setup_s:.0f} s"
    return [
        Figure("product search p50 (api)", percentile(api, 50), "ms", None, False, kind, note),
        Figure("product search p99 (api)", percentile(api, 99), "ms", TARGET_P99_MS, False,
               kind, note),
        Figure("product search p50 (service)", percentile(service, 50), "ms", None, False,
               kind),
        Figure("product search p99 (service)", percentile(service, 99), "ms", TARGET_P99_MS,
               False, kind),
    ]


def run(databases: list[str]) -> list[Figure]:
    """Search latency on each database."""
    figures: list[Figure] = []
    for kind in databases:
        figures += _measure(kind)
    return figures


if __name__ == "__main__":
    print(table(run(sys.argv[1:] or ["sqlite", "postgresql"])))
