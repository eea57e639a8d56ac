"""A generated month of shop life for the report tests: October 2026, with September before
it and the first days of November after it, so every boundary is crossed.

Products in every commodity group, suppliers of several kinds, deliveries, KPM with their
credits, cash, BPNT, mixed and QRIS sales, voids, returns, a stocktake with shrinkage and
gains, write-offs, refused attempts, a bank reconciliation, expenses and KUBE members.
`bundle=True` plants the same 4-item basket bought by 30 KPM.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ewarung.money import line_amount
from inventory.adjustments import write_off
from inventory.calendar import happening_at
from inventory.stocktake import approve_stocktake, record_counts, start_stocktake
from kube import services
from pos.models import ReconciliationRun
from pos.sale_models import SaleRefusal
from tests.factories import (
    credit,
    make_beneficiary,
    make_goods_receipt,
    make_outlet,
    make_product,
    make_supplier,
    make_user,
    standin_return,
    standin_sale,
    standin_void,
)

MONTH = "2026-10"
FIRST = date(2026, 10, 1)
WIB = 7  # hours ahead of UTC (Asia/Jakarta, no daylight saving)

CATALOGUE = [  # name, unit, price, group, reference price
    ("Beras Medium", "kg", 13_000, "carbohydrate", 14_000),
    ("Beras Premium", "kg", 15_500, "carbohydrate", None),
    ("Telur Ayam", "kg", 28_000, "animal_protein", 30_000),
    ("Ikan Bandeng", "kg", 32_000, "animal_protein", None),
    ("Tempe", "papan", 6_000, "plant_protein", 6_500),
    ("Kacang Hijau", "kg", 24_000, "plant_protein", None),
    ("Bayam", "ikat", 3_000, "vitamins_minerals", None),
    ("Pisang Ambon", "sisir", 17_000, "vitamins_minerals", None),
    ("Minyak Goreng 1 L", "botol", 18_500, "none", None),
    ("Gula Pasir", "kg", 16_000, "none", None),
]


@dataclass
class Month:
    """What was generated, for the tests to refer to."""

    products: list[Any] = field(default_factory=list)
    kpm: list[Any] = field(default_factory=list)
    sales: list[Any] = field(default_factory=list)
    bundle_products: list[Any] = field(default_factory=list)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A shop-local (WIB) moment as aware UTC."""
    return datetime.combine(day, time(hour, minute), UTC) - timedelta(hours=WIB)


def build_month(s: Session, key: bytes, *, bundle: bool = False, kpm: int = 40,
                sales: int = 60, seed: int = 7, expenses: int = 180_000) -> Month:
    """Fill an empty shop with September's stock, October's life and a bit of November."""
    rng = random.Random(seed)
    out = Month()
    make_outlet(s, village="Sukamaju")
    make_user(s, "manager")
    for name, position, weight in (("Sri", "ketua", "2"), ("Tini", "bendahara", "1"),
                                   ("Wati", "anggota", "1.5"), ("Yuni", "anggota", "1")):
        services.add_member(s, name, position, Decimal(weight))
    suppliers = [make_supplier(s, kind, name=f"{kind} {i}") for i, kind in enumerate(
        ("third_party", "local_producer", "kube_member", "bulog"))]
    for name, unit, price, group, ref in CATALOGUE:
        out.products.append(make_product(s, name, unit=unit, price=price,
                                         commodity_group=group, reference_price=ref))
    _deliveries(s, rng, out.products, suppliers)
    for i in range(kpm):
        b = make_beneficiary(s, key, name=f"KPM {i:03d}", village=rng.choice(("A", "B")))
        for period in ("2026-09", "2026-10", "2026-11"):
            credit(s, b, 200_000, period)
        out.kpm.append(b)
    make_beneficiary(s, key, name="KPM nonaktif", active=False)
    _sales(s, rng, out, sales)
    _edges(s, out)
    if bundle:
        _bundle(s, key, out)
    _stock_events(s, out.products)
    _paperwork(s, out, expenses)
    return out


