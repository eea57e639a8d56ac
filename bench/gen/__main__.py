"""Build a generated shop into a data directory: `.venv/bin/python -m bench.gen`.

    .venv/bin/python -m bench.gen --size large --seed 11 --data-dir bench-shop
    EWARUNG_DATA_DIR=bench-shop .venv/bin/ewarung serve     # sign in as ketua / kasir

`--products`, `--kpm`, `--sales` and `--days` override the size's figures. The database is
the data directory's SQLite file, or `--database-url` (an empty PostgreSQL database, say).
The KPM's card numbers are not written anywhere: `bench.gen.beneficiaries._cards` makes them
again from the seed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from bench.gen.shop import SIZES, USERS, build_shop
from ewarung.config import load_or_create_secret_key
from ewarung.db import Database
from ewarung.migrate import upgrade


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gen",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--data-dir", type=Path, default=Path("bench-shop"))
    parser.add_argument("--database-url", default="")
    for name in ("products", "kpm", "sales", "days"):
        parser.add_argument(f"--{name}", type=int)
    args = parser.parse_args(argv)
    size = replace(SIZES[args.size], **{name: getattr(args, name) for name in
                                        ("products", "kpm", "sales", "days")
                                        if getattr(args, name) is not None})
    data_dir = args.data_dir.resolve()
    url = args.database_url or f"sqlite:///{data_dir / 'ewarung.sqlite3'}"
    if not args.database_url and (data_dir / "ewarung.sqlite3").exists():
        print(f"{data_dir / 'ewarung.sqlite3'} exists already; choose another --data-dir",
              file=sys.stderr)
        return 1
    secret = load_or_create_secret_key(data_dir)
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    built = build_shop(url, size, seed=args.seed, secret=secret)
    print(f"Built in {built.seconds:.0f} s: {size.products:,} products, {size.kpm:,} KPM, "
          f"{built.sales.sales:,} sales ({built.sales.lines:,} lines) from "
          f"{built.sales.first_day} to {built.sales.last_day}, {built.receipts.suppliers} "
          f"suppliers, {built.receipts.receipts:,} goods receipts.")
    print(f"Serve it: EWARUNG_DATA_DIR={data_dir} ewarung serve")
    print("Sign in: " + ", ".join(f"{u} ({role}, " + (f"password {pw})" if pw else f"PIN {pin})")
                                  for u, role, pin, pw in USERS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
