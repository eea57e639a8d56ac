"""The monthly report's formats: the API's JSON and files, the page, the CLI, the printer."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ewarung.money import format_rupiah
from kube.report import monthly_report
from kube.report.files import RUPIAH_FORMAT
from kube.report.layout import SECTIONS, rows_of, value_at
from tests.factories import make_token, make_user
from tests.helpers import error_code
from tests.pos.conftest import run_cli

MONTH = "2026-10"


@pytest.fixture
def manager(client, db):
    with db.unit_of_work() as s:
        client.token = make_token(s, "manager")
    return client


def _report(db):
    with db.unit_of_work(write=False) as s:
        return monthly_report(s, MONTH)


def _stable(report):
    """The report without the moment it was made."""
    return {k: v for k, v in report.items() if k != "generated_at"}


def test_api_answers_the_report_as_json(manager, db, month):
    resp = manager.get(f"/api/v1/reports/monthly?month={MONTH}")
    assert resp.status_code == 200
    assert _stable(resp.get_json()) == _stable(_report(db))
    assert resp.get_json()["integrity"]["bundles"]["baskets"][0]["kpm"] == 30


@pytest.mark.parametrize("month", ["2026-13", "oktober", "2026-1"])
def test_api_refuses_a_badly_written_month(manager, month):
    resp = manager.get(f"/api/v1/reports/monthly?month={month}")
    assert resp.status_code == 422 and error_code(resp) == "validation_error"
    assert "month" in resp.get_json()["error"]["details"]["fields"]
    file = manager.get(f"/api/v1/reports/monthly/{month}.pdf")
    assert file.status_code == 422 and error_code(file) == "validation_error"


def test_an_unknown_file_format_is_not_found(manager):
    resp = manager.get(f"/api/v1/reports/monthly/{MONTH}.docx")
    assert resp.status_code == 404 and error_code(resp) == "not_found"


def test_cashiers_cannot_read_the_report(client, db):
    with db.unit_of_work() as s:
        client.token = make_token(s, "cashier")
    resp = client.get(f"/api/v1/reports/monthly?month={MONTH}")
    assert resp.status_code == 403 and error_code(resp) == "forbidden"


def _pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_opens_with_the_key_figures_as_text_and_the_chart(manager, db, month):
    resp = manager.get(f"/api/v1/reports/monthly/{MONTH}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert 'filename="laporan-kube-2026-10.pdf"' in resp.headers["Content-Disposition"]
    report = _report(db)
    reader, text = _pdf_text(resp.data)
    assert len(reader.pages) >= 3
    flat = re.sub(r"\s+", " ", text)
    for figure in (report["sales"]["total"], report["profit"]["net_profit"],
                   report["bpnt"]["redeemed"], report["profit"]["cogs"],
                   report["stock"]["closing"], report["expenses"]["total"]):
        assert format_rupiah(figure) in flat
    assert "Laporan Bulanan KUBE · Oktober 2026" in flat
    assert "Penjualan per hari" in flat and "Pengesahan" in flat
    assert "Sri" in flat and "Tini" in flat
    # The chart: a filled rectangle in the bars' colour (#2f7d4a, written "r g b rg") for
    # every day with sales, drawn on the first page, and the days of the month under them.
    content = reader.pages[0].get_contents().get_data().decode("latin-1")
    bars = re.findall(r"\.184314 \.490196 \.290196 rg\s+(?:[^\n]*\n){0,4}?"
                      r"n [\d.]+ [\d.]+ [\d.]+ [\d.]+ re f\*", content)
    days_with_sales = sum(1 for d in report["sales"]["by_day"] if d["total"])
    assert len(bars) >= days_with_sales > 20
    first_page = reader.pages[0].extract_text()
    assert all(f"{n:02d}" in first_page for n in (1, 15, 31))


def _sheet_figures(sheet):
    """{label: cell} of the label/value rows above a sheet's first table."""
    out = {}
    for row in sheet.iter_rows(min_row=2):
        if not row[0].value:
            break
        out[row[0].value] = row[1]
    return out


def test_xlsx_has_a_sheet_per_section_and_numbers_equal_the_json(manager, db, month):
    resp = manager.get(f"/api/v1/reports/monthly/{MONTH}.xlsx")
    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.data))
    report = _report(db)
    assert book.sheetnames == [s.title for s in SECTIONS] + ["Pengesahan"]
    for section in SECTIONS:
        figures = _sheet_figures(book[section.title])
        for field in section.figures:
            cell = figures[field.label]
            expected = value_at(report[section.key], field.key)
            assert cell.value == expected, (section.key, field.key)
            if field.kind in ("money", "int", "percent", "number"):
                assert isinstance(cell.value, int | float)
            if field.kind == "money":
                assert cell.number_format == RUPIAH_FORMAT
    sales = book["Penjualan"]
    days = [row for row in sales.iter_rows(values_only=True)
            if row and hasattr(row[0], "date")]
    assert [(d[0].date().isoformat(), d[1], d[2]) for d in days] == [
        (d["day"], d["count"], d["total"]) for d in report["sales"]["by_day"]]
    profit = {row[0]: row for row in book["Laba"].iter_rows(values_only=True) if row[0]}
    for product in report["profit"]["top_products"]:
        assert profit[product["name"]][3:6] == (product["sales"], product["cogs"],
                                                product["gross_profit"])
    shu = {row[0]: row[1] for row in book["SHU"].iter_rows(values_only=True) if row[0]}
    assert shu["Cadangan"] == report["shu"]["buckets"]["reserve"]
    members = [row for row in book["SHU"].iter_rows(values_only=True) if row[0] in
               {"Sri", "Tini", "Wati", "Yuni"}]
    assert [(m[1], m[2]) for m in members] == [(float(m["weight"]), m["amount"])
                                              for m in report["shu"]["members"]]


