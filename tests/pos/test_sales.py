"""Selling over the API: the sale contract, BPNT rules, idempotency, all-or-nothing, races."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from aid import ledger
from aid.models import EntitlementEntry
from ewarung.shop import set_setting
from inventory import stock
from inventory.models import StockBatch, StockMove
from pos.models import Sale, SaleCounter, SaleLine, SaleRefusal, Tender
from tests.factories import make_beneficiary, make_card_number, make_user
from tests.helpers import error_code
from tests.pos.conftest import card_key

pytestmark = pytest.mark.calendar

SALE_TABLES = (Sale, SaleLine, Tender, SaleCounter)


def counts(db):
    """Rows of every table a sale writes."""
    with db.unit_of_work(write=False) as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m))
                for m in (*SALE_TABLES, StockMove, EntitlementEntry)}


def remaining(db, kpm_id):
    with db.unit_of_work(write=False) as s:
        return ledger.entitlement_of(s, kpm_id).remaining


def test_a_cash_sale_answers_the_contract_and_takes_stock(cashier, shop, db):
    body = shop.body([(shop.rice, "2"), (shop.oil, 1)], [{"kind": "cash", "amount": 150_000}])
    resp = cashier.post("/api/v1/sales", json=body)
    assert resp.status_code == 201, resp.get_json()
    sale = resp.get_json()
    assert set(sale) >= {"id", "number", "created_at", "total", "lines", "tenders", "change",
                         "bpnt", "receipt"}
    assert re.fullmatch(r"EW-\d{8}-0001", sale["number"])
    assert sale["total"] == 2 * 62_500 + 18_000
    assert sale["change"] == 150_000 - 143_000
    assert sale["bpnt"] is None
    assert sale["tenders"] == [{"kind": "cash", "amount": 143_000, "given": 150_000,
                                "reference": None, "masked_card": None, "edc_ref": None}]
    assert sale["receipt"]["verify_url"].startswith("http://localhost/r/")
    assert sale["receipt"]["print_job"] is None  # printing is off in this app
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, shop.rice.id) == Decimal("18.000")
        assert stock.discrepancies(s) == []


def test_the_sales_list_of_a_shop_that_has_sales(cashier, shop):
    made = [cashier.post("/api/v1/sales", json=shop.body([(shop.oil, n)], [{"kind": "cash"}])
                         ).get_json() for n in (1, 2)]
    resp = cashier.get("/api/v1/sales")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    listed = resp.get_json()
    assert [(s["number"], s["total"]) for s in listed] == \
        [(m["number"], m["total"]) for m in reversed(made)]
    found = cashier.get(f"/api/v1/sales?q={made[0]['number'][-4:]}").get_json()
    assert [s["id"] for s in found] == [made[0]["id"]]


def test_bpnt_pays_the_food_and_cash_the_oil(cashier, shop, db):
    body = shop.body([(shop.rice, 1), (shop.eggs, "1.5"), (shop.oil, 2)],
                     [shop.bpnt(), {"kind": "cash", "amount": 50_000}])
    resp = cashier.post("/api/v1/sales", json=body)
    assert resp.status_code == 201, resp.get_json()
    sale = resp.get_json()
    eligible = 62_500 + 42_000
    assert [(t["kind"], t["amount"]) for t in sale["tenders"]] == [("bpnt", eligible),
                                                                   ("cash", 36_000)]
    assert sale["tenders"][0]["masked_card"] == shop.card[:6] + "******" + shop.card[-4:]
    assert sale["tenders"][0]["edc_ref"] == "004512"
    assert sale["bpnt"] == {"beneficiary_id": shop.kpm_id, "remaining": 200_000 - eligible}
    assert sale["change"] == 14_000
    assert remaining(db, shop.kpm_id) == 200_000 - eligible
    with db.unit_of_work(write=False) as s:
        entry = s.scalars(select(EntitlementEntry).where(
            EntitlementEntry.kind == "redemption")).one()
        tender = s.scalars(select(Tender).where(Tender.kind == "bpnt")).one()
        assert entry.sale_id == sale["id"] and tender.entitlement_entry_id == entry.id
        assert tender.masked_card == entry.masked_card and "*" in tender.masked_card


def test_cooking_oil_in_a_bpnt_only_sale_is_refused_and_succeeds_with_cash(cashier, shop, db):
    lines = [(shop.rice, 1), (shop.oil, 1)]
    before = counts(db)
    refused = cashier.post("/api/v1/sales", json=shop.body(lines, [shop.bpnt(80_500)]))
    assert refused.status_code == 422
    assert error_code(refused) == "not_eligible_for_bpnt"
    assert refused.get_json()["error"]["details"]["product_ids"] == [shop.oil.id]
    assert counts(db) == before
    ok = cashier.post("/api/v1/sales", json=shop.body(lines, [shop.bpnt(), {"kind": "cash"}]))
    assert ok.status_code == 201, ok.get_json()
    assert [(t["kind"], t["amount"]) for t in ok.get_json()["tenders"]] == [
        ("bpnt", 62_500), ("cash", 18_000)]


def test_bpnt_above_what_is_left_is_refused_in_strict_mode(cashier, shop, db):
    body = shop.body([(shop.rice, 4)], [shop.bpnt()])  # Rp250.000 against Rp200.000
    before = counts(db)
    resp = cashier.post("/api/v1/sales", json=body)
    assert resp.status_code == 409
    assert error_code(resp) == "bpnt_balance_exceeded"
    assert resp.get_json()["error"]["details"] == {"remaining": 200_000, "requested": 250_000}
    assert counts(db) == before
    assert remaining(db, shop.kpm_id) == 200_000


def test_warn_mode_lets_bpnt_go_past_the_estimate(cashier, shop, db):
    with db.unit_of_work() as s:
        set_setting(s, "bpnt.enforcement", "warn")
    resp = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 4)], [shop.bpnt()]))
    assert resp.status_code == 201
    assert resp.get_json()["bpnt"]["remaining"] == -50_000


def test_a_bpnt_tender_larger_than_the_eligible_lines_is_a_tender_mismatch(cashier, shop, db):
    body = shop.body([(shop.rice, 1), (shop.oil, 1)], [shop.bpnt(80_500)])
    body["lines"][1] = {"product_id": shop.eggs.id, "quantity": "0.5"}
    body["tenders"] = [shop.bpnt(100_000)]
    resp = cashier.post("/api/v1/sales", json=body)
    assert resp.status_code == 422
    assert error_code(resp) == "tender_mismatch"


def test_tenders_short_of_the_total_are_a_tender_mismatch(cashier, shop):
    resp = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1)],
                                                         [{"kind": "cash", "amount": 1000}]))
    assert error_code(resp) == "tender_mismatch"


def test_qris_and_transfer_carry_their_reference(cashier, shop):
    resp = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 1)], [{"kind": "qris", "reference": "QR-7781"}]))
    assert resp.status_code == 201
    assert resp.get_json()["tenders"][0] == {"kind": "qris", "amount": 62_500, "given": None,
                                             "reference": "QR-7781", "masked_card": None,
                                             "edc_ref": None}
    missing = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1)],
                                                           [{"kind": "transfer"}]))
    assert error_code(missing) == "validation_error"


def test_lines_by_barcode_and_weighed_quantities(cashier, shop):
    body = shop.body([(shop.rice, 1)], [{"kind": "cash"}])
    body["lines"] = [{"barcode": "8991234567890", "quantity": "1.25"}]
    resp = cashier.post("/api/v1/sales", json=body)
    assert resp.status_code == 201, resp.get_json()
    line = resp.get_json()["lines"][0]
    assert (line["product_id"], line["quantity"], line["amount"]) == (shop.eggs.id, "1.25", 35_000)


@pytest.mark.parametrize(("line", "field"), [
    ({"quantity": "1.2345"}, "lines.0.quantity"),
    ({"quantity": "1.5", "unit": "pcs"}, "lines.0.quantity"),
    ({"quantity": "0"}, "lines.0.quantity"),
    ({"quantity": "1", "product_id": 999_999}, "lines.0.product_id"),
    ({"quantity": "1", "barcode": "000"}, "lines.0.barcode"),
])
def test_bad_lines_name_their_field(cashier, shop, db, line, field):
    line = dict(line)
    product = shop.rice if line.pop("unit", None) else shop.eggs
    body = shop.body([(product, "1")], [{"kind": "cash"}])
    body["lines"][0].update(line)
    if "barcode" in line:
        del body["lines"][0]["product_id"]
    before = counts(db)
    resp = cashier.post("/api/v1/sales", json=body)
    assert resp.status_code == 422, resp.get_json()
    assert error_code(resp) == "validation_error"
    assert field in resp.get_json()["error"]["details"]["fields"]
    assert counts(db) == before


@pytest.mark.parametrize("ref", ["", "ref\x00nul", "ref\x1b@", "ada spasi", "-lead", "x" * 65])
def test_a_client_ref_that_is_no_identifier_is_refused_by_name(cashier, shop, db, ref):
    body = shop.body([(shop.rice, 1)], [{"kind": "cash"}])
    body["client_ref"] = ref
    before = counts(db)
    resp = cashier.post("/api/v1/sales", json=body)
    assert (resp.status_code, error_code(resp)) == (422, "validation_error"), resp.get_json()
    assert "client_ref" in resp.get_json()["error"]["details"]["fields"]
    assert counts(db) == before


def test_more_than_is_on_hand_is_refused_and_leaves_no_rows(cashier, shop, db):
    before = counts(db)
    resp = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1), (shop.oil, 31)],
                                                         [{"kind": "cash"}]))
    assert resp.status_code == 409
    assert error_code(resp) == "insufficient_stock"
    assert counts(db) == before
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, shop.rice.id) == Decimal("20.000")


@pytest.mark.parametrize(("card", "code", "status"), [
    ("4111 1111 1111 1111", "card_not_registered", 404),
    ("5264 2210 0000 1235", "invalid_card_number", 422),
])
def test_card_refusals_have_their_own_codes(cashier, shop, card, code, status):
    resp = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1)],
                                                        [shop.bpnt(card=card)]))
    assert (resp.status_code, error_code(resp)) == (status, code)


def test_a_swiped_track_pays_like_the_typed_number(cashier, shop):
    track = f"%B{shop.card}^SITI AMINAH^2912101?;{shop.card}=2912101?"
    resp = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1)],
                                                        [shop.bpnt(card=track)]))
    assert resp.status_code == 201
    assert resp.get_json()["bpnt"]["beneficiary_id"] == shop.kpm_id


def test_a_changed_price_needs_a_managers_pin(cashier, shop, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    body = shop.body([(shop.rice, 1)], [{"kind": "cash"}])
    body["lines"][0]["unit_price"] = 60_000
    assert error_code(cashier.post("/api/v1/sales", json=body)) == "approval_required"
    body["approver"] = {"username": "ketua", "pin": "9999"}
    assert cashier.post("/api/v1/sales", json=body).status_code == 403
    body["approver"]["pin"] = "1234"
    resp = cashier.post("/api/v1/sales", json=body)
    assert resp.status_code == 201
    with db.unit_of_work(write=False) as s:
        line = s.scalars(select(SaleLine)).one()
        assert (line.unit_price, line.catalogue_price) == (60_000, 62_500)
        assert line.price_approver_id is not None


def test_a_price_above_the_reference_is_refused_or_flagged_by_setting(cashier, shop, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    body = shop.body([(shop.rice, 1)], [{"kind": "cash"}],
                     approver={"username": "ketua", "pin": "1234"})
    body["lines"][0]["unit_price"] = 70_000  # the market reference is Rp65.000
    refused = cashier.post("/api/v1/sales", json=body)
    assert (refused.status_code, error_code(refused)) == (422, "price_above_reference")
    with db.unit_of_work() as s:
        set_setting(s, "sales.above_reference", "flag")
    resp = cashier.post("/api/v1/sales", json=body)
    assert resp.status_code == 201
    assert resp.get_json()["above_reference"] is True


def test_program_refusals_are_kept_for_the_integrity_report(cashier, shop, db):
    cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [shop.bpnt(18_000)]))
    cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 4)], [shop.bpnt()]))
    with db.unit_of_work(write=False) as s:
        rows = s.scalars(select(SaleRefusal).order_by(SaleRefusal.id)).all()
        assert [(r.code, r.beneficiary_id) for r in rows] == [
            ("not_eligible_for_bpnt", shop.kpm_id), ("bpnt_balance_exceeded", shop.kpm_id)]
        assert shop.card not in str([r.details for r in rows])
        assert s.scalar(select(func.count()).select_from(Sale)) == 0


def test_the_same_body_again_answers_the_same_sale_and_another_body_conflicts(cashier, shop,
                                                                              db):
    body = shop.body([(shop.rice, 1)], [shop.bpnt()])
    first = cashier.post("/api/v1/sales", json=body)
    again = cashier.post("/api/v1/sales", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    other = dict(body, lines=[{"product_id": shop.rice.id, "quantity": "2"}])
    conflict = cashier.post("/api/v1/sales", json=other)
    assert (conflict.status_code, error_code(conflict)) == (409, "idempotency_conflict")
    assert remaining(db, shop.kpm_id) == 200_000 - 62_500
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(SaleCounter.last)) == 1


def test_fifty_posts_of_one_sale_some_at_once_make_one_sale(live, shop, db, cashier_token):
    body = shop.body([(shop.rice, 1), (shop.eggs, "0.5")], [shop.bpnt()])
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: live.post("/api/v1/sales", body, cashier_token),
                                range(30)))
    answers += [live.post("/api/v1/sales", body, cashier_token) for _ in range(20)]
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 49 + [201]
    assert len({sale["id"] for _, sale in answers}) == 1
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Sale)) == 1
        assert s.scalar(select(func.count()).select_from(StockMove)
                        .where(StockMove.kind == "sale")) == 2
        assert s.scalar(select(func.count()).select_from(EntitlementEntry)
                        .where(EntitlementEntry.kind == "redemption")) == 1
        assert s.scalar(select(SaleCounter.last)) == 1
    assert remaining(db, shop.kpm_id) == 200_000 - 62_500 - 14_000


def test_twenty_concurrent_redemptions_of_one_card_never_overdraw_it(live, app, db,
                                                                     cashier_token):
    from tests.factories import credit, make_product, make_stock

    card = make_card_number()
    with db.unit_of_work() as s:
        rice = make_product(s, "Beras 10 kg", price=50_000)
        make_stock(s, rice, 100, 40_000)
        kpm = make_beneficiary(s, card_key(app), card=card)
        credit(s, kpm, 200_000)
        kpm_id = kpm.id
    start = threading.Barrier(20)

    def sell(n: int) -> tuple[int, dict]:
        start.wait()
        return live.post("/api/v1/sales", {
            "client_ref": f"race-{n}", "lines": [{"product_id": rice.id, "quantity": 1}],
            "tenders": [{"kind": "bpnt", "card": card, "edc_ref": f"{n:06d}"}]}, cashier_token)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(sell, range(20)))
    assert sorted(status for status, _ in answers) == [201] * 4 + [409] * 16
    assert {body["error"]["code"] for status, body in answers if status == 409} == {
        "bpnt_balance_exceeded"}
    assert remaining(db, kpm_id) == 0
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Sale)) == 4
        numbers = s.scalars(select(Sale.number).order_by(Sale.number)).all()
        assert [n[-4:] for n in numbers] == ["0001", "0002", "0003", "0004"]
        assert s.scalar(select(StockBatch.quantity_left)) == Decimal("96.000")


def test_sale_numbers_follow_the_shops_day_and_outlet_code(cashier, shop, db):
    from tests.factories import make_outlet

    with db.unit_of_work() as s:
        make_outlet(s, code="WRG")
    numbers = [cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [{"kind": "cash"}])
                            ).get_json()["number"] for _ in range(3)]
    assert [n[-4:] for n in numbers] == ["0001", "0002", "0003"]
    assert all(n.startswith("WRG-") for n in numbers)
    with db.unit_of_work(write=False) as s:
        day = s.scalar(select(Sale.business_day))
    assert numbers[0][4:12] == day.strftime("%Y%m%d")


def test_get_sale_shows_status_and_lines(cashier, shop):
    sale = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1)], [{"kind": "cash"}])
                        ).get_json()
    got = cashier.get(f"/api/v1/sales/{sale['id']}").get_json()
    assert got["status"] == "completed" and got["returns"] == [] and got["voided_at"] is None
    assert got["number"] == sale["number"] and got["lines"][0]["returned_quantity"] == "0"
    assert cashier.get("/api/v1/sales/999999").status_code == 404


def test_the_sale_is_recorded_in_the_cashiers_open_shift(cashier, shop, db):
    shift = cashier.get("/api/v1/shifts/current").get_json()["shift"]
    resp = cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [{"kind": "cash"}]))
    assert resp.status_code == 201
    assert cashier.get(f"/api/v1/sales/{resp.get_json()['id']}").get_json()["shift_id"] == \
        shift["id"]


def test_a_replay_answers_the_sale_even_when_today_it_would_be_refused(cashier, shop, db):
    from inventory.catalogue import update_product

    body = shop.body([(shop.rice, 1)], [{"kind": "cash"}])
    first = cashier.post("/api/v1/sales", json=body)
    with db.unit_of_work() as s:
        update_product(s, shop.rice.id, {"active": False})
    sid = cashier.get("/api/v1/shifts/current").get_json()["shift"]["id"]
    cashier.post(f"/api/v1/shifts/{sid}/close", json={"counted_cash": 62_500})
    again = cashier.post("/api/v1/sales", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    refused = cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [{"kind": "cash"}]))
    assert error_code(refused) == "no_open_shift"


@pytest.mark.parametrize(("tender", "field"), [
    ({"kind": "qris", "reference": "QR\x1b@7781"}, "tenders.0.reference"),
    ({"kind": "transfer", "reference": "TRF\x00001"}, "tenders.0.reference"),
    ({"kind": "qris", "reference": "QR\n7781"}, "tenders.0.reference"),
    ({"kind": "bpnt", "edc_ref": "00\x004512"}, "tenders.0.edc_ref"),
    ({"kind": "bpnt", "edc_ref": "004512\u2028"}, "tenders.0.edc_ref"),
])
def test_tender_references_with_control_characters_are_refused(cashier, shop, db, tender,
                                                               field):
    if tender["kind"] == "bpnt":
        tender = shop.bpnt(**tender)
    before = counts(db)
    resp = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1)], [tender]))
    assert (resp.status_code, error_code(resp)) == (422, "validation_error"), resp.get_json()
    assert list(resp.get_json()["error"]["details"]["fields"]) == [field]
    assert counts(db) == before
    assert remaining(db, shop.kpm_id) == 200_000
