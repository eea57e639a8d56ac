"""`ewarung demo`: the e-Warong catalogue, suppliers of every kind, months of deliveries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ewarung.cli import cli
from ewarung.clock import shop_today
from inventory import reports, stock
from inventory.models import SUPPLIER_KINDS, GoodsReceipt, Product, StockMove, Supplier

pytestmark = pytest.mark.calendar


def test_the_demo_shop_has_a_realistic_stock_history(app, db):
    result = app.test_cli_runner().invoke(cli, ["demo"], obj=app)
    assert result.exit_code == 0, result.output
    assert "40 products, 8 suppliers" in result.output
    with db.unit_of_work(write=False) as s:
        products = {p.sku: p for p in s.scalars(select(Product))}
        names = " ".join(p.name for p in products.values())
        for item in ("Beras Premium 5 kg", "Beras Premium 10 kg", "Telur Ayam Negeri",
                     "Daging Ayam", "Ikan", "Tempe", "Tahu", "Kacang Hijau", "Bayam",
                     "Pisang", "Minyak Goreng", "Gula Pasir", "Tepung Terigu", "Mi Instan",
                     "Sabun"):
            assert item in names, item
        assert products["TLR-KG"].unit == "kg" and products["TLR-KG"].tracks_expiry
        assert {p.commodity_group for p in products.values()
                if p.sku in ("MNY-1L", "GLA-1", "TPG-1", "MIE-GRG", "SBN-CP")} == {"none"}
        assert set(s.scalars(select(Supplier.kind))) == set(SUPPLIER_KINDS)
        first, last = s.execute(select(func.min(GoodsReceipt.received_on),
                                       func.max(GoodsReceipt.received_on))).one()
        assert (last - first).days >= 90
        assert stock.discrepancies(s) == []
        assert s.scalar(select(func.count()).select_from(StockMove)
                        .where(StockMove.kind == "write_off")) > 0
        last_month = (shop_today(s).replace(day=1) - timedelta(days=1)).replace(day=1)
        _, trend = reports.supplier_dependency(s, last_month)
        shares = [d.kind_share("third_party") for _, d in trend if d.total]
        assert shares[0] > 0.6 and shares[-1] < 0.45  # the shop weaned itself off the agent
        assert all(line.on_hand >= 0 for line in reports.stock_overview(s))
