"""Checkout over real HTTP: `POST /api/v1/sales` against `ewarung serve` on a big shop.

Builds the generated shop (bench/gen/shop.py): 20,000 products with stock, 50,000 KPM with
cards and this month's credit, 500,000 past sales over a year, their suppliers and goods
receipts; starts `ewarung serve` (waitress) on it in a subprocess; then 8 client
threads, each on its own keep-alive connection, post sales of about 3 lines: cash, BPNT
(a different card each time) with cash for what BPNT may not pay, and a few QRIS. Reports
sales per second and the latency percentiles seen by the clients, and, as the floor, the
same rows written by bare sqlite3 (one transaction per sale, WAL, synchronous=FULL) on a
copy of the same database, with the ratio between the two.

    .venv/bin/python -m bench.checkout [sqlite] [postgresql]

BENCH_PRODUCTS, BENCH_KPM, BENCH_PAST and BENCH_SALES shrink the run while developing. The
built SQLite database is kept in the temporary directory (by size) and copied for each run,
so a second run skips the minutes of generating; BENCH_REBUILD=1 builds it again.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.common import Figure, median, percentile, table
from bench.gen.beneficiaries import _cards
from bench.gen.databases import fresh_database
from bench.gen.shop import Size, build_shop
from bench.server import serve
from bench.sqlite_floor import floor_figures
from ewarung.auth.models import User
from ewarung.auth.services import create_token
from ewarung.db import Database
from ewarung.migrate import upgrade
from inventory.models import Product, StockBatch
from pos.shifts import current_shift, open_shift

N_PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "20000"))
N_KPM = int(os.environ.get("BENCH_KPM", "50000"))
N_PAST = int(os.environ.get("BENCH_PAST", "500000"))
N_SALES = int(os.environ.get("BENCH_SALES", "3000"))
WARMUP = 300
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECRET = "bench-checkout-secret"
SEED = 11
TARGET_RATE, TARGET_P99, TARGET_RATIO = 300.0, 50.0, 4.0
CACHE = Path(tempfile.gettempdir()) / "ewarung-bench"
#: extra options of `ewarung serve` (e.g. "--threads 4"), to compare server set-ups
SERVE_ARGS = os.environ.get("BENCH_SERVE_ARGS", "").split()


@dataclass
class Shop:
    """What the load needs to know about the built shop."""

    url: str
    #: product id → (on hand in whole units, BPNT-eligible, price)
    stock: dict[int, tuple[int, bool, int]]
    cards: list[str]


#: seconds each database's shop took to build in this run (none when the cache served)
BUILD_SECONDS: dict[str, float] = {}
TARGET_BUILD = 300.0  # "a few minutes"


def build(url: str) -> None:
    """Fill an empty (migrated) database with the generated shop (bench/gen/shop.py)."""
    built = build_shop(url, Size(N_PRODUCTS, N_KPM, N_PAST), seed=SEED, secret=SECRET)
    BUILD_SECONDS[url.split(":", 1)[0].split("+", 1)[0]] = built.seconds
    print(f"built {url.split('/')[-1]} in {built.seconds:.0f} s", file=sys.stderr)


def shop_of(url: str) -> Shop:
    """Stock and cards of a built shop (cards are regenerated from the seed)."""
    db = Database(url)
    with db.unit_of_work(write=False) as s:
        on_hand = dict(s.execute(select(StockBatch.product_id, func.sum(StockBatch.quantity_left))
                                 .where(StockBatch.quantity_left > 0)
                                 .group_by(StockBatch.product_id)).all())
        facts = {r.id: r for r in s.execute(select(Product.id, Product.commodity_group,
                                                   Product.price)
                                            .where(Product.active.is_(True)))}
    db.dispose()
    stock = {pid: (int(qty), facts[pid].commodity_group != "none", facts[pid].price)
             for pid, qty in on_hand.items() if pid in facts and qty >= 1}
    return Shop(url, stock, _cards(random.Random(SEED), N_KPM))


@contextmanager
def built_shop(kind: str) -> Any:
    """A built SQLite database for this run (a copy of the cached one), or a fresh PostgreSQL."""
    if kind != "sqlite":
        with fresh_database(kind) as url:
            build(url)
            yield url
        return
    CACHE.mkdir(exist_ok=True)
    cached = CACHE / f"checkout-{N_PRODUCTS}-{N_KPM}-{N_PAST}.sqlite3"
    if not cached.exists() or os.environ.get("BENCH_REBUILD"):
        cached.unlink(missing_ok=True)
        partial = cached.with_suffix(".building")
        partial.unlink(missing_ok=True)
        db = Database(f"sqlite:///{partial}")
        upgrade(db.engine)
        db.dispose()
        build(f"sqlite:///{partial}")
        partial.rename(cached)
    with tempfile.TemporaryDirectory(prefix="ewarung-checkout-") as tmp:
        work = Path(tmp) / "shop.sqlite3"
        shutil.copy(cached, work)
        db = Database(f"sqlite:///{work}")
        upgrade(db.engine)  # a shop cached before the newest migration
        db.dispose()
        yield f"sqlite:///{work}"


def _token(url: str) -> str:
    db = Database(url)
    with db.unit_of_work() as s:
        user = s.scalars(select(User).where(User.username == "kasir")).one()
        if current_shift(s, user.id) is None:  # every sale belongs to an open shift
            open_shift(s, user.id, 0)
        token = create_token(s, user)
    db.dispose()
    return token


def bodies(shop: Shop, n: int, seed: int) -> list[dict[str, Any]]:
    """n sale bodies of about 3 lines that the stock can serve; BPNT ones use distinct cards."""
    rng = random.Random(seed)
    left = {pid: qty for pid, (qty, _, _) in shop.stock.items()}
    eligible = [pid for pid, (_, ok, _) in shop.stock.items() if ok]
    others = [pid for pid, (_, ok, _) in shop.stock.items() if not ok]
    cards = iter(rng.sample(shop.cards, min(len(shop.cards), n)))
    out = []
    for _ in range(n):
        bpnt = rng.random() < 0.4
        pool = [eligible, eligible, others] if bpnt else [eligible + others] * rng.choice((2, 3, 4))
        picks: set[int] = set()
        for group in pool:
            pid = rng.choice(group)
            while left[pid] < 1 or pid in picks:
                pid = rng.choice(group)
            picks.add(pid)
            left[pid] -= 1
        lines = [{"product_id": pid, "quantity": "1"} for pid in sorted(picks)]
        if bpnt:
            paid = min(150_000, sum(shop.stock[pid][2] for pid in picks if shop.stock[pid][1]))
            tenders = [{"kind": "bpnt", "card": next(cards), "amount": paid,
                        "edc_ref": f"{rng.randrange(10**6):06d}"}, {"kind": "cash"}]
        elif rng.random() < 0.08:
            tenders = [{"kind": "qris", "reference": f"QR{rng.randrange(10**9)}"}]
        else:
            tenders = [{"kind": "cash"}]
        out.append({"client_ref": str(uuid.UUID(int=rng.getrandbits(128))), "lines": lines,
                    "tenders": tenders})
    return out


def drive(port: int, token: str, work: list[dict[str, Any]]) -> tuple[list[float], float, dict]:
    """Post every body with CLIENTS threads; (latencies in ms, seconds, statuses)."""
    lock = threading.Lock()
    queue = list(reversed(work))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            data = json.dumps(body)
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/sales", data, headers)
                resp = conn.getresponse()
                status, payload = resp.status, resp.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # reconnects on the next request
                status, payload = 599, repr(exc).encode()
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
                if status != 201 and statuses[status] <= 3:
                    print(status, payload[:300], file=sys.stderr)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - t0, statuses


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(kind: str) -> list[Figure]:
    with built_shop(kind) as url, tempfile.TemporaryDirectory() as data:
        shop = shop_of(url)
        work = bodies(shop, WARMUP + N_SALES, seed=SEED + 1)
        floor = floor_figures(url, work, SECRET) if kind == "sqlite" else []
        token = _token(url)
        env = {"EWARUNG_SECRET_KEY": SECRET, "EWARUNG_PRINTER": "none"}
        with serve(url, Path(data), env, SERVE_ARGS) as served:
            port = int(served.url.rsplit(":", 1)[1])
            drive(port, token, work[:WARMUP])
            cpu_before = _cpu_seconds(served.pid)
            latencies, seconds, statuses = drive(port, token, work[WARMUP:])
            cpu_ms = (_cpu_seconds(served.pid) - cpu_before) / len(latencies) * 1000
    rate = len(latencies) / seconds
    note = (f"{N_PRODUCTS} products, {N_KPM} KPM, {N_PAST} past sales; {CLIENTS} clients, "
            f"{len(latencies)} sales, statuses {statuses}")
    figures = [Figure("build the generated shop", BUILD_SECONDS.pop(kind), "s", TARGET_BUILD,
                      False, kind, f"seed {SEED}; bench/gen/shop.py")] \
        if kind in BUILD_SECONDS else []
    figures += [
        Figure("checkout over HTTP", rate, "sales/s", TARGET_RATE, True, kind, note),
        Figure("checkout latency p50", median(latencies), "ms", None, False, kind),
        Figure("checkout latency p99", percentile(latencies, 99), "ms", TARGET_P99, False, kind),
        Figure("server CPU per sale", cpu_ms, "ms", None, False, kind,
               "user + system time of the ewarung serve process"),
    ]
    for f in floor:
        figures.append(f)
        if f.unit == "sales/s":
            figures.append(Figure("floor ÷ checkout", f.measured / rate, "×", TARGET_RATIO,
                                  False, kind, "bare sqlite3 sales/s over HTTP sales/s"))
    return figures


def run(databases: list[str]) -> list[Figure]:
    """Checkout throughput and latency (and the sqlite3 floor) on each database."""
    return [f for kind in databases for f in _measure(kind)]


if __name__ == "__main__":
    print(table(run(sys.argv[1:] or ["sqlite"])))
