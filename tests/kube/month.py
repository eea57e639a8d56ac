"""A generated month of shop life for the report tests: October 2026, with September before
it and the first days of November after it, so every boundary is crossed.

Products in every commodity group, suppliers of several kinds, deliveries, KPM with their
cards and credits, cash, BPNT, mixed and QRIS sales, voids, returns, a stocktake with
shrinkage and gains, write-offs, refused attempts, a bank reconciliation, expenses and KUBE
members. `bundle=True` plants the same 4-item basket bought by 30 KPM.

Sales, voids and returns go through the real services (`pos.sales`, `pos.voids`) at past
moments: a sale is told its moment (`Till.at`), a void or return happens inside
`ewarung.clock.happening_at`, as the demo shop builds its history (`pos.demo`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from aid.models import ReconciliationRun
from ewarung.audit import acting_as
from ewarung.clock import happening_at
from ewarung.money import line_amount
from ewarung.shop import set_setting
from inventory.adjustments import write_off
from inventory.stocktake import approve_stocktake, record_counts, start_stocktake
from kube import services
from pos import voids
from pos.models import SaleRefusal
from pos.sale_records import SaleRecord
from pos.sales import RULE_REFUSALS
from tests.factories import (
    card_key,
    credit,
    make_beneficiary,
    make_card_number,
    make_goods_receipt,
    make_outlet,
    make_product,
    make_sale,
    make_supplier,
    make_user,
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

    app: Any
    products: list[Any] = field(default_factory=list)
    kpm: list[Any] = field(default_factory=list)
    #: each KPM's KKS card number (the shop stores only its keyed hash)
    cards: dict[int, str] = field(default_factory=dict)
    sales: list[SaleRecord] = field(default_factory=list)
    bundle_products: list[Any] = field(default_factory=list)
    cashier: Any = None
    manager: Any = None

    def add_kpm(self, s: Session, name: str, *, period: str | tuple[str, ...] = MONTH,
                **fields: Any) -> Any:
        """A KPM with a card of its own, credited Rp200.000 for each `period`."""
        card = make_card_number()
        kpm = make_beneficiary(s, card_key(self.app), card=card, name=name, **fields)
        for month in (period,) if isinstance(period, str) else period:
            credit(s, kpm, 200_000, month)
        self.cards[kpm.id] = card
        return kpm

    def sell(self, s: Session, lines: list[tuple[Any, ...]], moment: datetime, *,
             kpm: Any = None, tenders: list[tuple[str, int | None]] | None = None
             ) -> SaleRecord:
        """A sale of `lines` [(product, quantity[, unit_price])] at `moment`, by the till.

        Tenders are (kind, amount or None for "the rest"); by default a KPM pays the eligible
        lines with BPNT and anything else in cash, anyone else pays cash.
        """
        if tenders is None:
            eligible = sum(line_amount(ln[2] if len(ln) > 2 else ln[0].price, ln[1])
                           for ln in lines if ln[0].commodity_group != "none")
            total = sum(line_amount(ln[2] if len(ln) > 2 else ln[0].price, ln[1])
                        for ln in lines)
            tenders = [("bpnt", None)] if kpm is not None and eligible else []
            if not tenders or total > eligible:
                tenders.append(("cash", None))
        return make_sale(s, self.app, lines, [self._tender(kind, amount, kpm, moment)
                                              for kind, amount in tenders],
                         cashier=self.cashier, at=moment, approver=self.manager,
                         print_receipt=False)

    def _tender(self, kind: str, amount: int | None, kpm: Any, moment: datetime
                ) -> dict[str, Any]:
        tender: dict[str, Any] = {"kind": kind}
        if amount is not None:
            tender["amount"] = amount
        if kind == "bpnt":
            tender |= {"card": self.cards[kpm.id], "edc_ref": f"{moment:%d%H%M}"}
        elif kind != "cash":
            tender["reference"] = f"QR{moment:%m%d%H%M%S}"
        return tender

    def refused(self, s: Session, lines: list[tuple[Any, ...]], moment: datetime, *, kpm: Any,
                tenders: list[tuple[str, int | None]]) -> str:
        """A sale the till refuses for a program rule, kept as the sales API keeps it."""
        try:
            with s.begin_nested():  # a refusal found while writing undoes the whole sale
                self.sell(s, lines, moment, kpm=kpm, tenders=tenders)
        except RULE_REFUSALS as exc:
            s.add(SaleRefusal(at=moment, cashier_id=self.cashier.id, code=exc.code,
                              beneficiary_id=kpm.id, details=exc.details or None))
            s.flush()
            return exc.code
        raise AssertionError("the till sold what it should have refused")

    def void(self, s: Session, sale: SaleRecord, reason: str, moment: datetime) -> None:
        """Void a sale at `moment`, approved by the manager."""
        with happening_at(moment), acting_as(self.cashier.id):
            voids.void_sale(s, sale.id, reason, approver_id=self.manager.id)

    def take_back(self, s: Session, sale: SaleRecord, items: list[tuple[int, Any]],
                  reason: str, moment: datetime) -> None:
        """Goods of `sale` brought back at `moment`: items are (line index, quantity)."""
        with happening_at(moment), acting_as(self.cashier.id):
            voids.return_lines(s, sale.id, [(sale.lines[i].id, str(q)) for i, q in items],
                               reason, approver_id=self.manager.id)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A shop-local (WIB) moment as aware UTC."""
    return datetime.combine(day, time(hour, minute), UTC) - timedelta(hours=WIB)


