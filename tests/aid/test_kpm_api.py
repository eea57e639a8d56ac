"""Look-up at the till, search, credits, adjustments and KPM views over the API."""

from __future__ import annotations

from aid import ledger
from tests.factories import credit, make_beneficiary, make_card_number
from tests.helpers import error_code

CARD = "5264221234567891"


def arrange(db, key, **kw):
    with db.unit_of_work() as s:
        b = make_beneficiary(s, key, **kw)
        credit(s, b, 200_000)
        return b.id


def test_lookup_by_typed_number_answers_the_contract(cashier, db, key):
    bid = arrange(db, key, card=CARD, name="Siti Aminah", village="Sukamaju")
    resp = cashier.get("/api/v1/beneficiaries/lookup?card=5264 2212 3456 7891")
    assert resp.status_code == 200
    body = resp.get_json()
    assert {k: body[k] for k in ("id", "name", "masked_card", "village")} == {
        "id": bid, "name": "Siti Aminah", "masked_card": "526422******7891",
        "village": "Sukamaju"}
    ent = body["entitlement"]
    assert (ent["credited"], ent["redeemed"], ent["remaining"]) == (200_000, 0, 200_000)
    assert len(ent["period"]) == 7


def test_lookup_by_swiped_tracks_and_by_post(cashier, db, key):
    bid = arrange(db, key, card=CARD)
    swipe = f"%B{CARD}^AMINAH/SITI^2512101000?;{CARD}=2512101000?"
    assert cashier.get("/api/v1/beneficiaries/lookup", query_string={"card": swipe}
                       ).get_json()["id"] == bid
    assert cashier.post("/api/v1/beneficiaries/lookup", json={"card": f";{CARD}=2512?"}
                        ).get_json()["id"] == bid


def test_lookup_after_a_redemption_shows_what_is_left(cashier, db, key):
    bid = arrange(db, key, card=CARD)
    with db.unit_of_work() as s:
        ledger.redeem(s, bid, 75_000, sale_id=1, edc_ref="1")
    ent = cashier.get(f"/api/v1/beneficiaries/lookup?card={CARD}").get_json()["entitlement"]
    assert (ent["redeemed"], ent["remaining"]) == (75_000, 125_000)


def test_lookup_errors_have_their_codes(cashier, db, key):
    arrange(db, key, card=CARD)
    bad = cashier.get("/api/v1/beneficiaries/lookup?card=5264221234567890")
    assert bad.status_code == 422 and error_code(bad) == "invalid_card_number"
    assert "5264221234567890" not in bad.get_data(as_text=True)
    unknown = cashier.get(f"/api/v1/beneficiaries/lookup?card={make_card_number()}")
    assert unknown.status_code == 404 and error_code(unknown) == "card_not_registered"
    neither = cashier.get("/api/v1/beneficiaries/lookup")
    assert neither.status_code == 422 and error_code(neither) == "validation_error"


def test_lookup_of_a_replaced_card_or_an_inactive_kpm_is_refused(cashier, manager, db, key):
    bid = arrange(db, key, card=CARD)
    new = make_card_number()
    resp = manager.post(f"/api/v1/beneficiaries/{bid}/card", json={"card": new})
    assert resp.status_code == 201
    assert [c["status"] for c in resp.get_json()["cards"]] == ["replaced", "active"]
    old = cashier.get(f"/api/v1/beneficiaries/lookup?card={CARD}")
    assert old.status_code == 409 and error_code(old) == "card_replaced"
    assert cashier.get(f"/api/v1/beneficiaries/lookup?card={new}").get_json()["id"] == bid
    manager.patch(f"/api/v1/beneficiaries/{bid}", json={"active": False, "reason": "pindah"})
    off = cashier.get(f"/api/v1/beneficiaries/lookup?card={new}")
    assert off.status_code == 409 and error_code(off) == "beneficiary_inactive"


def test_lookup_by_nik(cashier, db, key):
    bid = arrange(db, key, nik="3527011204850001")
    assert cashier.get("/api/v1/beneficiaries/lookup?nik=3527011204850001"
                       ).get_json()["id"] == bid
    assert cashier.get("/api/v1/beneficiaries/lookup?nik=3527011204859999").status_code == 404


def test_the_luhn_setting_also_applies_to_lookups(cashier, db, key):
    from ewarung.shop import set_setting
    odd = "5264221234567890"  # fails Luhn
    with db.unit_of_work() as s:
        set_setting(s, "bpnt.luhn_check", False)
    bid = arrange(db, key, card=odd)
    assert cashier.get(f"/api/v1/beneficiaries/lookup?card={odd}").get_json()["id"] == bid


def test_managers_search_by_name_nik_and_village(manager, cashier, db, key):
    arrange(db, key, name="Siti Aminah", village="Sukamaju", nik="3527011204850001")
    arrange(db, key, name="Budi Santoso", village="Mekarsari")
    names = lambda q: [i["name"] for i in manager.get(  # noqa: E731
        "/api/v1/beneficiaries", query_string={"q": q}).get_json()["items"]]
    assert names("amin") == ["Siti Aminah"]
    assert names("MEKAR") == ["Budi Santoso"]
    assert names("35270112048") == ["Siti Aminah"]
    assert names("") == ["Budi Santoso", "Siti Aminah"]
    assert names("100%_") == []
    page = manager.get("/api/v1/beneficiaries?q=a&limit=1").get_json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert page["items"][0]["entitlement"]["remaining"] == 200_000
    assert cashier.get("/api/v1/beneficiaries?q=siti").status_code == 403


