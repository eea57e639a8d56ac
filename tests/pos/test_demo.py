"""The demo shop's sales: weeks of cash and BPNT sales, voids, closed shifts, all consistent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from aid import ledger
from aid.models import Beneficiary
from ewarung.auth.models import User
from inventory import stock
from pos import shifts
from pos.models import Sale, SaleReturn, Shift, Tender
from tests.pos.conftest import run_cli

pytestmark = pytest.mark.calendar


def test_demo_sales_span_weeks_with_bpnt_voids_and_closed_shifts(app, db):
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
        # two shifts a day; yesterday afternoon's closed Rp2.000 short
        assert s.scalar(select(func.count()).select_from(Shift)) == 2 * len(days)
        shift = s.scalars(select(Shift).order_by(Shift.id.desc())).first()
        assert shift.closed_at is not None and shift.counted_cash == shift.expected_cash - 2000
        assert s.scalar(select(func.count()).where(Sale.shift_id == shift.id)) >= 5
        for day, count in days:  # numbers run 0001.. without gaps on every day
            numbers = s.scalars(select(Sale.number).where(Sale.business_day == day)).all()
            assert sorted(int(n[-4:]) for n in numbers) == list(range(1, count + 1))
        assert stock.discrepancies(s) == []
        ids = s.scalars(select(Beneficiary.id)).all()
        assert all(e.remaining >= 0 for e in ledger.entitlements_of(s, ids).values())


def test_every_demo_sale_belongs_to_a_shift_of_its_own_cashier(app, db):
    result = run_cli(app, "demo")
    assert result.exit_code == 0, result.output
    with db.unit_of_work(write=False) as s:
        cashier_of = dict(s.execute(select(Shift.id, Shift.cashier_id)).all())
        sales = s.execute(select(Sale.id, Sale.cashier_id, Sale.shift_id, Sale.created_at)).all()
        assert sales and all(sale.shift_id is not None for sale in sales)
        assert all(cashier_of[sale.shift_id] == sale.cashier_id for sale in sales)
        names = set(s.scalars(select(User.username).join(Shift, Shift.cashier_id == User.id)))
        assert names == {"siti", "budi"}
        for shift in s.scalars(select(Shift)):
            mine = [sale for sale in sales if sale.shift_id == shift.id]
            assert all(shift.opened_at <= sale.created_at for sale in mine)
            if shift.closed_at is not None:
                assert all(sale.created_at <= shift.closed_at for sale in mine)
                assert shift.counted_cash is not None and shift.expected_cash is not None
            report = shifts.shift_report(s, shift)
            completed = s.scalar(select(func.count()).where(
                Sale.shift_id == shift.id, Sale.status == "completed"))
            assert report.sales_count == completed
        # every past day's shifts are closed, with the cash counted
        open_ = s.scalars(select(Shift).where(Shift.closed_at.is_(None))).all()
        assert open_ == []
        voided = s.execute(select(Sale.voided_by, Sale.void_shift_id)
                           .where(Sale.status == "voided")).all()
        assert voided and all(cashier_of[v.void_shift_id] == v.voided_by for v in voided)
