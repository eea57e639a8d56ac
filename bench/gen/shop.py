"""A whole shop of any size from a seed: `build_shop(url, size, seed=..., secret=...)`.

The outlet, a manager and a cashier, the catalogue with barcodes and stock on hand, KPM with
their cards and this month's credit, past sales spread over the days before this month
(cash, BPNT with cash for the rest, QRIS) with both ledgers kept consistent, and the
suppliers and goods receipts all that stock came in on. The same seed and size give the same
shop (dates are relative to the day it is built). `python -m bench.gen` builds one into a
data directory that `ewarung serve` can open.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench.gen.beneficiaries import generate_beneficiaries
from bench.gen.catalogue import generate_products, generate_stock
from bench.gen.receipts import Deliveries, GeneratedReceipts
from bench.gen.sales import GeneratedSales, generate_sales
from ewarung.auth.services import create_user
from ewarung.db import Database
from ewarung.shop import Outlet

#: who can sign in to a generated shop: (username, role, PIN, password)
USERS = (("ketua", "manager", "2468", "ketua-bench-1"), ("kasir", "cashier", "1234", None))


@dataclass(frozen=True)
class Size:
    """How big a shop is: products, KPM, past sales and the days they are spread over."""

    products: int
    kpm: int
    sales: int
    days: int = 365


SIZES = {
    "small": Size(500, 1_000, 10_000),
    "medium": Size(5_000, 10_000, 100_000),
    "large": Size(20_000, 50_000, 500_000),
}


@dataclass(frozen=True)
class BuiltShop:
    """What was built, with the KPM's full card numbers (the database keeps only hashes)."""

    size: Size
    seed: int
    cards: list[str]
    sales: GeneratedSales
    receipts: GeneratedReceipts
    seconds: float


def build_shop(url: str, size: Size, *, seed: int, secret: str) -> BuiltShop:
    """Fill the empty, migrated database at `url`; `secret` is the secret key it will be served
    with (the card hashes depend on it)."""
    t0 = time.perf_counter()
    db = Database(url)
    try:
        with db.unit_of_work() as s:
            s.add(Outlet(name="e-Warong KUBE Bench", kube_name="KUBE Bench", code="EW",
                         village="Sidomulyo", district="Kec. Tuban, Kab. Tuban"))
            users = {username: create_user(s, username, role, full_name=username.title(),
                                           pin=pin, password=password)
                     for username, role, pin, password in USERS}
            product_ids = generate_products(s, size.products, seed=seed)
            deliveries = Deliveries(s, seed)
            generate_stock(s, product_ids, seed=seed, batches=2, deliveries=deliveries)
            kpm = generate_beneficiaries(s, size.kpm, seed=seed, secret=secret)
            cashier_id = users["kasir"].id
        with db.unit_of_work() as s:
            sales = generate_sales(s, size.sales, seed, cashier_id=cashier_id,
                                   product_ids=product_ids, beneficiary_ids=kpm.ids,
                                   days=size.days, deliveries=deliveries)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)" if db.is_sqlite
                                 else "ANALYZE")
    finally:
        db.dispose()
    return BuiltShop(size, seed, kpm.card_numbers, sales, deliveries.generated,
                     time.perf_counter() - t0)