def test_credit_endpoint_credits_all_active_and_refuses_twice(manager, db, key):
    ids = [arrange(db, key) for _ in range(2)]
    resp = manager.post("/api/v1/entitlements", json={"period": "2030-01", "amount": 200_000})
    assert resp.status_code == 201 and resp.get_json()["credited"] == 2
    again = manager.post("/api/v1/entitlements", json={
        "period": "2030-01", "amount": 200_000, "beneficiary_ids": [ids[0]]})
    assert again.status_code == 409 and error_code(again) == "already_credited"
    bad = manager.post("/api/v1/entitlements", json={"period": "2030-13", "amount": 1})
    assert bad.status_code == 422 and "period" in bad.get_json()["error"]["details"]["fields"]
    unknown = manager.post("/api/v1/entitlements", json={
        "period": "2030-02", "amount": 1, "beneficiary_ids": [999_999]})
    assert unknown.status_code == 404


def test_adjustments_by_amount_or_to_the_bank_balance(manager, db, key):
    bid = arrange(db, key)
    resp = manager.post(f"/api/v1/beneficiaries/{bid}/adjustments",
                        json={"amount": -20_000, "reason": "selisih EDC"})
    assert resp.status_code == 201
    assert resp.get_json()["entitlement"]["remaining"] == 180_000
    resp = manager.post(f"/api/v1/beneficiaries/{bid}/adjustments",
                        json={"bank_remaining": 150_000, "reason": "saldo EDC"})
    assert resp.get_json()["entry"]["amount"] == -30_000
    assert resp.get_json()["entitlement"]["remaining"] == 150_000
    both = manager.post(f"/api/v1/beneficiaries/{bid}/adjustments",
                        json={"amount": 1, "bank_remaining": 1, "reason": "x y z"})
    assert both.status_code == 422


def test_history_and_the_unserved_list(manager, db, key):
    served = arrange(db, key, name="Sudah")
    waiting = arrange(db, key, name="Belum")
    with db.unit_of_work() as s:
        ledger.redeem(s, served, 60_000, sale_id=7, edc_ref="000123")
    hist = manager.get(f"/api/v1/beneficiaries/{served}/ledger?kind=redemption").get_json()
    assert [(e["amount"], e["sale_id"], e["edc_ref"]) for e in hist["entries"]] == [
        (-60_000, 7, "000123")]
    assert hist["entitlement"]["remaining"] == 140_000
    full = manager.get(f"/api/v1/beneficiaries/{served}/ledger").get_json()
    assert [e["kind"] for e in full["entries"]] == ["redemption", "credit"]
    body = manager.get("/api/v1/beneficiaries/unserved").get_json()
    assert [(i["id"], i["remaining"]) for i in body["items"]] == [(waiting, 200_000)]


def test_one_kpm_with_cards(manager, db, key):
    bid = arrange(db, key, card=CARD)
    body = manager.get(f"/api/v1/beneficiaries/{bid}").get_json()
    assert body["cards"][0]["masked"] == "526422******7891"
    assert manager.get("/api/v1/beneficiaries/999999").status_code == 404


def refused_fields(resp):
    assert (resp.status_code, error_code(resp)) == (422, "validation_error"), resp.get_json()
    return resp.get_json()["error"]["details"]["fields"]


def test_reasons_with_control_characters_are_refused_by_field(manager, db, key):
    bid = arrange(db, key)
    for reason in ("selisih\x00EDC", "selisih\x1b@", "baris\u2028baru"):
        adjust = manager.post(f"/api/v1/beneficiaries/{bid}/adjustments",
                              json={"amount": -20_000, "reason": reason})
        assert "reason" in refused_fields(adjust)
        status = manager.patch(f"/api/v1/beneficiaries/{bid}",
                               json={"active": False, "reason": reason})
        assert "reason" in refused_fields(status)
    body = manager.get(f"/api/v1/beneficiaries/{bid}").get_json()
    assert body["active"] is True and body["entitlement"]["remaining"] == 200_000


def test_the_unserved_list_reads_a_whole_shop_in_a_bounded_number_of_statements(
        manager, db, key):
    """Each KPM's card was loaded on its own: 10,000 statements on a medium shop."""
    from tests.helpers import counted_statements

    with db.unit_of_work() as s:
        for n in range(40):
            credit(s, make_beneficiary(s, key, name=f"KPM Belum {n:02d}"))
    for url in ("/api/v1/beneficiaries/unserved", "/bpnt/unserved", "/bpnt/unserved.csv"):
        with counted_statements(db.engine) as sent:
            resp = manager.get(url)
        assert resp.status_code == 200
        assert resp.get_data(as_text=True).count("KPM Belum") == 40, url
        assert len(sent) <= 25, (url, len(sent))
