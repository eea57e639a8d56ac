"""A long write while the till sells: a big KPM import from the command line (another
process) and a backup, both during a stream of sales to `ewarung serve`.

Sales wait briefly and succeed, or are refused with the retryable `database_busy` (503 and
Retry-After); never a 500, and after re-sending the refused ones every sale is there once.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from bench.server import serve
from ewarung.db import Database
from pos.models import Sale
from tests.conftest import make_app
from tests.factories import make_card_number, make_nik, make_product, make_stock, make_token

pytestmark = pytest.mark.slow

SECRET = "busy-test-secret-" + "k" * 40


@pytest.fixture
def app(database_url, tmp_path):
    application = make_app(tmp_path / "data", database_url, secret_key=SECRET)
    yield application
    application.extensions["ewarung.db"].dispose()


@pytest.fixture
def shop(db):
    with db.unit_of_work() as s:
        ids = []
        for i in range(5):
            product = make_product(s, f"Barang {i}", price=7000, commodity_group="none")
            make_stock(s, product, 100000, unit_cost=3000)
            ids.append(product.id)
        token = make_token(s, "manager")
    return {"products": ids, "token": token}


def _big_import_file(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(["nik", "nama", "no_kks", "desa"])
        for i in range(rows):
            out.writerow([make_nik(), f"KPM Impor {i}", make_card_number(), "Sukamaju"])
    return path


def _sell(base: str, shop: dict[str, Any], stop: threading.Event, log: list[tuple[int, Any, float]],
          refused: list[dict[str, Any]]) -> None:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {shop['token']}"
    while not stop.is_set():
        body = {"client_ref": str(uuid.uuid4()),
                "lines": [{"product_id": shop["products"][0], "quantity": "1"}],
                "tenders": [{"kind": "cash", "amount": 10000}]}
        t0 = time.monotonic()
        resp = http.post(base + "/api/v1/sales", json=body, timeout=60)
        log.append((resp.status_code, resp.json(), time.monotonic() - t0))
        if resp.status_code == 503:
            assert resp.json()["error"]["code"] == "database_busy"
            assert resp.headers.get("Retry-After")
            refused.append(body)


def test_sales_during_a_big_import_and_a_backup_wait_or_are_refused_retryably(
        database_url, shop, db, tmp_path):
    data_dir = tmp_path / "serve"
    env = {"EWARUNG_SECRET_KEY": SECRET}
    big = _big_import_file(tmp_path / "kpm.csv", 20000)
    stop = threading.Event()
    log: list[tuple[int, Any, float]] = []
    refused: list[dict[str, Any]] = []
    with serve(database_url, data_dir, env) as served:
        sellers = [threading.Thread(target=_sell, args=(served.url, shop, stop, log, refused))
                   for _ in range(4)]
        for t in sellers:
            t.start()
        time.sleep(0.5)
        cli_env = {"EWARUNG_DATABASE_URL": database_url, "EWARUNG_DATA_DIR": str(data_dir),
                   "EWARUNG_SECRET_KEY": SECRET, "PATH": "/usr/bin:/bin"}
        exe = str(Path(sys.executable).with_name("ewarung"))
        imported = subprocess.run([exe, "kpm", "import", str(big)], env=cli_env,
                                  capture_output=True, text=True, timeout=600)
        assert imported.returncode == 0, imported.stderr[-2000:]
        backup = subprocess.run([exe, "backup", str(tmp_path / "during.ewbackup")],
                                env=cli_env, capture_output=True, text=True, timeout=600)
        assert backup.returncode == 0, backup.stderr[-2000:]
        time.sleep(0.5)
        stop.set()
        for t in sellers:
            t.join(timeout=120)
        statuses = {status for status, _, _ in log}
        assert statuses <= {201, 503}, statuses
        assert max(seconds for _, _, seconds in log) < 15  # waited briefly, never hung
        created = [body["id"] for status, body, _ in log if status == 201]
        assert len(created) > 10
        for body in refused:  # the outbox re-sends what was refused as busy
            again = requests.post(served.url + "/api/v1/sales", json=body, timeout=60,
                                  headers={"Authorization": f"Bearer {shop['token']}"})
            assert again.status_code == 201
            created.append(again.json()["id"])
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Sale)) == len(set(created))


def test_a_writer_holding_sqlite_past_the_busy_timeout_gets_a_retryable_refusal(
        sqlite_template, tmp_path):
    """Another process keeps SQLite's write lock longer than the busy timeout (10 s)."""
    path = tmp_path / "held.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    app = make_app(tmp_path / "data", url, secret_key=SECRET)
    db = app.extensions["ewarung.db"]
    with db.unit_of_work() as s:
        product = make_product(s, "Gula 1 kg", price=16000, commodity_group="none")
        make_stock(s, product, 100, unit_cost=12000)
        token = make_token(s, "cashier")
    db.dispose()
    body = {"client_ref": str(uuid.uuid4()), "lines": [{"product_id": product.id,
                                                        "quantity": "1"}],
            "tenders": [{"kind": "cash", "amount": 20000}]}
    headers = {"Authorization": f"Bearer {token}"}
    with serve(url, tmp_path / "serve", {"EWARUNG_SECRET_KEY": SECRET}) as served:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # a backup tool or a stuck import
        try:
            t0 = time.monotonic()
            refused = requests.post(served.url + "/api/v1/sales", json=body, headers=headers,
                                    timeout=60)
            waited = time.monotonic() - t0
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "database_busy"
        assert refused.headers["Retry-After"]
        assert 5 < waited < 30
        again = requests.post(served.url + "/api/v1/sales", json=body, headers=headers,
                              timeout=60)
        assert again.status_code == 201
    db = Database(url)
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Sale)) == 1
    db.dispose()
