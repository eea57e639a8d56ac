"""From a sale's 201 answer to the first byte of its receipt at a loopback network printer.

Target ≤ 200 ms. What is timed is what the print path adds after the sale: its commit wakes
the print worker thread (what `ewarung serve` starts), which claims the receipt, renders it
(QR code included), connects to the printer and sends. The app prints to a `TcpPrinter`
(tests/printer/printers.py) through `EWARUNG_PRINTER=network://127.0.0.1:PORT`; sales are
posted to `POST /api/v1/sales` with a cashier's token, and the clock starts when the 201
arrives. A BPNT sale sends one job (its receipt); a cash sale two (the drawer kick first,
then the receipt): the figure is the receipt's first byte either way.

    .venv/bin/python -m bench.first_byte [sqlite] [postgresql]
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import Figure, median, percentile, table
from ewarung.app import create_app
from ewarung.db import Database
from ewarung.migrate import upgrade
from ewarung.shop import Outlet
from printer import start_worker
from tests.factories import (
    card_key,
    credit,
    make_beneficiary,
    make_card_number,
    make_product,
    make_stock,
    make_token,
)
from tests.printer.printers import TcpPrinter

TARGET_MS = 200.0
SAMPLES = 30
#: a pause between sales, as at a till (and so jobs do not queue behind each other)
GAP_S = 0.05


def first_byte_latencies(trigger: Callable[[], tuple[float, int]], printer: TcpPrinter,
                         samples: int = SAMPLES) -> list[float]:
    """Milliseconds from the moment `trigger` returns to the first byte of its last job.

    `trigger` answers (when it returned, how many print jobs it caused).
    """
    out = []
    for _ in range(samples):
        seen = len(printer.connections)
        start, jobs = trigger()
        connections = printer.wait_for(seen + jobs, timeout=10)
        if len(connections) < seen + jobs:
            raise RuntimeError("the printer received nothing within 10 s")
        first = connections[seen + jobs - 1].first_byte_at
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


def _shop(app: Any) -> tuple[str, int, int, list[str]]:
    """A cashier's token, rice (BPNT) and oil (cash) with stock, and KPM cards."""
    db: Database = app.extensions["ewarung.db"]
    with app.app_context(), db.unit_of_work() as s:
        s.add(Outlet(name="e-Warong Bench", kube_name="KUBE Bench", code="EW"))
        token = make_token(s, "cashier")
        rice = make_product(s, "Beras Medium 5 kg", price=62_500)
        oil = make_product(s, "Minyak Goreng 1 L", price=18_000, commodity_group="none")
        make_stock(s, rice, 1000, 55_000)
        make_stock(s, oil, 1000, 15_000)
        cards = [make_card_number() for _ in range(SAMPLES)]
        for card in cards:
            credit(s, make_beneficiary(s, card_key(app), card=card), 200_000)
        return token, rice.id, oil.id, cards


def _sell(app: Any, kind: str) -> Callable[[], tuple[float, int]]:
    token, rice, oil, cards = _shop(app)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    left = iter(cards)

    def sell() -> tuple[float, int]:
        if kind == "bpnt":
            lines = [{"product_id": rice, "quantity": 1}]
            tenders = [{"kind": "bpnt", "card": next(left), "edc_ref": "004512"}]
        else:
            lines = [{"product_id": rice, "quantity": 1}, {"product_id": oil, "quantity": 2}]
            tenders = [{"kind": "cash", "amount": 100_000}]
        resp = client.post("/api/v1/sales", headers=headers, json={
            "client_ref": str(uuid.uuid4()), "lines": lines, "tenders": tenders})
        answered = time.perf_counter()
        assert resp.status_code == 201, resp.get_json()
        return answered, 1 if kind == "bpnt" else 2
    return sell


def _measure(kind: str, profile: str, sale: str) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp, bench_database(kind, Path(tmp)) as url:
        printer = TcpPrinter()
        app = bench_app(url, printer.url, Path(tmp) / "data", profile)
        worker = start_worker(app)
        try:
            samples = first_byte_latencies(_sell(app, sale), printer)
        finally:
            worker.stop()
            printer.close()
            app.extensions["ewarung.db"].dispose()
    note = f"{len(samples)} {sale} sales, {profile}"
    return [
        Figure("receipt's first byte after the 201, p50", median(samples), "ms", TARGET_MS,
               False, kind, note),
        Figure("receipt's first byte after the 201, p95", percentile(samples, 95), "ms",
               TARGET_MS, False, kind, note)]


def run(databases: list[str]) -> list[Figure]:
    """First-byte latency after the sale's 201 (median, p95), per database and paper."""
    # TM-T20II prints a native QR code; POS-5890 gets a QR image, the slowest to render.
    return [figure for kind in databases
            for profile, sale in (("TM-T20II", "bpnt"), ("POS-5890", "cash"))
            for figure in _measure(kind, profile, sale)]


if __name__ == "__main__":
    print(table(run(sys.argv[1:] or ["sqlite", "postgresql"])))
