"""The demo shop tells the truth (issue 12): the stock value it prints is the stock page's,
and its whole month does not throw away a large part of what it sold (the demo writes off
only expired goods)."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from ewarung.clock import month_label, previous_months, shop_today
from kube.report import monthly_report
from tests.factories import PASSWORD, make_user
from tests.pos.conftest import run_cli

pytestmark = pytest.mark.calendar

#: expired goods thrown away, at most this share of the month's cost of goods sold
EXPIRED_SHARE = Fraction(1, 10)


def test_the_demo_prints_the_stock_value_the_stock_page_shows(app, client, db):
    result = run_cli(app, "demo")
    assert result.exit_code == 0, result.output
    printed = re.findall(r"stock on hand worth (Rp\d{1,3}(?:\.\d{3})*)", result.output)
    assert len(printed) == 1, result.output
    with db.unit_of_work() as s:
        make_user(s, "manager", "bendahara1")
    client.login("bendahara1", password=PASSWORD)
    page = client.get("/inventory/stock").get_data(as_text=True)
    shown = re.search(r"Nilai stok: (Rp\d{1,3}(?:\.\d{3})*)", page)[1]
    assert printed[0] == shown

    with db.unit_of_work(write=False) as s:
        month = month_label(previous_months(shop_today(s).replace(day=1), 2)[0])
        report = monthly_report(s, month)
    cogs = report["profit"]["cogs"]
    assert cogs > 0
    assert report["stock"]["write_offs"] <= cogs * EXPIRED_SHARE, (
        month, report["stock"]["write_offs"], cogs)
