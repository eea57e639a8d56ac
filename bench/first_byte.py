"""From a committed receipt to its first byte at a loopback network printer (target ≤ 200 ms).

Measures what the print path adds after the sale's transaction: the commit wakes the worker
thread, which claims the job, connects to the printer and sends. Once sales exist, measure the
real figure from the sale's 201 answer with the same helpers:

    printer = TcpPrinter()                      # the loopback printer (tests/printer/printers.py)
    app = bench_app(db_url, printer.url)        # EWARUNG_PRINTER points at it
    start_worker(app)                           # what `ewarung serve` does
    def sell() -> float:
        resp = client.post("/api/v1/sales", json=...)   # a cash or BPNT sale
        assert resp.status_code == 201
        return time.perf_counter()              # the moment the 201 arrived
    figures = first_byte_latencies(sell, printer, samples=30)
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import Figure, median, percentile, table
from ewarung.app import create_app
from ewarung.db import Database, on_commit
from ewarung.migrate import upgrade
from printer import start_worker
from printer.queue import enqueue_receipt
from tests.factories import make_sale_receipt
from tests.printer.printers import TcpPrinter

TARGET_MS = 200.0
SAMPLES = 30
#: a pause between sales, as at a till (and so jobs do not queue behind each other)
GAP_S = 0.05


def first_byte_latencies(trigger: Callable[[], float], printer: TcpPrinter,
                         samples: int = SAMPLES) -> list[float]:
    """Milliseconds from the moment `trigger` returns to the first byte of the job it caused."""
    out = []
    for _ in range(samples):
        seen = len(printer.connections)
        start = trigger()
        connections = printer.wait_for(seen + 1, timeout=10)
        if len(connections) <= seen:
            raise RuntimeError("the printer received nothing within 10 s")
        first = connections[seen].first_byte_at
        assert first is not None
        out.append((first - start) * 1000)
        time.sleep(GAP_S)
    return out


@contextmanager
def bench_database(kind: str, workdir: Path) -> Iterator[str]:
    """A migrated, empty database of `kind` ("sqlite" or "postgresql"); dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    from tests.conftest import create_pg_database, drop_pg_database

    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


def bench_app(database_url: str, printer_url: str, data_dir: Path,
              profile: str = "TM-T20II") -> Any:
    """An app on `database_url` (migrated here) printing to `printer_url`."""
    app = create_app({"data_dir": data_dir, "database_url": database_url,
                      "printer": printer_url, "printer_profile": profile})
    upgrade(app.extensions["ewarung.db"].engine)
    return app


def _commit_receipt(app: Any, in_transaction: list[float]) -> Callable[[], float]:
    db: Database = app.extensions["ewarung.db"]

    def sell() -> float:
        committed: list[float] = []
        with app.app_context(), db.unit_of_work() as s:
            # Registered before the job: runs first after the commit, before the worker wakes.
            on_commit(s, lambda: committed.append(time.perf_counter()))
            started = time.perf_counter()
            enqueue_receipt(s, make_sale_receipt("bpnt"))  # one job per sale: the receipt
            in_transaction.append((time.perf_counter() - started) * 1000)
        return committed[0]
    return sell


def _measure(kind: str, profile: str) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp, bench_database(kind, Path(tmp)) as url:
        printer = TcpPrinter()
        app = bench_app(url, printer.url, Path(tmp) / "data", profile)
        worker = start_worker(app)
        enqueue_ms: list[float] = []
        try:
            samples = first_byte_latencies(_commit_receipt(app, enqueue_ms), printer)
        finally:
            worker.stop()
            printer.close()
            app.extensions["ewarung.db"].dispose()
    note = f"{len(samples)} BPNT receipts, {profile}"
    return [
        Figure("first byte after commit p50", median(samples), "ms", TARGET_MS, False, kind,
               note),
        Figure("first byte after commit p95", percentile(samples, 95), "ms", TARGET_MS, False,
               kind, note),
        Figure("enqueue_receipt in the sale's transaction p50", median(enqueue_ms), "ms", None,
               False, kind, note)]


def run(databases: list[str]) -> list[Figure]:
    """First-byte latency after commit (median, p95) and the enqueue cost, per database."""
    # TM-T20II prints a native QR code; POS-5890 gets a QR image, the slowest to render.
    return [figure for kind in databases for profile in ("TM-T20II", "POS-5890")
            for figure in _measure(kind, profile)]


if __name__ == "__main__":
    print(table(run(["sqlite", "postgresql"])))
