"""Lock-outs that grow, a throttle per address, and strangers who cannot lock a user out of
the places the user signs in from (the policy is in ewarung/auth/limits.py)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select, update

from ewarung.audit import AuditEvent
from ewarung.auth.models import SignInLimit, User
from ewarung.db import utcnow
from tests.factories import PASSWORD, PIN, make_user
from tests.helpers import error_code

#: the lock-out after each round of five wrong PINs: doubling from a minute, capped at an hour
STEPS = [60, 120, 240, 480, 960, 1920, 3600, 3600]
_addresses = (f"10.9.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def _login(app, username, address, **secret):
    """A sign-in from a browser at `address`."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser.post("/api/v1/auth/login", json={"username": username, **secret})


def _refusal(resp):
    """(code, Retry-After) of a 429, or the status of anything else."""
    if resp.status_code != 429:
        return resp.status_code
    assert int(resp.headers["Retry-After"]) == resp.get_json()["error"]["details"][
        "retry_after"]
    return error_code(resp), int(resp.headers["Retry-After"])


def _time_passes(db):
    """Every lock-out in force ends now."""
    with db.unit_of_work() as s:
        s.execute(update(SignInLimit).where(SignInLimit.locked_until.is_not(None))
                  .values(locked_until=utcnow() - timedelta(seconds=1)))


def _close_to(refusal, code, seconds):
    return refusal[0] == code and abs(refusal[1] - seconds) <= 1


