"""The report benchmark's month generator writes what the sale service would: consistent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bench.gen.month import generate_month
from inventory import stock
from kube.report import monthly_report
from pos import shifts
from pos.models import Sale, Shift, Tender


def _outside_their_shift(s):
    """Sales in no shift or another cashier's; a closed shift counted unlike its cash."""
    wrong = s.scalar(select(func.count()).select_from(Sale).outerjoin(
        Shift, Shift.id == Sale.shift_id).where(
        (Shift.id.is_(None)) | (Shift.cashier_id != Sale.cashier_id)))
    for shift in s.scalars(select(Shift)):
        cash = s.scalar(select(func.coalesce(func.sum(Tender.amount), 0)).join(
            Sale, Sale.id == Tender.sale_id).where(Sale.shift_id == shift.id,
                                                  Tender.kind == "cash"))
        report = shifts.shift_report(s, shift)
        wrong += report.variance != 0 or report.expected_cash != shift.opening_float + cash
    return wrong


def test_generated_month_is_consistent_for_the_report(db):
    with db.unit_of_work() as s:
        counts = generate_month(s, date(2026, 10, 1), sales=300, products=150, kpm=200)
    assert counts["sales"] == 300 and counts["lines"] == 1200
    with db.unit_of_work(write=False) as s:
        assert stock.discrepancies(s) == []
        report = monthly_report(s, "2026-10")
        assert _outside_their_shift(s) == 0
    assert report["sales"]["count"] == 300 and report["sales"]["tender_difference"] == 0
    assert report["stock"]["difference"] == 0 and report["stock"]["cogs"] == \
        report["profit"]["cogs"]
    assert report["bpnt"]["redeemed"] == report["sales"]["by_tender"]["bpnt"]["net"] > 0
    assert report["suppliers"]["total"] > 0 and len(report["suppliers"]["suppliers"]) == 10
