"""Resident memory of `ewarung serve` with 20,000 products, after a working session.

The server is started on a generated catalogue, then used the way a shop uses it for a
while (till page loads, product searches, stock list, the OpenAPI document); the figure is
the process's resident set (VmRSS) afterwards.

    .venv/bin/python -m bench.memory [sqlite] [postgresql]
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

import requests

from bench.common import Figure, table
from bench.gen.catalogue import generate_products, generate_stock
from bench.gen.databases import fresh_database
from bench.server import serve

N_PRODUCTS = 20_000
TARGET_MB = 150.0


def rss_mb(pid: int) -> float:
    """The resident set of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _prepare(url: str) -> None:
    from ewarung.auth.services import create_user, use_hash_profile
    from ewarung.db import Database

    use_hash_profile("cheap")
    db = Database(url)
    with db.unit_of_work() as s:
        ids = generate_products(s, N_PRODUCTS, seed=5)
        generate_stock(s, ids, seed=5)
        create_user(s, "ketua", "manager", password="ketua-bench-1", pin="2468")
    db.dispose()


def _measure(kind: str) -> list[Figure]:
    with fresh_database(kind) as url, tempfile.TemporaryDirectory() as tmp:
        _prepare(url)
        with serve(url, Path(tmp)) as served:
            http = requests.Session()
            login = http.post(served.url + "/api/v1/auth/login",
                              json={"username": "ketua", "password": "ketua-bench-1"})
            login.raise_for_status()
            rng = random.Random(5)
            for _ in range(20):
                http.get(served.url + "/till/").raise_for_status()
            for _ in range(300):
                q = rng.choice(["beras", "telur", "minyak", "tah", "ikan", "sayur", "gula"])
                http.get(served.url + "/api/v1/products", params={"q": q, "limit": 48})
            http.get(served.url + "/api/v1/stock").raise_for_status()
            http.get(served.url + "/api/v1/openapi.json").raise_for_status()
            rss = rss_mb(served.pid)
    return [Figure("server resident memory", rss, "MB", TARGET_MB, False, kind,
                   f"{N_PRODUCTS} products, after till loads, searches and the stock list")]


def run(databases: list[str]) -> list[Figure]:
    """Resident memory on each database."""
    figures: list[Figure] = []
    for kind in databases:
        figures += _measure(kind)
    return figures


if __name__ == "__main__":
    print(table(run(sys.argv[1:] or ["sqlite"])))
