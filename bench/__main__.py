"""Every benchmark in one run, printed as one table: `.venv/bin/python -m bench`.

    .venv/bin/python -m bench                      # both databases
    .venv/bin/python -m bench sqlite               # one database
    .venv/bin/python -m bench --only search,till_load

Each module exposes `run(databases) -> list[Figure]`; the machine the figures come from
is printed above the table.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import time
from pathlib import Path

from bench.common import Figure, table

#: in the order they run; the cheap ones first
MODULES = ("search", "stock_issue", "kpm_lookup", "report", "first_byte", "till_load", "memory",
           "imports", "checkout")


def machine() -> str:
    """What the figures were measured on."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0.0
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("databases", nargs="*", default=["sqlite", "postgresql"])
    parser.add_argument("--only", default="", help="comma-separated module names")
    args = parser.parse_args()
    chosen = [m for m in MODULES if not args.only or m in args.only.split(",")]
    figures: list[Figure] = []
    started = time.monotonic()
    for name in chosen:
        t0 = time.monotonic()
        figures += importlib.import_module(f"bench.{name}").run(args.databases)
        print(f"... {name} done in {time.monotonic() - t0:.0f} s", flush=True)
    print()
    print(f"Machine: {machine()}")
    print(f"Run: {time.strftime('%Y-%m-%d %H:%M')}, {time.monotonic() - started:.0f} s")
    print()
    print(table(figures))


if __name__ == "__main__":
    main()
