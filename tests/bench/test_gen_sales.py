"""The past-sales generator writes what the till writes, consistently, fast enough for 500,000."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from aid.models import EntitlementEntry
from aid.settings import bpnt_settings
from bench.gen.beneficiaries import generate_beneficiaries
from bench.gen.catalogue import generate_products, generate_stock
from bench.gen.sales import generate_sales
from ewarung.db import utcnow
from inventory import stock
from inventory.models import StockMove
from pos.models import Sale, SaleLine, Tender
from tests.bench.test_gen_month import _outside_their_shift
from tests.factories import make_product, make_stock, make_token, make_user


def test_generated_sales_keep_both_ledgers_consistent_and_the_numbering_going(app, db,
                                                                             client):
    with db.unit_of_work() as s:
        ids = generate_products(s, 200, seed=7)
        generate_stock(s, ids, seed=7)
        kpm = generate_beneficiaries(s, 50, seed=7, secret=app.config["SECRET_KEY"])
        cashier_id = make_user(s, "cashier", "gen").id
        today = bpnt_settings(s).day(utcnow())
        made = generate_sales(s, 2_000, seed=7, cashier_id=cashier_id, product_ids=ids,
                              beneficiary_ids=kpm.ids, days=20, end=today + timedelta(days=1))
    assert made.sales == 2_000 and made.bpnt_tenders > 30 and made.last_day == today
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Sale)) == 2_000
        assert s.scalar(select(func.count()).select_from(SaleLine)) == made.lines
        assert stock.discrepancies(s) == []
        cost = s.scalar(select(func.sum(SaleLine.cost)))
        taken = -s.scalar(select(func.sum(StockMove.value)).where(StockMove.kind == "sale"))
        assert cost == taken
        by_month = s.execute(select(EntitlementEntry.beneficiary_id, EntitlementEntry.period,
                                    func.sum(EntitlementEntry.amount))
                             .group_by(EntitlementEntry.beneficiary_id,
                                       EntitlementEntry.period)).all()
        assert all(total >= 0 for _, _, total in by_month)  # never more than the month's credit
        linked = s.scalar(select(func.count()).select_from(Tender).join(
            EntitlementEntry, EntitlementEntry.id == Tender.entitlement_entry_id).where(
            EntitlementEntry.sale_id == Tender.sale_id))
        assert linked == made.bpnt_tenders
        paid = s.scalar(select(func.sum(Tender.amount)))
        assert paid == s.scalar(select(func.sum(Sale.total)))
        generated_today = s.scalar(select(func.count()).where(Sale.business_day == today))
        assert _outside_their_shift(s) == 0
    with db.unit_of_work() as s:
        product = make_product(s, "Dijual sesudahnya")
        make_stock(s, product, 5)
        client.token = make_token(s, "cashier")
    sale = client.post("/api/v1/sales", json={
        "client_ref": "after-generation", "lines": [{"product_id": product.id, "quantity": 1}],
        "tenders": [{"kind": "cash"}]}).get_json()
    assert int(sale["number"][-4:]) == generated_today + 1
