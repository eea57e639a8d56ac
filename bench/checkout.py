"""Checkout over real HTTP: `POST /api/v1/sales` against `ewarung serve` on a big shop.

Builds a database of 20,000 products with stock (bench/gen/catalogue.py), 50,000 KPM with
cards and this month's credit (bench/gen/beneficiaries.py) and 500,000 past sales
(bench/gen/sales.py); starts `ewarung serve` (waitress) on it in a subprocess; then 8 client
threads, each on its own keep-alive connection, post sales of about 3 lines: cash, BPNT
(a different card each time) with cash for what BPNT may not pay, and a few QRIS. Reports
sales per second and the latency percentiles seen by the clients, and, as the floor, the
same rows written by bare sqlite3 (one transaction per sale, WAL, synchronous=NORMAL) on a
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
import socket
import subprocess
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
from bench.gen.beneficiaries import _cards, generate_beneficiaries
from bench.gen.catalogue import generate_products, generate_stock
from bench.gen.databases import fresh_database
from bench.gen.sales import generate_sales
from bench.sqlite_floor import floor_figures
from ewarung.auth.models import User
from ewarung.auth.services import create_token, create_user
from ewarung.db import Database
from ewarung.migrate import upgrade
from ewarung.shop import Outlet
from inventory.models import Product, StockBatch

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


def build(url: str) -> None:
    """Fill an empty (migrated) database: outlet, cashier, catalogue, KPM, past sales."""
    db = Database(url)
    t0 = time.perf_counter()
    with db.unit_of_work() as s:
        s.add(Outlet(name="e-Warong Bench", kube_name="KUBE Bench", code="EW"))
        cashier = create_user(s, "kasir", "cashier", full_name="Kasir Bench", pin="1234")
        ids = generate_products(s, N_PRODUCTS, seed=SEED)
        generate_stock(s, ids, seed=SEED, batches=2)
        kpm = generate_beneficiaries(s, N_KPM, seed=SEED, secret=SECRET)
        cashier_id = cashier.id
    with db.unit_of_work() as s:
        generate_sales(s, N_PAST, SEED, cashier_id=cashier_id, product_ids=ids,
                       beneficiary_ids=kpm.ids)
    if db.is_sqlite:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    db.dispose()
    print(f"built {url.split('/')[-1]} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


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
        yield f"sqlite:///{work}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(url: str, data_dir: Path) -> Any:
    """`ewarung serve` on `url` in a subprocess; yields (its port, its process id)."""
    port = _free_port()
    env = {**os.environ, "EWARUNG_DATABASE_URL": url, "EWARUNG_DATA_DIR": str(data_dir),
           "EWARUNG_SECRET_KEY": SECRET, "EWARUNG_PRINTER": "none"}
    # The server's messages go to a file: a pipe nobody reads would block it once full.
    log = (data_dir / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-c", "from ewarung.cli import main; main()",
                             "serve", "--port", str(port), *SERVE_ARGS], env=env,
                            stdout=subprocess.DEVNULL, stderr=log)
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError((data_dir / "serve.log").read_text()) from None
                time.sleep(0.1)
        yield port, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _token(url: str) -> str:
    db = Database(url)
    with db.unit_of_work() as s:
        user = s.scalars(select(User).where(User.username == "kasir")).one()
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
        with serve(url, Path(data)) as (port, pid):
            drive(port, token, work[:WARMUP])
            cpu_before = _cpu_seconds(pid)
            latencies, seconds, statuses = drive(port, token, work[WARMUP:])
            cpu_ms = (_cpu_seconds(pid) - cpu_before) / len(latencies) * 1000
    rate = len(latencies) / seconds
    note = (f"{N_PRODUCTS} products, {N_KPM} KPM, {N_PAST} past sales; {CLIENTS} clients, "
            f"{len(latencies)} sales, statuses {statuses}")
    figures = [
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