def build_month(s: Session, app: Any, *, bundle: bool = False, kpm: int = 40,
                sales: int = 60, seed: int = 7, expenses: int = 180_000) -> Month:
    """Fill an empty shop with September's stock, October's life and a bit of November."""
    rng = random.Random(seed)
    out = Month(app)
    make_outlet(s, village="Sukamaju")
    out.manager = make_user(s, "manager")
    out.cashier = make_user(s, "cashier")
    # this shop sells above the market reference with a manager's approval, and flags it
    set_setting(s, "sales.above_reference", "flag")
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
        out.kpm.append(out.add_kpm(s, f"KPM {i:03d}", period=("2026-09", MONTH, "2026-11"),
                                   village=rng.choice(("A", "B"))))
    make_beneficiary(s, card_key(app), name="KPM nonaktif", active=False)
    _sales(s, rng, out, sales)
    _edges(s, out)
    if bundle:
        _bundle(s, out)
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
            sale = out.sell(s, _basket(rng, out.products, False), moment)
        elif kind == 4:  # QRIS for half, cash for the rest
            lines = _basket(rng, out.products, False)
            total = sum(line_amount(p.price, q) for p, q in lines)
            sale = out.sell(s, lines, moment,
                            tenders=[("qris", total // 2), ("cash", total - total // 2)])
        else:  # a KPM: BPNT for eligible goods, mixed when the basket has other goods
            kpm = out.kpm[n % (len(out.kpm) - 5)]  # the last five KPM are never served
            lines = _basket(rng, out.products, kind == 2)
            total = sum(line_amount(p.price, q) for p, q in lines)
            eligible = sum(line_amount(p.price, q) for p, q in lines
                           if p.commodity_group != "none")
            bpnt = min(eligible, 90_000)
            tenders = [("bpnt", bpnt)] if bpnt else []
            if total > bpnt:
                tenders.append(("cash", None))
            sale = out.sell(s, lines, moment, kpm=kpm, tenders=tenders)
        out.sales.append(sale)


def _edges(s: Session, out: Month) -> None:
    rice, egg, oil = out.products[0], out.products[2], out.products[8]
    # just after local midnight on the 1st: October (UTC still says September 30)
    out.sales.append(out.sell(s, [(rice, "2")], at(FIRST, 0, 30)))
    # just after local midnight on November 1st: not October (UTC still says October 31)
    nov = date(2026, 11, 1)
    out.sell(s, [(rice, "3")], at(nov, 0, 30))
    # priced above the reference with a manager's approval
    out.sales.append(out.sell(s, [(rice, "5", 14_500), (egg, "1")],
                              at(FIRST + timedelta(days=4), 10)))
    # a KPM sale voided, and one only partly paid by BPNT
    voided = out.sell(s, [(egg, "1"), (oil, 1)], at(FIRST + timedelta(days=5), 10),
                      kpm=out.kpm[-5])
    out.void(s, voided, "KPM salah kartu", at(FIRST + timedelta(days=5), 18))
    partial = out.sell(s, [(rice, "2"), (egg, "1"), (oil, 1)],
                       at(FIRST + timedelta(days=6), 10), kpm=out.kpm[0],
                       tenders=[("bpnt", 20_001), ("cash", None)])
    out.sales.append(partial)
    # returns: a cash sale, a KPM sale (BPNT back to the card), one made in November
    cash_sale = next(x for x in out.sales if x.bpnt is None and len(x.lines) >= 2)
    out.take_back(s, cash_sale, [(0, cash_sale.lines[0].quantity)], "kemasan rusak",
                  cash_sale.created_at + timedelta(minutes=30))
    out.take_back(s, partial, [(1, "0.5"), (2, 1)], "telur pecah",
                  at(FIRST + timedelta(days=6), 17))
    later = next(x for x in out.sales if x.bpnt is not None and x is not partial)
    out.take_back(s, later, [(0, "0.5" if later.lines[0].unit == "kg" else 1)], "barang rusak",
                  at(nov, 9))
    # a voided cash sale after a partial return
    day = FIRST + timedelta(days=20)
    other = out.sell(s, [(rice, "4"), (egg, "2")], at(day, 10))
    out.take_back(s, other, [(0, "1")], "barang rusak", at(day, 17))
    out.void(s, other, "pembeli batal", at(day, 18))


def _bundle(s: Session, out: Month) -> None:
    """The same four items, in the same quantities, bought by 30 different KPM."""
    picks = [out.products[i] for i in (0, 2, 4, 6)]
    out.bundle_products = picks
    quantities = ("5", "1", 2, 2)
    for i in range(30):
        kpm = out.add_kpm(s, f"KPM paket {i:02d}")
        lines = list(zip(picks, quantities, strict=True))
        if i % 2:  # the same basket typed in another order, rice on two lines
            lines = [(picks[2], 2), (picks[0], "3"), (picks[3], 2), (picks[1], "1"),
                     (picks[0], "2")]
        out.sell(s, lines, at(FIRST + timedelta(days=9 + i % 3), 10, i), kpm=kpm)


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
    # attempts the till refused: oil on the card (twice in October, once in November) and
    # more than the card has left
    rice, oil, kpm = out.products[0], out.products[8], out.kpm[1]
    for moment in (at(FIRST + timedelta(days=2), 10), at(FIRST + timedelta(days=3), 11),
                   at(date(2026, 11, 3), 10)):
        out.refused(s, [(oil, 1)], moment, kpm=kpm, tenders=[("bpnt", None)])
    out.refused(s, [(rice, "20")], at(FIRST + timedelta(days=8), 12), kpm=kpm,
                tenders=[("bpnt", None)])
    for first, last, matched in ((date(2026, 10, 1), date(2026, 10, 15), 12),
                                 (date(2026, 10, 16), date(2026, 10, 31), 9),
                                 (date(2026, 9, 1), date(2026, 9, 30), 40)):
        s.add(ReconciliationRun(filename=f"edc-{first}.csv", first_day=first, last_day=last,
                                matched=matched, amount_differs=1, bank_only=0, shop_only=2,
                                unreadable=0, bank_total=matched * 50_000,
                                shop_total=matched * 50_000 + 20_000))
    s.flush()
