"""Peak memory of every import, each run in a child process of its own, against one bound.

The files: the hostile spreadsheets that once took the shop down (one cell at XFD1048576,
a ~1 MB XLSX that inflates to 1 GB of spaces, a shared-strings bomb of 20 million strings),
a district's 50,000-row KPM list as Excel saves it (XLSX) and as CSV, a 20,000-product
catalogue and the longest settlement file accepted. KPM and products go through the real
command line (`ewarung kpm import`, `ewarung product import`); the settlement file, which
has no command, through the same use-case; each in a child of this module started for it.
The figure is the child's own peak resident set (VmHWM), the whole process: Python, the
app, the database driver and the import.

Bound: 250 MB. The command line itself is about 110 MB resident before it reads a byte;
the server's target is 150 MB (`bench.memory`); a shop computer has 2 to 4 GB shared with
the till's browser and the database, so an import may add at most about as much again as
the program itself, and a hostile file must add nothing.

    .venv/bin/python -m bench.imports [sqlite] [postgresql]
"""

from __future__ import annotations

import atexit
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from bench.common import Figure, table

BOUND_MB = 250.0
N_KPM = int(os.environ.get("BENCH_IMPORT_KPM", "50000"))
N_PRODUCTS = 20_000
#: the longest settlement file accepted: its header and 9,999 lines (`SETTLEMENT_LIMITS`)
N_SETTLEMENT = 9_999
SECRET = "bench-imports-secret-key-0123456789"


def _csv(rows: list[list[str]]) -> bytes:
    from aid.kpm_file import rows_to_csv

    return rows_to_csv(rows).encode()


def settlement_rows(n: int, seed: int = 3) -> list[list[str]]:
    """A month of EDC lines as a bank sends them: day first, Rupiah with dots, masked cards."""
    rng = random.Random(seed)
    first = date(2026, 11, 1)
    rows = [["tanggal", "kode_approval", "nominal", "no_kartu"]]
    for _ in range(n):
        day = first + timedelta(days=rng.randrange(30))
        amount = f"{rng.randrange(10, 200) * 1000:,}".replace(",", ".")
        rows.append([day.strftime("%d/%m/%Y"), f"{rng.randrange(10**6):06d}", amount,
                     f"526422******{rng.randrange(10**4):04d}"])
    return rows


def _xlsx(name: str) -> Callable[[], bytes]:
    def make() -> bytes:
        from bench.gen import xlsx

        if name == "kpm":
            from bench.gen.beneficiaries import kpm_list_rows
            return xlsx.excel_xlsx(kpm_list_rows(N_KPM, 1))
        maker: Callable[[], bytes] = getattr(xlsx, name)
        return maker()
    return make


def _kpm_csv() -> bytes:
    from bench.gen.beneficiaries import kpm_list_rows

    return _csv(kpm_list_rows(N_KPM, 1))


def _catalogue_csv() -> bytes:
    from bench.gen.catalogue import product_file_rows

    return _csv(product_file_rows(N_PRODUCTS))


#: name → (what imports it, file maker, whether it must be refused)
FILES: dict[str, tuple[str, Callable[[], bytes], bool]] = {
    "hostile XLSX: cell at XFD1048576": ("kpm", _xlsx("far_cell_xlsx"), True),
    "hostile XLSX: 1 GB of spaces": ("kpm", _xlsx("whitespace_xlsx"), True),
    "hostile XLSX: shared-strings bomb": ("kpm", _xlsx("shared_strings_bomb"), True),
    f"KPM list, {N_KPM:,} rows, XLSX": ("kpm", _xlsx("kpm"), False),
    f"KPM list, {N_KPM:,} rows, CSV": ("kpm", _kpm_csv, False),
    f"catalogue, {N_PRODUCTS:,} products, CSV": ("product", _catalogue_csv, False),
    f"bank settlement, {N_SETTLEMENT:,} lines, CSV": (
        "settlement", lambda: _csv(settlement_rows(N_SETTLEMENT)), False),
}


def _child(kind: str, path: Path, env: dict[str, str]) -> tuple[int, float, float, str]:
    """Import in a new process; its exit status, peak resident MB, seconds, last error line.

    The peak is the child's own high-water mark (VmHWM) read as it exits: the rusage of a
    child also counts the memory of the parent it was forked from.
    """
    t0 = time.monotonic()
    with tempfile.NamedTemporaryFile() as peak, tempfile.TemporaryFile() as err:
        done = subprocess.run([sys.executable, "-m", "bench.imports", "--child", kind,
                               str(path)], env={**env, "BENCH_PEAK_FILE": peak.name},
                              stdout=subprocess.DEVNULL, stderr=err, check=False)
        err.seek(0)
        last = (err.read().decode(errors="replace").strip().splitlines() or [""])[-1]
        kb = int(Path(peak.name).read_text() or 0)
    return done.returncode, kb / 1024, time.monotonic() - t0, last


def _measure(kind: str, work: Path) -> list[Figure]:
    from bench.gen.databases import fresh_database

    figures = []
    for name, (command, make, hostile) in FILES.items():
        path = work / "file"
        path.write_bytes(make())
        size_kb = path.stat().st_size / 1024
        with fresh_database(kind) as url:
            env = {**os.environ, "EWARUNG_DATABASE_URL": url, "EWARUNG_SECRET_KEY": SECRET,
                   "EWARUNG_DATA_DIR": str(work / "data")}
            code, peak, seconds, last = _child(command, path, env)
        verdict = "refused" if hostile else "imported"
        if code != (1 if hostile else 0):
            verdict = f"NOT {verdict} (exit {code}: {last[:80]})"
        figures.append(Figure(f"import peak RSS: {name}", peak, "MB", BOUND_MB, False, kind,
                              f"{size_kb:,.0f} KB file, {verdict} in {seconds:.1f} s"))
    return figures


def _record_peak() -> None:
    status = Path("/proc/self/status").read_text()
    kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    Path(os.environ["BENCH_PEAK_FILE"]).write_text(kb)


def _import_child(kind: str, path: Path) -> None:
    """One import, as the shop runs it: the command line, or the reconciliation use-case."""
    atexit.register(_record_peak)
    if kind != "settlement":
        from ewarung.cli import main

        sys.argv = ["ewarung", kind, "import", str(path)]
        main()
        return
    from aid.reconciliation import run_reconciliation
    from ewarung.app import create_app
    from ewarung.tabular import read_upload

    app = create_app()
    with app.app_context(), app.extensions["ewarung.db"].unit_of_work() as session, \
            path.open("rb") as stream:
        run_reconciliation(session, read_upload(stream), path.name)


def run(databases: list[str]) -> list[Figure]:
    """Peak memory of each import on each database."""
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="ewarung-imports-") as tmp:
        for kind in databases:
            figures += _measure(kind, Path(tmp))
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _import_child(sys.argv[2], Path(sys.argv[3]))
    else:
        print(table(run(sys.argv[1:] or ["sqlite"])))
