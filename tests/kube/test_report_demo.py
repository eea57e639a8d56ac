"""The monthly report of the demo shop: what `ewarung demo` records balances, in every file.

The demo (`ewarung.demo.DOMAIN_DEMOS`) builds months of deliveries and, from the first day
of last month, sales, voids and a return through the real services, dated relative to today;
the report of the demo's whole month (last month) must balance and open as JSON, PDF and XLSX,
and so must this month's, however few days it has had.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ewarung.clock import month_label, previous_months, shop_today
from ewarung.money import format_rupiah
from kube.report.layout import SECTIONS
from tests.factories import make_token
from tests.kube.conftest import sql
from tests.pos.conftest import run_cli

pytestmark = pytest.mark.calendar


@pytest.fixture
def demo_month(app, db, client) -> str:
    """The demo shop loaded by the CLI, a manager's token on `client`, and the demo's whole
    month (last month)."""
    result = run_cli(app, "demo")
    assert result.exit_code == 0, result.output
    with db.unit_of_work() as s:
        client.token = make_token(s, "manager")
        return month_label(previous_months(shop_today(s).replace(day=1), 2)[0])


def _balances(report):
    """The stock identity holds to the Rupiah and the tenders add up to the sales."""
    stock = report["stock"]
    assert stock["difference"] == 0
    assert stock["opening"] + stock["purchases"] - stock["cogs"] + stock["returns"] \
        + stock["adjustments"] - stock["shrinkage"] - stock["write_offs"] == stock["closing"]
    assert report["sales"]["tender_difference"] == 0
    assert sum(t["net"] for t in report["sales"]["by_tender"].values()) == \
        report["sales"]["total"]


def test_the_demo_months_report_balances_as_json_pdf_and_xlsx(client, db, demo_month):
    resp = client.get(f"/api/v1/reports/monthly?month={demo_month}")
    assert resp.status_code == 200
    report = resp.get_json()
    _balances(report)
    sales, stock = report["sales"], report["stock"]
    assert sales["count"] > 0 and sales["by_tender"]["bpnt"]["gross"] > 0
    assert report["integrity"]["voids"]["count"] >= 1
    # every stock movement of the month is the demo's sales, so both COGS agree
    assert stock["cogs"] - stock["returns"] == report["profit"]["cogs"]
    with db.unit_of_work(write=False) as s:
        held = sql(s, "SELECT sum(value_left) FROM stock_batches")[0][0]
        this_month = month_label(shop_today(s).replace(day=1))
    now = client.get(f"/api/v1/reports/monthly?month={this_month}").get_json()
    _balances(now)
    assert now["stock"]["opening"] == stock["closing"]
    assert now["stock"]["closing"] == held  # nothing happened after this month

    pdf = client.get(f"/api/v1/reports/monthly/{demo_month}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) >= 3
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))
    for figure in (sales["total"], stock["closing"], report["bpnt"]["redeemed"]):
        assert format_rupiah(figure) in text

    xlsx = client.get(f"/api/v1/reports/monthly/{demo_month}.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == [section.title for section in SECTIONS] + ["Pengesahan"]
    section = next(section for section in SECTIONS if section.key == "stock")
    figures = {}
    for label, value, *_ in book[section.title].iter_rows(min_row=2, values_only=True):
        if not label:
            break
        figures[label] = value
    assert {f.key: figures[f.label] for f in section.figures} == \
        {f.key: stock[f.key] for f in section.figures}
    assert figures[section.figures[-1].label] == 0  # the difference

    # the months before: deliveries, stock the demo consumed before its sales, the sales' start
    for first in previous_months(date.fromisoformat(f"{demo_month}-01"), 4)[:-1]:
        _balances(client.get(f"/api/v1/reports/monthly?month={month_label(first)}").get_json())
