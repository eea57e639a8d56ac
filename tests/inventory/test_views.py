"""The manager's stock pages, driven like a browser without JavaScript."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from inventory import stock
from inventory.models import GoodsReceipt, Product, StockMove, Stocktake
from tests.factories import PASSWORD, make_product, make_stock, make_supplier, make_user
from tests.helpers import shop_date

pytestmark = pytest.mark.calendar


@pytest.fixture
def manager(client, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua", full_name="Bu Sri")
    assert client.login("ketua", password=PASSWORD).status_code == 200
    return client


def _text(resp):
    return resp.get_data(as_text=True)


def test_the_home_page_offers_stock_to_managers_only(client, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
        make_user(s, "cashier", "siti")
    client.login("siti", pin="1234")
    assert "/inventory/" not in _text(client.get("/"))
    client.login("ketua", password=PASSWORD)
    assert 'href="/inventory/"' in _text(client.get("/"))


def test_every_stock_page_renders_in_indonesian_and_english(manager, db):
    with db.unit_of_work() as s:
        p = make_product(s, "Telur Ayam", unit="kg", tracks_expiry=True)
        make_stock(s, p, 5, 26000, shop_date(1))
        receipt_id = s.scalar(select(GoodsReceipt.id))
    pages = ["/inventory/", "/inventory/products", "/inventory/products/new",
             f"/inventory/products/{p.id}", "/inventory/products/import",
             "/inventory/suppliers", "/inventory/suppliers/new", "/inventory/receipts",
             "/inventory/receipts/new", f"/inventory/receipts/{receipt_id}",
             "/inventory/stock", "/inventory/expiry", "/inventory/stocktakes",
             "/inventory/reorder", "/inventory/dependency"]
    for page in pages:
        resp = manager.get(page)
        assert resp.status_code == 200, page
        html = _text(resp)
        assert 'lang="id"' in html and "css/inventory.css" in html
        assert 'name="viewport"' in html
    assert "Terima barang" in _text(manager.get("/inventory/"))
    assert "Receive goods" in _text(manager.get("/inventory/?lang=en"))
    assert "Supplier dependency" in _text(manager.get("/inventory/dependency"))


def test_a_product_is_added_from_its_form_and_errors_show_by_their_field(manager, db):
    bad = manager.post("/inventory/products/new", data={
        "sku": "TMP-1", "name": "Tempe", "unit": "pcs", "price": "-5",
        "commodity_group": "plant_protein"})
    assert bad.status_code == 422
    html = _text(bad)
    assert 'id="f-price"' in html and 'aria-invalid="true"' in html
    assert "Tidak boleh kurang dari nol." in html and 'value="Tempe"' in html
    ok = manager.post("/inventory/products/new", data={
        "sku": "TMP-1", "name": "Tempe", "unit": "pcs", "price": "Rp5.000",
        "commodity_group": "plant_protein", "barcodes": "2000000000015", "tracks_expiry": "1",
        "active": "1"})
    assert ok.status_code == 302
    with db.unit_of_work(write=False) as s:
        p = s.scalar(select(Product))
        assert (p.price, p.tracks_expiry, p.barcode) == (5000, True, "2000000000015")


def test_goods_are_received_by_scanning_without_javascript_and_can_be_reversed(manager, db):
    with db.unit_of_work() as s:
        supplier = make_supplier(s, "kube_member", "Bu Ijah")
        tofu = make_product(s, "Tahu Putih", unit="pcs", tracks_expiry=True,
                            barcode="2000000000022")
    missing = manager.post("/inventory/receipts/new", data={
        "supplier_id": supplier.id, "lines-0-product_name": "2000000000022",
        "lines-0-quantity": "40", "lines-0-unit_cost": "550"})
    assert missing.status_code == 422
    assert "isi tanggalnya" in _text(missing) and 'value="2000000000022"' in _text(missing)
    resp = manager.post("/inventory/receipts/new", data={
        "supplier_id": supplier.id, "lines-0-product_name": "2000000000022",
        "lines-0-quantity": "40", "lines-0-unit_cost": "550",
        "lines-0-expires_on": shop_date(2).isoformat()})
    assert resp.status_code == 302
    page = _text(manager.get(resp.headers["Location"]))
    assert "Tahu Putih" in page and "Rp22.000" in page
    with db.unit_of_work(write=False) as s:
        receipt = s.scalar(select(GoodsReceipt))
        line_id = receipt.lines[0].id
    back = manager.post(f"/inventory/receipts/{receipt.id}/reverse",
                        data={f"reverse-{line_id}": "40", "note": "salah kirim"})
    assert back.status_code == 302
    assert "Penerimaan pembalik untuk" in _text(manager.get(back.headers["Location"]))
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, tofu.id) == 0


def test_expired_goods_are_written_off_from_the_expiry_page(manager, db):
    with db.unit_of_work() as s:
        fish = make_product(s, "Ikan Lele", unit="kg", tracks_expiry=True)
        batch = make_stock(s, fish, "3", 25000, shop_date(1))
    page = _text(manager.get("/inventory/expiry?days=3"))
    assert "Ikan Lele" in page and "1 hari lagi" in page
    resp = manager.post("/inventory/write-offs", data={
        "product_id": fish.id, "batch_id": batch, "quantity": "1.5", "reason": "damaged",
        "days": "3"})
    assert resp.status_code == 302
    assert "Barang dihapus dari stok." in _text(manager.get(resp.headers["Location"]))
    refused = manager.post("/inventory/write-offs", data={
        "product_id": fish.id, "batch_id": batch, "quantity": "9", "reason": "damaged"})
    assert "Tidak dihapus" in _text(manager.get(refused.headers["Location"]))
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, fish.id) == 1.5


def test_counting_is_blind_and_approval_posts_the_difference(manager, db):
    with db.unit_of_work() as s:
        beans = make_product(s, "Kacang Merah Istimewa", unit="kg")
        make_stock(s, beans, "37.25", 30000)
    started = manager.post("/inventory/stocktakes", data={"note": "akhir bulan"})
    count_url = started.headers["Location"]
    page = _text(manager.get(count_url))
    assert "Kacang Merah Istimewa" in page
    assert "37,25" not in page and "37.25" not in page  # the ledger's figure stays hidden
    bad = manager.post(count_url, data={f"count-{beans.id}": "1.2345"})
    assert bad.status_code == 422 and "3 angka" in _text(bad)
    saved = manager.post(count_url, data={f"count-{beans.id}": "36"})
    assert "terhitung 36" in _text(manager.get(saved.headers["Location"]))
    with db.unit_of_work(write=False) as s:
        take_id = s.scalar(select(Stocktake.id))
    review = _text(manager.get(f"/inventory/stocktakes/{take_id}/review"))
    assert "-1,25" in review and "-Rp37.500" in review
    manager.post(f"/inventory/stocktakes/{take_id}/approve")
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, beans.id) == 36
        assert s.scalar(select(StockMove.value).where(StockMove.kind == "stocktake")) == -37500


def test_the_purchase_list_is_grouped_by_supplier_and_printable(manager, db):
    with db.unit_of_work() as s:
        agent = make_supplier(s, "third_party", "Agen Sembako")
        oil = make_product(s, "Minyak Goreng", unit="botol", commodity_group="none",
                           reorder_point="10")
        make_stock(s, oil, 2, 15000, supplier=agent)
    page = _text(manager.get("/inventory/reorder"))
    assert "Agen Sembako" in page and "Minyak Goreng" in page and "data-print" in page
    assert re.search(r"<strong>8 botol</strong>", page)
    assert "Pertimbangkan produsen lokal" in page


def test_a_catalogue_csv_is_uploaded_and_downloaded_from_the_pages(manager, db):
    upload = manager.post("/inventory/products/import", data={"file": (io.BytesIO(
        b"sku;nama;satuan;harga;kelompok\nBRS;Beras;pack;65000;karbohidrat\n"
        b"X;;pcs;1;none\n"), "produk.csv")}, content_type="multipart/form-data")
    html = _text(upload)
    assert upload.status_code == 200 and "1 produk baru" in html and "<td>3</td>" in html
    download = manager.get("/inventory/products/export")
    assert download.headers["Content-Type"].startswith("text/csv")
    assert download.get_data().startswith("\ufeffsku;nama".encode())
    assert b"BRS;Beras;pack;65000;carbohydrate" in download.get_data()


def test_forms_without_the_csrf_token_are_refused(client, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    client.login("ketua", password=PASSWORD)
    client.csrf = None
    resp = client.post("/inventory/products/new", data={"sku": "A", "name": "Abc"})
    assert resp.status_code == 403


def test_the_expiry_page_looks_as_far_ahead_as_the_shop_set(manager, db):
    from ewarung.shop import set_setting

    with db.unit_of_work() as s:
        milk = make_product(s, "Susu Segar", unit="liter", tracks_expiry=True)
        make_stock(s, milk, 4, 15000, shop_date(10))
    assert "Susu Segar" not in _text(manager.get("/inventory/expiry"))
    with db.unit_of_work() as s:
        set_setting(s, "inventory.expiry_warning_days", 14)
    assert "Susu Segar" in _text(manager.get("/inventory/expiry"))