def test_csv_is_tidy_section_item_value(manager, db, month):
    resp = manager.get(f"/api/v1/reports/monthly/{MONTH}.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    text = resp.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "item", "value"]
    assert all(len(row) == 3 for row in rows)
    values = {(s, i): v for s, i, v in rows[1:]}
    report = _report(db)
    assert len(values) == len(rows) - 1  # every (section, item) once
    assert values[("sales", "total")] == str(report["sales"]["total"])
    assert values[("stock", "difference")] == "0"
    assert values[("sales", "by_tender.bpnt.net")] == str(
        report["sales"]["by_tender"]["bpnt"]["net"])
    assert values[("sales", "by_day.2026-10-31.total")] == str(
        report["sales"]["by_day"][-1]["total"])
    assert values[("bpnt", "by_group.carbohydrate")] == str(
        report["bpnt"]["by_group"]["carbohydrate"])
    assert values[("shu", "buckets.members")] == str(report["shu"]["buckets"]["members"])
    assert values[("sign_off", "ketua")] == "Sri"
    basket = values[("integrity", "bundles.baskets.1.items")]
    assert basket.startswith("Beras Medium 5 kg, Telur Ayam 1 kg")


@pytest.mark.parametrize(("fmt", "magic"), [
    ("pdf", b"%PDF"), ("xlsx", b"PK"), ("csv", "\ufeffsection,item,value".encode()),
    ("html", b"<!doctype html>"), ("json", b"{")])
def test_cli_writes_each_format(app, db, month, tmp_path, fmt, magic):
    out = tmp_path / f"report.{fmt}"
    result = run_cli(app, "report", "monthly", MONTH, "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(magic)
    total = format_rupiah(_report(db)["sales"]["total"])
    if fmt == "html":
        html = data.decode()
        assert total in html and "<svg" in html and "Pengesahan" in html
        assert "<style>" in html and "@page" in html
    if fmt == "pdf":
        assert total in re.sub(r"\s+", " ", _pdf_text(data)[1])


def test_cli_refuses_a_bad_month(app, db, tmp_path):
    out = tmp_path / "x.pdf"
    result = run_cli(app, "report", "monthly", "2026-13", "-o", str(out))
    assert result.exit_code == 1 and not out.exists()


def test_manager_page_shows_the_report_with_links_chart_and_print(client, db, month):
    with db.unit_of_work() as s:
        make_user(s, "manager", "bendahara1")
    client.login("bendahara1", password="rahasia-123")
    html = client.get(f"/kube/report?month={MONTH}").get_data(as_text=True)
    report = _report(db)
    assert format_rupiah(report["sales"]["total"]) in html
    for fmt in ("pdf", "xlsx", "csv"):
        assert f"/api/v1/reports/monthly/{MONTH}.{fmt}" in html
    assert 'type="month"' in html and 'value="2026-10"' in html
    assert "data-print" in html and "kube-report.js" in html and "kube.css" in html
    assert html.count('class="bar"') == 31
    for section in SECTIONS:
        assert f'id="section-{section.key}"' in html
    not_served = next(t for t in SECTIONS[1].tables if t.key == "not_served")
    assert all(row["name"] in html for _, row in rows_of(report["bpnt"], not_served))
    bad = client.get("/kube/report?month=2026-13")
    assert bad.status_code == 422


def test_report_of_an_empty_month_is_all_zero(manager, db):
    report = manager.get("/api/v1/reports/monthly?month=2025-02").get_json()
    assert report["sales"]["total"] == 0 and report["sales"]["average_basket"] == 0
    assert len(report["sales"]["by_day"]) == 28
    assert report["profit"]["margin"] == 0.0 and report["shu"]["loss"] is True
    assert report["stock"]["difference"] == 0 and report["bpnt"]["served_share"] == 0.0
    assert report["sign_off"]["ketua"] is None
    pdf = manager.get("/api/v1/reports/monthly/2025-02.pdf")
    assert pdf.status_code == 200 and _pdf_text(pdf.data)[1]
    assert date.fromisoformat(report["sign_off"]["date"])


def test_the_openapi_document_describes_the_report_endpoints(manager):
    paths = manager.get("/api/v1/openapi.json").get_json()["paths"]
    assert "month" in {p["name"] for p in paths["/api/v1/reports/monthly"]["get"]["parameters"]}
    assert "get" in paths["/api/v1/reports/monthly/{month}.{fmt}"]
    assert "202" in paths["/api/v1/reports/monthly/{month}/print"]["post"]["responses"]


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv"])
def test_each_report_file_comes_as_the_media_type_the_openapi_document_gives(app, manager, fmt):
    """The document gave every file as application/json (the default of a view without
    an output schema)."""
    from tests.ewarung.contract import Contract

    url = f"/api/v1/reports/monthly/{MONTH}.{fmt}"
    resp = manager.get(url)
    assert resp.status_code == 200
    assert Contract(app).check("GET", url, resp) == []