def test_each_lock_out_of_a_user_doubles_up_to_an_hour(app, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    for expected in STEPS:
        # from a new address each time, as a spread-out attack: only the user's count grows
        codes = [_login(app, "siti", next(_addresses), pin="0000").status_code
                 for _ in range(5)]
        assert codes == [401] * 5
        refused = _refusal(_login(app, "siti", next(_addresses), pin=PIN))
        assert _close_to(refused, "account_locked", expected), (expected, refused)
        _time_passes(db)
    assert _login(app, "siti", next(_addresses), pin=PIN).status_code == 200


def test_a_right_pin_and_a_quiet_day_both_reset_the_doubling(app, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")

    def lock_out() -> tuple[str, int]:
        for _ in range(5):
            _login(app, "siti", next(_addresses), pin="0000")
        return _refusal(_login(app, "siti", next(_addresses), pin=PIN))

    assert _close_to(lock_out(), "account_locked", 60)
    _time_passes(db)
    assert _close_to(lock_out(), "account_locked", 120)
    _time_passes(db)
    assert _login(app, "siti", next(_addresses), pin=PIN).status_code == 200
    assert _close_to(lock_out(), "account_locked", 60)
    with db.unit_of_work() as s:  # a day later without a wrong PIN
        s.execute(update(SignInLimit).values(locked_until=utcnow() - timedelta(hours=25)))
    assert _close_to(lock_out(), "account_locked", 60)


def test_one_address_is_throttled_before_it_can_lock_the_users_it_tries(app, db):
    with db.unit_of_work() as s:
        for n in range(6):
            make_user(s, "cashier", f"kasir{n}")
    stranger = "192.168.1.66"
    assert [_login(app, f"kasir{n}", stranger, pin="0000").status_code
            for n in range(5)] == [401] * 5
    throttled = _refusal(_login(app, "kasir5", stranger, pin=PIN))
    assert _close_to(throttled, "too_many_attempts", 60)
    for n in range(6):  # each user had one wrong PIN at most: none is locked
        assert _login(app, f"kasir{n}", "192.168.1.20", pin=PIN).status_code == 200
    _time_passes(db)
    for n in range(5):
        _login(app, f"kasir{n}", stranger, pin="0000")
    assert _close_to(_refusal(_login(app, "kasir5", stranger, pin=PIN)),
                     "too_many_attempts", 120)


def test_a_stranger_cannot_keep_the_manager_locked_out(app, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    office = "192.168.1.10"
    assert _login(app, "ketua", office, password=PASSWORD).status_code == 200
    stranger = "192.168.1.66"
    for expected in STEPS[:5]:
        wrong = [_login(app, "ketua", stranger, password="tebak-tebak").status_code
                 for _ in range(5)]
        assert wrong == [401] * 5
        refused = _refusal(_login(app, "ketua", stranger, password=PASSWORD))
        # the stranger is throttled, and the account named locked for places like his
        assert _close_to(refused, "account_locked", expected), (expected, refused)
        # and from many other addresses at once, locking the account for new places
        for _ in range(6):
            _login(app, "ketua", next(_addresses), password="tebak-tebak")
        assert _refusal(_login(app, "ketua", next(_addresses), password=PASSWORD))[0] == \
            "account_locked"
        # meanwhile the manager signs in where she always does
        assert _login(app, "ketua", office, password=PASSWORD).status_code == 200
        _time_passes(db)


def test_wrong_pins_typed_at_the_manager_s_own_place_lock_only_that_place(app, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    office, home = "192.168.1.10", "192.168.1.11"
    for place in (office, home):
        assert _login(app, "ketua", place, password=PASSWORD).status_code == 200
    for _ in range(5):
        _login(app, "ketua", office, password="salah-ketik")
    assert _refusal(_login(app, "ketua", office, password=PASSWORD))[0] in (
        "account_locked", "too_many_attempts")
    assert _login(app, "ketua", home, password=PASSWORD).status_code == 200


def test_refusals_are_audited_and_say_when_to_try_again(app, db):
    with db.unit_of_work() as s:
        siti = make_user(s, "cashier", "siti").id
        make_user(s, "cashier", "budi")
    for _ in range(5):
        _login(app, "siti", "10.0.0.7", pin="0000")
    locked = _login(app, "siti", "10.0.0.8", pin=PIN)
    assert "1 menit" in locked.get_json()["error"]["message"]
    for _ in range(5):
        _login(app, "nobody", "10.0.0.9", pin="0000")
    throttled = _login(app, "budi", "10.0.0.9", pin=PIN)
    assert error_code(throttled) == "too_many_attempts"
    # a locked account is named as such, also to an address that is throttled
    assert error_code(_login(app, "siti", "10.0.0.9", pin=PIN)) == "account_locked"
    with db.unit_of_work(write=False) as s:
        mine = s.scalars(select(AuditEvent.action).where(
            AuditEvent.entity == "user", AuditEvent.entity_id == str(siti))
            .order_by(AuditEvent.id)).all()
        throttles = s.scalars(select(AuditEvent.note).where(
            AuditEvent.action == "auth.throttled")).all()
        locked_row = s.scalars(select(AuditEvent.after).where(
            AuditEvent.action == "auth.locked")).first()
    assert mine.count("auth.login_failed") == 5
    assert "auth.locked" in mine and mine[-1] == "auth.refused_locked"
    assert locked_row["lock_seconds"] == 60
    assert any("10.0.0.9" in (note or "") for note in throttles)


def test_the_sign_in_page_shows_the_lock_out_in_indonesian(app, client, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    for _ in range(5):
        _login(app, "siti", "10.0.0.7", pin="0000")
    page = client.raw.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    resp = client.raw.post("/login", data={"username": "siti", "pin": PIN, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert resp.status_code == 429
    assert "coba lagi dalam 1 menit" in resp.get_data(as_text=True)


def test_an_admin_unlock_clears_every_lock_of_the_user(app, client, db):
    with db.unit_of_work() as s:
        make_user(s, "admin", "boss")
        siti = make_user(s, "cashier", "siti").id
    for _ in range(5):
        _login(app, "siti", next(_addresses), pin="0000")
    assert _refusal(_login(app, "siti", "10.0.0.8", pin=PIN))[0] == "account_locked"
    client.login("boss", password=PASSWORD)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Terkunci" in page
    client.post(f"/admin/users/{siti}", data={"action": "unlock"})
    assert _login(app, "siti", "10.0.0.8", pin=PIN).status_code == 200
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(User.username).where(User.id == siti)) == "siti"


def test_a_cashier_mistyping_at_her_till_does_not_hold_up_the_next_cashier(app, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
        make_user(s, "cashier", "budi")
    till = "192.168.1.30"
    for name in ("siti", "budi"):
        assert _login(app, name, till, pin=PIN).status_code == 200
    assert [_login(app, "siti", till, pin="0000").status_code for _ in range(5)] == [401] * 5
    assert _refusal(_login(app, "siti", till, pin=PIN))[0] == "account_locked"
    assert _login(app, "budi", till, pin=PIN).status_code == 200