def _deliveries(s: Session, rng: random.Random, products: list[Any],
                suppliers: list[Any]) -> None:
    for day, qty in ((date(2026, 9, 20), 200), (FIRST + timedelta(days=14), 120),
                     (date(2026, 11, 2), 50)):
        with happening_at(at(day, 8)):
            for supplier in suppliers:
                lines = [(p, qty, round(p.price * rng.uniform(0.7, 0.9)))
                         for p in products if rng.random() < 0.7 or supplier is suppliers[0]]
                make_goods_receipt(s, lines, supplier=supplier, received_on=day)
    # a delivery entered by mistake and reversed the same month
    from inventory.receiving import reverse_receipt
    with happening_at(at(FIRST + timedelta(days=3), 9)):
        wrong = make_goods_receipt(s, [(products[0], 10, 12_000)], supplier=suppliers[0])
        reverse_receipt(s, wrong.id, note="salah catat")


def _basket(rng: random.Random, products: list[Any], eligible_only: bool) -> list[tuple]:
    pool = [p for p in products if p.commodity_group != "none"] if eligible_only else products
    chosen = rng.sample(pool, rng.randint(1, 4))
    return [(p, rng.choice(("1", "2", "1.5", "0.5")) if p.unit == "kg" else rng.randint(1, 3))
            for p in chosen]


