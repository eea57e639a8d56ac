"""The monthly KUBE report on a month of 10,000 sales (40,000 lines), SQLite and PostgreSQL.

bench/gen/month.py writes the month in bulk; then the JSON report (every section's
queries, serialised) and the PDF (the same queries, then laid out) are timed, best of a
few runs after a warm-up.

    .venv/bin/python -m bench.report [sqlite] [postgresql]
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import date

from bench.common import Figure, median, table
from bench.gen.databases import fresh_database
from bench.gen.month import generate_month
from ewarung.money import format_rupiah

N_SALES = 10_000
N_LINES = 4
FIRST = date(2026, 10, 1)
RUNS = 5
TARGET_JSON_S = 0.5
TARGET_PDF_S = 3.0


def _timed(fn: Callable[[], None], runs: int = RUNS) -> list[float]:
    samples = []
    for _ in range(runs + 1):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples[1:]  # the first run warms the caches


def _measure(kind: str) -> list[Figure]:
    from ewarung.db import Database
    from kube.report import monthly_report
    from kube.report.pdf import write_pdf

    with fresh_database(kind) as url:
        db = Database(url)
        t0 = time.perf_counter()
        with db.unit_of_work() as s:
            counts = generate_month(s, FIRST, sales=N_SALES, lines=N_LINES)
        built = time.perf_counter() - t0
        if kind == "postgresql":
            with db.engine.begin() as conn:  # committed, or the statistics are rolled back
                conn.exec_driver_sql("ANALYZE")
        month = f"{FIRST:%Y-%m}"

        def as_json() -> None:
            with db.unit_of_work(write=False) as s:
                json.dumps(monthly_report(s, month))

        def as_pdf() -> None:
            with db.unit_of_work(write=False) as s:
                write_pdf(monthly_report(s, month))

        with db.unit_of_work(write=False) as s:
            check = monthly_report(s, month)
        json_s, pdf_s = _timed(as_json), _timed(as_pdf)
        db.dispose()
    note = (f"{counts['sales']} sales, {counts['lines']} lines; sales total "
            f"{format_rupiah(check['sales']['total'])}; stock difference "
            f"{check['stock']['difference']}")
    return [
        Figure("month generated", built, "s", None, False, kind, note),
        Figure("monthly report JSON (median)", median(json_s), "s", TARGET_JSON_S, False, kind),
        Figure("monthly report JSON (worst)", max(json_s), "s", None, False, kind),
        Figure("monthly report PDF (median)", median(pdf_s), "s", TARGET_PDF_S, False, kind),
        Figure("monthly report PDF (worst)", max(pdf_s), "s", None, False, kind),
    ]


def run(databases: list[str]) -> list[Figure]:
    """The report's timings on each database."""
    figures: list[Figure] = []
    for kind in databases:
        figures += _measure(kind)
    return figures


if __name__ == "__main__":
    print(table(run(sys.argv[1:] or ["sqlite", "postgresql"])))
