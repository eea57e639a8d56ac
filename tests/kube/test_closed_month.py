"""Closing a month: the closed report is a stored snapshot that later changes never rewrite.

Issue 12, bug 5: KPM imported on 2 December appeared in November's report as active but not
served. A closed month answers the same JSON, PDF, XLSX and CSV forever after; a late return
of one of its sales shows in the next open month as "Penyesuaian bulan sebelumnya".
"""

from __future__ import annotations

import io
import re

import pytest

from tests.factories import PASSWORD, PIN, make_card_number, make_nik, make_token, make_user
from tests.helpers import error_code

pytestmark = pytest.mark.now("2026-11-20T10:00:00+07:00")

MONTH = "2026-10"
NAMES = {"ketua": "Sri Wahyuni", "bendahara": "Tini Rohaeti"}


@pytest.fixture
def manager(client, db):
    with db.unit_of_work() as s:
        client.token = make_token(s, "manager")
    return client


def _files(client) -> dict[str, object]:
    out: dict[str, object] = {"json": client.get(f"/api/v1/reports/monthly?month={MONTH}")
                              .get_json()}
    for fmt in ("pdf", "xlsx", "csv"):
        resp = client.get(f"/api/v1/reports/monthly/{MONTH}.{fmt}")
        assert resp.status_code == 200
        out[fmt] = resp.get_data()
    return out


def _import_one_kpm(client) -> None:
    data = ("NIK;Nama;No_KKS;Desa\n"
            f"'{make_nik()};Baru Desember;'{make_card_number()};Sukamaju\n").encode()
    resp = client.post("/api/v1/beneficiaries/import", data={"file": (io.BytesIO(data),
                                                                      "kpm.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 200 and resp.get_json()["imported"] == 1, resp.get_json()


def _late_return(client, db, month):
    """A cashier takes back goods of an October BPNT sale today, with the manager's PIN."""
    sale = [x for x in month.sales[:60] if x.bpnt is not None and x.bpnt.amount == x.total][-1]
    with db.unit_of_work() as s:
        cashier = make_token(s, "cashier")
    token, client.token = client.token, cashier
    line = sale.lines[0]
    resp = client.post(f"/api/v1/sales/{sale.id}/returns", json={
        "lines": [{"sale_line_id": line.id, "quantity": str(line.quantity)}],
        "reason": "barang rusak", "approver": {"username": month.manager.username,
                                               "pin": PIN}})
    client.token = token
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    return sale, {**body, "amount": sum(ln["amount"] for ln in body["lines"])}


def test_a_closed_month_answers_the_same_files_after_an_import_and_a_late_return(
        manager, db, month):
    resp = manager.post(f"/api/v1/reports/monthly/{MONTH}/close", json=NAMES)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    closed = resp.get_json()
    assert closed["month"] == MONTH and closed["ketua"] == NAMES["ketua"]
    assert closed["bendahara"] == NAMES["bendahara"] and closed["closed_at"]
    before = _files(manager)
    assert before["json"]["sign_off"]["ketua"] == NAMES["ketua"]
    assert before["json"]["closed"]["bendahara"] == NAMES["bendahara"]

    _import_one_kpm(manager)
    sale, returned = _late_return(manager, db, month)

    after = _files(manager)
    assert after["json"] == before["json"]
    for fmt in ("pdf", "xlsx", "csv"):
        assert after[fmt] == before[fmt], fmt
    # the return shows in November, the next open month, as an adjustment of October
    november = manager.get("/api/v1/reports/monthly?month=2026-11").get_json()
    adjust = november["adjustments"]
    assert [row["sale"] for row in adjust["returns"]] == [sale.number]
    row = adjust["returns"][0]
    assert row["month"] == MONTH and row["amount"] == returned["amount"] > 0
    assert adjust["total"] == returned["amount"]
    assert adjust["bpnt_refunds"] == returned["refund_bpnt"] > 0
    csv_text = manager.get("/api/v1/reports/monthly/2026-11.csv").get_data().decode("utf-8")
    assert "adjustments" in csv_text and sale.number in csv_text


def test_an_open_month_is_rebuilt_from_the_data_each_time(manager, db, month):
    """Without closing, October follows the data: the import is counted as an active KPM."""
    before = manager.get(f"/api/v1/reports/monthly?month={MONTH}").get_json()
    _import_one_kpm(manager)
    after = manager.get(f"/api/v1/reports/monthly?month={MONTH}").get_json()
    assert after["bpnt"]["active_kpm"] == before["bpnt"]["active_kpm"] + 1
    assert len(after["bpnt"]["not_served"]) == len(before["bpnt"]["not_served"]) + 1
    assert after["closed"] is None


def test_closing_twice_answers_month_closed(manager, db, month):
    assert manager.post(f"/api/v1/reports/monthly/{MONTH}/close", json=NAMES).status_code == 201
    again = manager.post(f"/api/v1/reports/monthly/{MONTH}/close", json=NAMES)
    assert again.status_code == 409 and error_code(again) == "month_closed"


def test_a_month_not_yet_ended_cannot_be_closed(manager, db):
    for month in ("2026-11", "2026-12"):
        resp = manager.post(f"/api/v1/reports/monthly/{month}/close", json=NAMES)
        assert resp.status_code == 409 and error_code(resp) == "month_not_ended"


def test_closing_needs_both_names_and_a_good_month(manager, db):
    resp = manager.post(f"/api/v1/reports/monthly/{MONTH}/close", json={"ketua": "Sri"})
    assert resp.status_code == 422 and error_code(resp) == "validation_error"
    bad = manager.post("/api/v1/reports/monthly/2026-13/close", json=NAMES)
    assert bad.status_code == 422 and error_code(bad) == "validation_error"


def test_cashiers_cannot_close_a_month(client, db):
    with db.unit_of_work() as s:
        client.token = make_token(s, "cashier")
    resp = client.post(f"/api/v1/reports/monthly/{MONTH}/close", json=NAMES)
    assert resp.status_code == 403 and error_code(resp) == "forbidden"


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def test_manager_closes_a_month_on_the_report_page(client, db, month):
    with db.unit_of_work() as s:
        make_user(s, "manager", "bendahara1", full_name="Bu Tati")
    client.login("bendahara1", password=PASSWORD)
    page = client.get(f"/kube/report?month={MONTH}").get_data(as_text=True)
    assert "Tutup bulan" in page
    resp = client.post(f"/kube/report/{MONTH}/close", data={
        "csrf_token": _token(page), "ketua": NAMES["ketua"], "bendahara": NAMES["bendahara"]})
    assert resp.status_code == 302
    html = client.get(f"/kube/report?month={MONTH}").get_data(as_text=True)
    assert "Bulan ini sudah ditutup" in html and "bendahara1" in html
    assert 'action="/kube/report/2026-10/close"' not in html
    # the month still running has no closing form
    now = client.get("/kube/report?month=2026-11").get_data(as_text=True)
    assert 'action="/kube/report/2026-11/close"' not in now
    # without the CSRF token nothing is closed
    bad = client.raw.post("/kube/report/2026-09/close", data=NAMES)
    assert bad.status_code in (400, 403)
