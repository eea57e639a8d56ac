"""The stock API of API.md: products, suppliers, goods receipts, stock, stocktakes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inventory.models import GoodsReceipt, Product, StockMove
from tests.factories import make_product, make_stock, make_supplier, make_token
from tests.helpers import error_code, shop_date

pytestmark = pytest.mark.calendar


@pytest.fixture
def manager(client, db):
    with db.unit_of_work() as s:
        client.token = make_token(s, "manager")
    return client


def _fields(resp):
    assert resp.status_code == 422, resp.get_json()
    assert error_code(resp) == "validation_error"
    return resp.get_json()["error"]["details"]["fields"]


def test_a_product_is_created_and_found_by_barcode_with_what_is_on_hand(manager):
    resp = manager.post("/api/v1/products", json={
        "sku": "tlr-kg", "name": "Telur Ayam Negeri", "unit": "kg", "price": 29000,
        "commodity_group": "animal_protein", "barcode": "2000000000015",
        "reference_price": 30000, "reorder_point": "5", "tracks_expiry": True})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["sku"] == "TLR-KG" and body["barcode"] == "2000000000015"
    assert body["on_hand"] == "0.000" and body["tracks_expiry"] is True
    found = manager.get("/api/v1/products?q=2000000000015").get_json()
    assert [(p["id"], p["name"], p["on_hand"]) for p in found] == [
        (body["id"], "Telur Ayam Negeri", "0.000")]
    assert set(found[0]) >= {"id", "sku", "barcode", "name", "unit", "price",
                             "commodity_group", "on_hand"}


@pytest.mark.parametrize("q", ["1234\x005678", "beras\x1b"])
def test_a_search_with_a_control_character_is_refused_by_name(client, db, q):
    with db.unit_of_work() as s:
        make_product(s, "Beras Medium", barcode="12345678")
        client.token = make_token(s, "cashier")
    resp = client.get("/api/v1/products", query_string={"q": q})
    assert (resp.status_code, error_code(resp)) == (422, "validation_error"), resp.get_json()
    assert "q" in resp.get_json()["error"]["details"]["fields"]


def test_a_cashier_may_search_but_not_create_products(client, db):
    with db.unit_of_work() as s:
        make_product(s, "Tempe")
        client.token = make_token(s, "cashier")
    assert client.get("/api/v1/products?q=tempe").status_code == 200
    resp = client.post("/api/v1/products", json={"sku": "X", "name": "Tahu", "unit": "pcs",
                                                 "price": 1, "commodity_group": "none"})
    assert resp.status_code == 403 and error_code(resp) == "forbidden"


def test_a_duplicate_barcode_is_a_validation_error_on_the_barcode(manager, db):
    with db.unit_of_work() as s:
        make_product(s, "Gula Pasir 1 kg", barcode="8991234567890", commodity_group="none")
    resp = manager.post("/api/v1/products", json={
        "sku": "GULA-2", "name": "Gula Lain", "unit": "pack", "price": 17000,
        "commodity_group": "none", "barcode": "8991234567890"})
    assert "Gula Pasir 1 kg" in _fields(resp)["barcode"][0]


def test_a_price_above_the_market_reference_is_refused(manager):
    resp = manager.post("/api/v1/products", json={
        "sku": "BRS", "name": "Beras", "unit": "kg", "price": 15000,
        "commodity_group": "carbohydrate", "reference_price": 14000})
    assert resp.status_code == 422 and error_code(resp) == "price_above_reference"
    assert "price" in resp.get_json()["error"]["details"]["fields"]


def test_products_are_edited_in_part(manager, db):
    with db.unit_of_work() as s:
        pid = make_product(s, "Tahu Putih", price=5000, barcodes=["111", "222"]).id
    resp = manager.patch(f"/api/v1/products/{pid}", json={"price": 5500, "barcodes": ["222"]})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["price"], body["barcodes"], body["name"]) == (5500, ["222"], "Tahu Putih")


def test_a_supplier_is_created_with_its_kind(manager):
    resp = manager.post("/api/v1/suppliers", json={"name": "Pak Darto (peternak)",
                                                   "kind": "local_producer",
                                                   "lead_time_days": 1})
    assert resp.status_code == 201
    assert resp.get_json()["kind"] == "local_producer"
    bad = manager.post("/api/v1/suppliers", json={"name": "X Y", "kind": "wholesaler"})
    assert "kind" in _fields(bad)


def test_a_goods_receipt_puts_stock_on_hand_in_batches(manager, db):
    future = shop_date(30).isoformat()
    with db.unit_of_work() as s:
        supplier = make_supplier(s, "kube_member")
        eggs = make_product(s, "Telur", unit="kg", tracks_expiry=True,
                            commodity_group="animal_protein")
        rice = make_product(s, "Beras 10 kg", unit="pack")
    resp = manager.post("/api/v1/goods-receipts", json={
        "supplier_id": supplier.id, "reference": "SJ-0042", "lines": [
            {"product_id": eggs.id, "quantity": "12.5", "unit_cost": 26000,
             "expires_on": future},
            {"product_id": rice.id, "quantity": 4, "unit_cost": 125000}]})
    assert resp.status_code == 201, resp.get_json()
    receipt = resp.get_json()
    assert receipt["total"] == 12.5 * 26000 + 4 * 125000
    assert receipt["number"].startswith("PB-")
    stock = {row["product_id"]: row for row in manager.get("/api/v1/stock").get_json()}
    assert stock[eggs.id]["on_hand"] == "12.500" and stock[eggs.id]["value"] == 325000
    assert stock[eggs.id]["batches"][0]["expires_on"] == future
    assert stock[eggs.id]["batches"][0]["quantity"] == "12.500"


@pytest.mark.parametrize(("line", "field"), [
    ({"quantity": "0"}, "lines.0.quantity"),
    ({"quantity": "-2"}, "lines.0.quantity"),
    ({"quantity": "1.2345"}, "lines.0.quantity"),
    ({"product_id": 999999}, "lines.0.product_id"),
    ({"unit_cost": -1}, "lines.0.unit_cost"),
    ({"expires_on": None}, "lines.0.expires_on"),
    ({"quantity": "1.5", "product": "rice"}, "lines.0.quantity"),  # packs come whole
])
def test_bad_receipt_lines_are_validation_errors_naming_the_field(manager, db, line, field):
    with db.unit_of_work() as s:
        supplier = make_supplier(s)
        eggs = make_product(s, "Telur", unit="kg", tracks_expiry=True)
        rice = make_product(s, "Beras 5 kg", unit="pack")
    good = {"product_id": eggs.id, "quantity": "2", "unit_cost": 26000,
            "expires_on": shop_date(30).isoformat()}
    line = dict(line)
    if line.pop("product", None) == "rice":
        good = {"product_id": rice.id, "unit_cost": 60000}
    body = {"supplier_id": supplier.id, "lines": [{**good, **line}]}
    resp = manager.post("/api/v1/goods-receipts", json=body)
    assert field in _fields(resp)
    with db.unit_of_work(write=False) as s:  # a refusal leaves no half-written rows
        assert s.scalar(select(func.count()).select_from(GoodsReceipt)) == 0
        assert s.scalar(select(func.count()).select_from(StockMove)) == 0


def test_every_bad_field_of_a_receipt_is_named_at_once(manager, db):
    with db.unit_of_work() as s:
        supplier = make_supplier(s)
        p = make_product(s, unit="kg", tracks_expiry=True)
    resp = manager.post("/api/v1/goods-receipts", json={"supplier_id": supplier.id, "lines": [
        {"product_id": p.id, "quantity": "0", "unit_cost": -5},
        {"product_id": 424242, "quantity": "1", "unit_cost": 1}]})
    assert set(_fields(resp)) == {"lines.0.quantity", "lines.0.unit_cost",
                                  "lines.0.expires_on", "lines.1.product_id"}


def test_a_receipt_without_lines_or_with_an_unknown_supplier_is_refused(manager):
    assert set(_fields(manager.post("/api/v1/goods-receipts", json={
        "supplier_id": 4040, "lines": []}))) == {"supplier_id", "lines"}
    assert "lines.0.quantity" in _fields(manager.post("/api/v1/goods-receipts", json={
        "supplier_id": 1, "lines": [{"product_id": 1, "quantity": "abc", "unit_cost": 1}]}))


def test_a_receipt_is_reversed_by_a_reversing_receipt_not_edited(manager, db):
    with db.unit_of_work() as s:
        p = make_product(s, "Minyak Goreng", unit="botol", commodity_group="none")
        receipt = make_stock(s, p, 24, 14500) and s.scalars(select(GoodsReceipt)).one()
    resp = manager.post(f"/api/v1/goods-receipts/{receipt.id}/reverse", json={"note": "salah"})
    assert resp.status_code == 201, resp.get_json()
    reversal = resp.get_json()
    assert reversal["reverses_id"] == receipt.id and reversal["total"] == -24 * 14500
    assert reversal["lines"][0]["quantity"] == "-24.000"
    original = manager.get(f"/api/v1/goods-receipts/{receipt.id}").get_json()
    assert original["reversed_by"] == reversal["id"] and original["total"] == 24 * 14500
    again = manager.post(f"/api/v1/goods-receipts/{receipt.id}/reverse", json={})
    assert again.status_code == 409
    stock = manager.get(f"/api/v1/stock?product_id={p.id}").get_json()
    assert stock[0]["on_hand"] == "0.000" and stock[0]["value"] == 0


def test_a_stocktake_answers_variances_and_approval_posts_them(manager, db):
    with db.unit_of_work() as s:
        p = make_product(s, "Kacang Hijau", unit="kg", commodity_group="plant_protein")
        make_stock(s, p, 10, 20000)
    resp = manager.post("/api/v1/stocktakes", json={"lines": [
        {"product_id": p.id, "counted": "9.5"}]})
    assert resp.status_code == 201, resp.get_json()
    take = resp.get_json()
    assert take["status"] == "open"
    assert take["lines"] == [{"product_id": p.id, "name": "Kacang Hijau", "unit": "kg",
                              "counted": "9.500", "expected": "10.000",
                              "variance": "-0.500", "value": -10000}]
    approved = manager.post(f"/api/v1/stocktakes/{take['id']}/approve").get_json()
    assert approved["status"] == "approved" and approved["lines"][0]["value"] == -10000
    assert manager.get(f"/api/v1/stock?product_id={p.id}").get_json()[0]["on_hand"] == "9.500"
    twice = manager.post(f"/api/v1/stocktakes/{take['id']}/approve")
    assert twice.status_code == 409


def test_stocktake_counts_must_be_known_products_with_valid_quantities(manager, db):
    with db.unit_of_work() as s:
        p = make_product(s, unit="pcs")
    resp = manager.post("/api/v1/stocktakes", json={"lines": [
        {"product_id": p.id, "counted": "1.5"}, {"product_id": 777, "counted": "1"},
        {"product_id": p.id, "counted": "-1"}]})
    assert set(_fields(resp)) == {"lines.0.counted", "lines.1.product_id", "lines.2.counted"}


def test_write_off_and_expiry_list(manager, db):
    soon = shop_date(2)
    with db.unit_of_work() as s:
        tofu = make_product(s, "Tahu", unit="pcs", tracks_expiry=True)
        batch = make_stock(s, tofu, 20, 600, soon)
    expiring = manager.get("/api/v1/stock/expiring?days=3").get_json()
    assert [(e["batch_id"], e["days_left"], e["quantity"]) for e in expiring] == [
        (batch, 2, "20.000")]
    resp = manager.post("/api/v1/write-offs", json={
        "product_id": tofu.id, "batch_id": batch, "quantity": 5, "reason": "damaged"})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["on_hand"] == "15.000"
    assert "reason" in _fields(manager.post("/api/v1/write-offs", json={
        "product_id": tofu.id, "quantity": 1, "reason": "eaten"}))
    too_much = manager.post("/api/v1/write-offs", json={
        "product_id": tofu.id, "batch_id": batch, "quantity": 16, "reason": "expired"})
    assert too_much.status_code == 409 and error_code(too_much) == "insufficient_stock"


def test_the_openapi_document_describes_the_stock_endpoints(manager):
    spec = manager.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/products", "/api/v1/suppliers", "/api/v1/goods-receipts",
                 "/api/v1/stock", "/api/v1/stocktakes",
                 "/api/v1/stocktakes/{stocktake_id}/approve"):
        assert path in spec["paths"], path
    assert "post" in spec["paths"]["/api/v1/products"]


def test_unknown_records_answer_not_found(manager):
    for path in ("/api/v1/products/999", "/api/v1/goods-receipts/999",
                 "/api/v1/stocktakes/999"):
        resp = manager.get(path)
        assert resp.status_code == 404 and error_code(resp) == "not_found"


def test_the_product_list_is_the_shape_of_the_contract(manager, db):
    with db.unit_of_work() as s:
        make_stock(s, make_product(s, "Beras Medium 5 kg", unit="pack", price=62000), 7, 58000)
    (row,) = manager.get("/api/v1/products?q=beras&limit=5").get_json()
    assert row["price"] == 62000 and row["on_hand"] == "7.000" and row["unit"] == "pack"
    assert row["commodity_group"] == "carbohydrate"
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(Product.search_key)) == "beras medium 5 kg"


def test_the_catalogue_export_comes_as_the_media_type_the_openapi_document_gives(app, manager,
                                                                               db):
    """The document gave the CSV file as application/json."""
    from tests.ewarung.contract import Contract

    with db.unit_of_work() as s:
        make_product(s, "Beras Medium 5 kg")
    resp = manager.get("/api/v1/products/export")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert Contract(app).check("GET", "/api/v1/products/export", resp) == []


def test_the_catalogue_export_and_a_receipt_read_in_a_bounded_number_of_statements(
        manager, db):
    """Each product's barcodes (export) and each line's product (receipt page) were loaded
    on their own: 5,000 statements for a medium shop's export."""
    from tests.factories import make_goods_receipt
    from tests.helpers import counted_statements

    with db.unit_of_work() as s:
        products = [make_product(s, f"Produk Uji {n:02d}", barcode=f"899000000{n:04d}")
                    for n in range(40)]
        receipt = make_goods_receipt(s, [(p, 5, 1000, None) for p in products])
    # the receipt page names each line twice: in the receipt, and in the form reversing it
    for url, rows in (("/api/v1/products/export", 40), ("/inventory/products/export", 40),
                      (f"/inventory/receipts/{receipt.id}", 80),
                      (f"/api/v1/goods-receipts/{receipt.id}", 0)):
        with counted_statements(db.engine) as sent:
            resp = manager.get(url)
        assert resp.status_code == 200
        assert resp.get_data(as_text=True).count("Produk Uji") == rows, url
        assert len(sent) <= 25, (url, len(sent))
