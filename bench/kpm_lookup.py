"""The card look-up and remaining entitlement on the checkout path, with 50,000 KPM.

Generates 50,000 KPM with cards and credits (reporting how long that took), then times
the cashier's look-up (card number → KPM → remaining entitlement, as the API does it) and
the ledger query alone, on each database. Target: the remaining look-up well under 1 ms.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from aid.beneficiaries import find_by_card
from aid.cards import derive_card_key
from aid.ledger import entitlement_of, ledger_sums
from aid.settings import bpnt_settings
from bench.common import Figure, median, percentile, table
from bench.gen.beneficiaries import generate_beneficiaries
from ewarung.db import Database
from ewarung.migrate import upgrade

N_KPM = int(os.environ.get("BENCH_KPM", "50000"))
LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "2000"))
SECRET = "bench-secret"
PG_ADMIN_URL = os.environ.get("EWARUNG_TEST_PG",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _database(kind: str, tmp: Path) -> tuple[str, str | None]:
    """A fresh database URL of `kind`, and the PostgreSQL database to drop afterwards."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}", None
    name = f"ewb_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(False), name


def _drop(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _time_ms(fn: Callable[[], object], samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def bench_one(kind: str) -> list[Figure]:
    """Generate, then time the look-ups on one database."""
    tmp = Path(tempfile.mkdtemp(prefix="ewb-"))
    url, pg_name = _database(kind, tmp)
    db = Database(url)
    try:
        upgrade(db.engine)
        t0 = time.perf_counter()
        with db.unit_of_work() as s:
            made = generate_beneficiaries(s, N_KPM, seed=1, secret=SECRET)
        gen_s = time.perf_counter() - t0
        key = derive_card_key(SECRET)
        rng = random.Random(2)
        picks = [rng.randrange(N_KPM) for _ in range(LOOKUPS)]
        with db.unit_of_work(write=False) as s:
            cfg = bpnt_settings(s)
            it = iter(picks)

            def lookup() -> None:
                b, _card = find_by_card(s, key, made.card_numbers[next(it)])
                assert entitlement_of(s, b.id, settings=cfg).remaining == made.amount
            full = _time_ms(lookup, LOOKUPS)
            s.expunge_all()
            it2 = iter(picks)
            ledger_only = _time_ms(lambda: ledger_sums(s, made.ids[next(it2)]), LOOKUPS)
    finally:
        db.dispose()
        if pg_name:
            _drop(pg_name)
        shutil.rmtree(tmp, ignore_errors=True)
    note = f"{N_KPM} KPM, {LOOKUPS} look-ups"
    return [
        Figure("generate KPM+cards+credits", gen_s, "s", None, False, kind, f"{N_KPM} KPM"),
        Figure("card look-up + remaining, p50", median(full), "ms", 1.0, False, kind, note),
        Figure("card look-up + remaining, p99", percentile(full, 99), "ms", 5.0, False, kind,
               note),
        Figure("ledger query (remaining), p50", median(ledger_only), "ms", 1.0, False, kind,
               note),
        Figure("ledger query (remaining), p99", percentile(ledger_only, 99), "ms", 2.0, False,
               kind, note),
    ]


def run(databases: list[str]) -> list[Figure]:
    """Figures for each database kind ("sqlite", "postgresql")."""
    figures: list[Figure] = []
    for kind in databases:
        figures.extend(bench_one(kind))
    return figures


if __name__ == "__main__":
    print(table(run(["sqlite", "postgresql"])))
