"""The demo shop's sales: weeks of cash and BPNT sales, voids, a closed shift, all consistent."""

from __future__ import annotations

from sqlalchemy import func, select

from inventory import stock
from pos import ledger
from pos.models import Beneficiary
from pos.sale_models import Sale, SaleReturn, Shift, Tender
from tests.pos.conftest import run_cli


def test_demo_sales_span_weeks_with_bpnt_voids_and_a_closed_shift(app, db):
    result = run_cli(app, "demo")
    assert result.exit_code == 0, result.output
    assert "Sales:" in result.output
    with db.unit_of_work(write=False) as s:
        days = s.execute(select(Sale.business_day, func.count()).group_by(Sale.business_day)
                         .order_by(Sale.business_day)).all()
        assert len(days) >= 25 and all(n >= 10 for _, n in days)
        kinds = dict(s.execute(select(Tender.kind, func.count()).group_by(Tender.kind)).all())
        assert kinds["cash"] > 200 and kinds["bpnt"] > 20 and kinds.get("qris", 0) > 0
        assert 3 <= s.scalar(select(func.count()).where(Sale.status == "voided")) <= 5
        assert s.scalar(select(func.count()).select_from(SaleReturn)) == 1
        (shift,) = s.scalars(select(Shift)).all()
        assert shift.closed_at is not None and shift.counted_cash == shift.expected_cash - 2000
        assert s.scalar(select(func.count()).where(Sale.shift_id == shift.id)) >= 10
        for day, count in days:  # numbers run 0001.. without gaps on every day
            numbers = s.scalars(select(Sale.number).where(Sale.business_day == day)).all()
            assert sorted(int(n[-4:]) for n in numbers) == list(range(1, count + 1))
        assert stock.discrepancies(s) == []
        ids = s.scalars(select(Beneficiary.id)).all()
        assert all(e.remaining >= 0 for e in ledger.entitlements_of(s, ids).values())
