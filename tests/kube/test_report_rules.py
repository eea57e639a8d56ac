"""The report's rules: bundles flagged at the threshold, a loss shares nothing, the printer."""

from __future__ import annotations

import pytest

from ewarung.money import format_rupiah
from ewarung.shop import set_setting
from kube.report import monthly_report
from printer.worker import process_pending
from tests.conftest import make_app
from tests.factories import make_token
from tests.helpers import error_code
from tests.kube.month import FIRST, at, build_month
from tests.printer.escpos_decode import decode
from tests.printer.printers import TcpPrinter


def _bundles(db):
    with db.unit_of_work(write=False) as s:
        return monthly_report(s, "2026-10")["integrity"]["bundles"]


def test_a_planted_bundle_is_flagged_and_varied_baskets_are_not(db, month):
    bundles = _bundles(db)
    assert bundles["min_kpm"] == 20
    assert len(bundles["baskets"]) == 1
    flagged = bundles["baskets"][0]
    assert (flagged["kpm"], flagged["sales"]) == (30, 30)
    # typed in another order with the rice on two lines, it is still the same basket
    assert [(i["product_id"], i["quantity"]) for i in flagged["items"]] == [
        (p.id, q) for p, q in zip(month.bundle_products, ("5.000", "1.000", "2.000", "2.000"),
                                  strict=True)]


def test_varied_baskets_alone_are_never_flagged(app, db):
    with app.app_context(), db.unit_of_work() as s:
        build_month(s, app, bundle=False, sales=120, kpm=60)
    assert _bundles(db)["baskets"] == []


def test_the_threshold_is_a_setting(app, db, month):
    with db.unit_of_work() as s:
        set_setting(s, "kube.bundle_min_kpm", 31)
    assert _bundles(db)["baskets"] == []
    with db.unit_of_work() as s:
        set_setting(s, "kube.bundle_min_kpm", 30)
    assert len(_bundles(db)["baskets"]) == 1


def test_one_kpm_buying_the_same_basket_often_is_not_a_bundle(app, db, month):
    with app.app_context(), db.unit_of_work() as s:
        set_setting(s, "kube.bundle_min_kpm", 3)
        kpm = month.add_kpm(s, "KPM rajin")
        rice, egg = month.products[0], month.products[2]
        for day in range(3):
            month.sell(s, [(rice, "1"), (egg, "1")], at(FIRST.replace(day=20 + day), 10),
                       kpm=kpm)
    baskets = _bundles(db)["baskets"]
    assert all(b["kpm"] >= 3 for b in baskets)
    assert not any({i["product_id"] for i in b["items"]} == {month.products[0].id,
                                                             month.products[2].id}
                   for b in baskets)


def test_a_loss_shares_no_shu_and_says_so(app, db):
    with app.app_context(), db.unit_of_work() as s:
        build_month(s, app, sales=20, expenses=50_000_000)
    with db.unit_of_work(write=False) as s:
        report = monthly_report(s, "2026-10")
    shu = report["shu"]
    assert report["profit"]["net_profit"] < 0
    assert shu["loss"] is True and shu["net_profit"] == report["profit"]["net_profit"]
    assert set(shu["buckets"].values()) == {0}
    assert {m["amount"] for m in shu["members"]} == {0}
    from kube.report.pdf import write_pdf
    from tests.kube.test_report_files import _pdf_text
    assert "tidak ada SHU yang dibagi" in _pdf_text(write_pdf(report))[1].replace("\n", " ")


def test_print_without_a_printer_is_refused(client, db):
    with db.unit_of_work() as s:
        client.token = make_token(s, "manager")
    resp = client.post("/api/v1/reports/monthly/2026-10/print")
    assert resp.status_code == 409 and error_code(resp) == "printer_not_configured"


@pytest.fixture
def printed(database_url, tmp_path):
    """An app printing to a real TCP printer on loopback, and that printer."""
    printer = TcpPrinter()
    application = make_app(tmp_path / "data", database_url, printer=printer.url)
    yield application, printer
    application.extensions["ewarung.db"].dispose()
    printer.close()


def test_the_summary_prints_on_the_receipt_printer(printed):
    app, printer = printed
    db = app.extensions["ewarung.db"]
    with app.app_context(), db.unit_of_work() as s:
        build_month(s, app, sales=20)
        token = make_token(s, "manager")
    with db.unit_of_work(write=False) as s:
        report = monthly_report(s, "2026-10")
    client = app.test_client()
    resp = client.post("/api/v1/reports/monthly/2026-10/print",
                       headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 202
    assert resp.get_json()["kind"] == "report"
    process_pending(db)
    text = decode(bytes(printer.wait_for(1)[0].data)).text()
    assert "LAPORAN KUBE 2026-10" in text
    assert "Penjualan bersih" in text and format_rupiah(report["sales"]["total"]) in text
    assert format_rupiah(report["profit"]["net_profit"]) in text
