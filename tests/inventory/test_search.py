"""Finding products at the till: accents, case, words, codes; best matches first."""

from __future__ import annotations

import pytest

from inventory.search import normalise, search_products
from tests.factories import make_product, make_stock, make_token


@pytest.mark.parametrize(("name", "key"), [
    ("Telur Ayam (Négeri)", "telur ayam negeri"),
    ("  BERAS   Premium 5kg ", "beras premium 5kg"),
    ("Kacang-hijau/kupas", "kacang hijau kupas"),
    ("Café Ñusantara", "cafe nusantara"),
    ("ﬁsh ½ kg", "fish 1 2 kg"),
])
def test_names_are_keyed_without_case_accents_or_punctuation(name, key):
    assert normalise(name) == key


def _names(hits):
    return [h.name for h in hits]


def test_best_matches_come_first(db):
    with db.unit_of_work() as s:
        for name in ("Minyak Goreng Telur", "Telur Asin", "Telur Ayam Kampung",
                     "Roti Isi Telur", "Tepung Terigu"):
            make_product(s, name)
        code = make_product(s, "Susu Kental", sku="TELUR", commodity_group="none")
        make_product(s, "Roti Tawar", barcode="telur")
    with db.unit_of_work(write=False) as s:
        hits = search_products(s, "telur")
    # exact SKU or barcode, then names starting with it, then a word starting with it
    assert _names(hits)[:2] == sorted(["Roti Tawar", "Susu Kental"])
    assert _names(hits)[2:] == ["Telur Asin", "Telur Ayam Kampung", "Minyak Goreng Telur",
                                "Roti Isi Telur"]
    assert code.id in {h.id for h in hits}


def test_search_ignores_case_and_accents_and_needs_every_word(db):
    with db.unit_of_work() as s:
        make_product(s, "Kacang Hijau Kupas")
        make_product(s, "Kacang Tanah")
        make_product(s, "Pâté Ayam", commodity_group="none")
    with db.unit_of_work(write=False) as s:
        assert _names(search_products(s, "HIJAU kacang")) == ["Kacang Hijau Kupas"]
        assert _names(search_products(s, "pate")) == ["Pâté Ayam"]
        assert _names(search_products(s, "PÂTÉ")) == ["Pâté Ayam"]
        assert _names(search_products(s, "ang")) == ["Kacang Hijau Kupas", "Kacang Tanah"]
        assert search_products(s, "%") == []


def test_a_scanned_barcode_finds_its_product_with_stock(db):
    with db.unit_of_work() as s:
        p = make_product(s, "Beras 10 kg", barcodes=["8991002101104", "2100000000011"])
        make_stock(s, p, 6, 120000)
        make_product(s, "Beras 5 kg", barcode="8991002101050")
    with db.unit_of_work(write=False) as s:
        (hit,) = search_products(s, " 2100000000011\n")
        assert (hit.id, hit.barcode, hit.on_hand) == (p.id, "8991002101104", 6)


def test_inactive_products_are_hidden_unless_asked_and_limit_holds(db):
    with db.unit_of_work() as s:
        make_product(s, "Ikan Asin", active=False)
        for i in range(105):
            make_product(s, f"Ikan {i:03d}")
    with db.unit_of_work(write=False) as s:
        assert "Ikan Asin" not in _names(search_products(s, "ikan as", 100))
        assert "Ikan Asin" in _names(search_products(s, "ikan as", 100, include_inactive=True))
        assert len(search_products(s, "ikan", 7)) == 7
        assert len(search_products(s, "", 500)) == 100


def test_the_best_tiers_win_even_when_many_names_match(db):
    with db.unit_of_work() as s:
        for i in range(70):
            make_product(s, f"Aaa Kacang {i:02d}")   # a word starts with it
            make_product(s, f"Bxkacang {i:02d}")     # only inside a word
        for name in ("Kacang Tanah", "Kacang Hijau", "Zz Kacang"):
            make_product(s, name)
    with db.unit_of_work(write=False) as s:
        assert _names(search_products(s, "kacang", 5)) == [
            "Kacang Hijau", "Kacang Tanah", "Aaa Kacang 00", "Aaa Kacang 01", "Aaa Kacang 02"]
        assert _names(search_products(s, "kaca", 3)) == [
            "Kacang Hijau", "Kacang Tanah", "Aaa Kacang 00"]
        assert _names(search_products(s, "acang", 3)) == [
            "Aaa Kacang 00", "Aaa Kacang 01", "Aaa Kacang 02"]


def test_a_word_start_far_down_the_alphabet_beats_earlier_inner_matches(db):
    with db.unit_of_work() as s:
        for i in range(70):
            make_product(s, f"Bxkacang {i:02d}")
        make_product(s, "Zz Kacang")
    with db.unit_of_work(write=False) as s:
        assert _names(search_products(s, "kacang", 3)) == [
            "Zz Kacang", "Bxkacang 00", "Bxkacang 01"]


def test_without_a_query_the_till_can_list_one_commodity_group(client, db):
    with db.unit_of_work() as s:
        token = make_token(s, "cashier")
        make_product(s, name="Beras Medium 5 kg", commodity_group="carbohydrate")
        make_product(s, name="Minyak Goreng 1 L", commodity_group="none")
        make_product(s, name="Telur Ayam", commodity_group="animal_protein")
    resp = client.get("/api/v1/products?group=none&limit=48",
                      headers={"Authorization": f"Bearer {token}"})
    assert [p["name"] for p in resp.get_json()] == ["Minyak Goreng 1 L"]
    bad = client.get("/api/v1/products?group=snacks", headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 422