def _sales(s: Session, rng: random.Random, out: Month, count: int) -> None:
    for n in range(count):
        day = FIRST + timedelta(days=rng.randrange(31))
        moment = at(day, rng.randint(7, 20), rng.randint(0, 59))
        kind = n % 5
        if kind in (0, 1):  # cash to the public
            sale = standin_sale(s, _basket(rng, out.products, False), day=day, at=moment)
        elif kind == 4:  # QRIS for half, cash for the rest
            lines = _basket(rng, out.products, False)
            total = sum(line_amount(p.price, q) for p, q in lines)
            sale = standin_sale(s, lines, day=day, at=moment,
                             tenders=[("qris", total // 2), ("cash", total - total // 2)])
        else:  # a KPM: BPNT for eligible goods, mixed when the basket has other goods
            kpm = out.kpm[n % (len(out.kpm) - 5)]  # the last five KPM are never served
            lines = _basket(rng, out.products, kind == 2)
            eligible = sum(line_amount(p.price, q) for p, q in lines
                           if p.commodity_group != "none")
            tenders = [("bpnt", min(eligible, 90_000)), ("cash", None)] if eligible else \
                [("cash", None)]
            sale = standin_sale(s, lines, day=day, at=moment, beneficiary=kpm, tenders=tenders)
        out.sales.append(sale)


def _edges(s: Session, out: Month) -> None:
    rice, egg, oil = out.products[0], out.products[2], out.products[8]
    # just after local midnight on the 1st: October (UTC still says September 30)
    out.sales.append(standin_sale(s, [(rice, "2")], day=FIRST, at=at(FIRST, 0, 30)))
    # just after local midnight on November 1st: not October (UTC still says October 31)
    nov = date(2026, 11, 1)
    standin_sale(s, [(rice, "3")], day=nov, at=at(nov, 0, 30))
    # priced above the reference with a manager's approval
    out.sales.append(standin_sale(s, [(rice, "5", 14_500), (egg, "1")],
                               day=FIRST + timedelta(days=4)))
    # a KPM sale voided, and one only partly paid by BPNT
    kpm = out.kpm[-5]
    voided = standin_sale(s, [(egg, "1"), (oil, 1)], beneficiary=kpm, day=FIRST + timedelta(5))
    standin_void(s, voided, "KPM salah kartu")
    partial = standin_sale(s, [(rice, "2"), (egg, "1"), (oil, 1)], beneficiary=out.kpm[0],
                        day=FIRST + timedelta(days=6), tenders=[("bpnt", 20_001),
                                                                ("cash", None)])
    out.sales.append(partial)
    # returns: a cash sale, a KPM sale (BPNT back to the card), one made in November
    cash_sale = next(x for x in out.sales if x.beneficiary_id is None and x.status ==
                     "completed" and len(x.lines) >= 2)
    standin_return(s, cash_sale, [(0, cash_sale.lines[0].quantity)], reason="kemasan rusak")
    standin_return(s, partial, [(1, "0.5"), (2, 1)], reason="telur pecah")
    later = next(x for x in out.sales if x.beneficiary_id is not None and x is not partial)
    standin_return(s, later, [(0, "0.5" if later.lines[0].unit == "kg" else 1)],
                at=at(nov, 9))
    # a voided cash sale after a partial return
    other = standin_sale(s, [(rice, "4"), (egg, "2")], day=FIRST + timedelta(days=20))
    standin_return(s, other, [(0, "1")])
    standin_void(s, other, "pembeli batal")


def _bundle(s: Session, key: bytes, out: Month) -> None:
    """The same four items, in the same quantities, bought by 30 different KPM."""
    picks = [out.products[i] for i in (0, 2, 4, 6)]
    out.bundle_products = picks
    quantities = ("5", "1", 2, 2)
    for i in range(30):
        kpm = make_beneficiary(s, key, name=f"KPM paket {i:02d}")
        credit(s, kpm, 200_000, MONTH)
        lines = list(zip(picks, quantities, strict=True))
        if i % 2:  # the same basket typed in another order, rice on two lines
            lines = [(picks[2], 2), (picks[0], "3"), (picks[3], 2), (picks[1], "1"),
                     (picks[0], "2")]
        standin_sale(s, lines, beneficiary=kpm, day=FIRST + timedelta(days=9 + i % 3))


def _stock_events(s: Session, products: list[Any]) -> None:
    with happening_at(at(FIRST + timedelta(days=25), 19)):
        take = start_stocktake(s, "opname akhir bulan")
        from inventory.stock import on_hand
        counts = [{"product_id": products[0].id, "counted": str(on_hand(s, products[0].id)
                                                                 - 3)},
                  {"product_id": products[5].id, "counted": str(on_hand(s, products[5].id)
                                                                 - Decimal("1.5"))},
                  {"product_id": products[6].id, "counted": str(on_hand(s, products[6].id)
                                                                 + 2)}]
        record_counts(s, take.id, counts)
        approve_stocktake(s, take.id)
        write_off(s, {"product_id": products[7].id, "quantity": "2", "reason": "damaged"})
    with happening_at(at(FIRST + timedelta(days=27), 8)):
        write_off(s, {"product_id": products[3].id, "quantity": "1.5", "reason": "expired"})


def _paperwork(s: Session, out: Month, expenses: int) -> None:
    services.record_expense(s, FIRST + timedelta(days=2), "transport", expenses // 3)
    services.record_expense(s, FIRST + timedelta(days=9), "electricity", expenses - expenses // 3)
    services.record_expense(s, FIRST + timedelta(days=9), "bags", 12_345)
    gone = services.record_expense(s, FIRST + timedelta(days=10), "rent", 500_000)
    services.void_expense(s, gone.id, "dobel")
    services.record_expense(s, date(2026, 9, 30), "rent", 300_000)
    services.record_expense(s, date(2026, 11, 1), "rent", 300_000)
    for moment, code in ((at(FIRST + timedelta(days=2), 10), "not_eligible_for_bpnt"),
                         (at(FIRST + timedelta(days=3), 11), "not_eligible_for_bpnt"),
                         (at(FIRST + timedelta(days=8), 12), "bpnt_balance_exceeded"),
                         (at(date(2026, 11, 3), 10), "not_eligible_for_bpnt")):
        s.add(SaleRefusal(at=moment, code=code, beneficiary_id=out.kpm[1].id,
                          details={"product_ids": [out.products[8].id]}))
    for first, last, matched in ((date(2026, 10, 1), date(2026, 10, 15), 12),
                                 (date(2026, 10, 16), date(2026, 10, 31), 9),
                                 (date(2026, 9, 1), date(2026, 9, 30), 40)):
        s.add(ReconciliationRun(filename=f"edc-{first}.csv", first_day=first, last_day=last,
                                matched=matched, amount_differs=1, bank_only=0, shop_only=2,
                                unreadable=0, bank_total=matched * 50_000,
                                shop_total=matched * 50_000 + 20_000))
    s.flush()
