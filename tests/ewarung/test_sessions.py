"""Browser sessions end for good: a copied cookie is refused after logging out, and every
session of a user ends when an admin resets their PIN or password or deactivates them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ewarung.auth.models import User
from tests.factories import PASSWORD, PIN, make_user, open_shift_for
from tests.helpers import ApiClient, error_code

COOKIE = "ewarung_session"


def _device(app, username, **secret):
    """A browser signed in as `username`."""
    browser = ApiClient(app.test_client())
    assert browser.login(username, **secret).status_code == 200
    return browser


def _copy(app, browser):
    """Another browser holding a copy of `browser`'s session cookie."""
    thief = ApiClient(app.test_client())
    thief.raw.set_cookie(COOKIE, browser.raw.get_cookie(COOKIE).value)
    assert thief.get("/api/v1/auth/me").status_code == 200
    return thief


def _refused(browser):
    resp = browser.get("/api/v1/auth/me")
    return resp.status_code == 401 and error_code(resp) == "unauthorized"


def _form_token(browser, path="/admin/users"):
    return re.search(r'name="csrf_token" value="([^"]+)"',
                     browser.get(path).get_data(as_text=True))[1]


def test_a_copied_cookie_is_refused_after_logging_out_of_the_api(app, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    browser = _device(app, "ketua", password=PASSWORD)
    thief = _copy(app, browser)
    assert browser.post("/api/v1/auth/logout").status_code == 204
    assert _refused(thief)
    assert _refused(browser)


def test_a_copied_cookie_is_refused_after_signing_out_on_the_page(app, db):
    with db.unit_of_work() as s:  # with her shift open: the till page has the form
        open_shift_for(s, make_user(s, "cashier", "siti"))
    browser = _device(app, "siti", pin=PIN)
    thief = _copy(app, browser)
    token = _form_token(browser, "/till/")
    assert browser.raw.post("/logout", data={"csrf_token": token}).status_code == 302
    assert _refused(thief)
    assert thief.raw.get("/till/").status_code == 302  # back to the sign-in page


def test_logging_out_ends_only_that_session(app, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    till, tablet = _device(app, "siti", pin=PIN), _device(app, "siti", pin=PIN)
    assert till.post("/api/v1/auth/logout").status_code == 204
    assert _refused(till)
    assert tablet.get("/api/v1/auth/me").status_code == 200


@pytest.mark.parametrize(("role", "action", "secret"), [
    ("cashier", "pin", {"pin": "5678"}), ("manager", "password", {"password": "baru-sekali-9"}),
    ("manager", "pin", {"pin": "5678"})])
def test_an_admin_resetting_a_credential_ends_every_session_of_that_user(
        app, db, role, action, secret):
    with db.unit_of_work() as s:
        make_user(s, "admin", "boss")
        user_id = make_user(s, role, "siti").id
    login = {"pin": PIN} if role == "cashier" else {"password": PASSWORD}
    till, tablet = _device(app, "siti", **login), _device(app, "siti", **login)
    thief = _copy(app, till)
    admin = _device(app, "boss", password=PASSWORD)
    resp = admin.raw.post(f"/admin/users/{user_id}",
                          data={"csrf_token": _form_token(admin), "action": action, **secret})
    assert resp.status_code == 302
    assert _refused(till) and _refused(tablet) and _refused(thief)
    assert admin.get("/api/v1/auth/me").status_code == 200
    again = {"pin": secret["pin"]} if role == "cashier" else login
    if action == "password":
        again = {"password": secret["password"]}
    assert ApiClient(app.test_client()).login("siti", **again).status_code == 200


def test_an_admin_changing_her_own_password_keeps_this_session_and_ends_the_others(app, db):
    with db.unit_of_work() as s:
        boss_id = make_user(s, "admin", "boss").id
    here, elsewhere = _device(app, "boss", password=PASSWORD), _device(app, "boss",
                                                                        password=PASSWORD)
    resp = here.raw.post(f"/admin/users/{boss_id}", data={
        "csrf_token": _form_token(here), "action": "password", "password": "baru-sekali-9"})
    assert resp.status_code == 302
    assert here.get("/api/v1/auth/me").status_code == 200
    assert _refused(elsewhere)


def test_a_deactivated_user_s_cookie_stays_dead_after_reactivation(app, db):
    with db.unit_of_work() as s:
        make_user(s, "admin", "boss")
        siti_id = make_user(s, "cashier", "siti").id
    till = _device(app, "siti", pin=PIN)
    thief = _copy(app, till)
    admin = _device(app, "boss", password=PASSWORD)
    for _ in range(2):  # off, then on again
        admin.raw.post(f"/admin/users/{siti_id}",
                       data={"csrf_token": _form_token(admin), "action": "toggle"})
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(User.active).where(User.id == siti_id)) is True
    assert _refused(till) and _refused(thief)


def test_api_tokens_outlive_a_password_reset_until_revoked(app, db):
    from tests.factories import make_token

    with db.unit_of_work() as s:
        make_user(s, "admin", "boss")
        token = make_token(s, "manager")
        manager_id = s.scalar(select(User.id).where(User.role == "manager"))
    admin = _device(app, "boss", password=PASSWORD)
    script = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    admin.raw.post(f"/admin/users/{manager_id}", data={
        "csrf_token": _form_token(admin), "action": "password", "password": "baru-sekali-9"})
    assert script.get("/api/v1/auth/me", headers=bearer).status_code == 200
    admin.raw.post(f"/admin/users/{manager_id}",
                   data={"csrf_token": _form_token(admin), "action": "revoke_tokens"})
    assert script.get("/api/v1/auth/me", headers=bearer).status_code == 401


def test_the_cookie_holds_no_user_id_a_stolen_database_could_replay(app, db):
    """The database keeps only a digest of each session's secret."""
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    browser = _device(app, "siti", pin=PIN)
    cookie = browser.raw.get_cookie(COOKIE).value
    from flask.sessions import SecureCookieSessionInterface

    data = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie)
    assert "uid" not in data and set(data) >= {"sid"}
    with db.engine.connect() as conn:
        dump = "\n".join(str(r) for r in conn.exec_driver_sql("SELECT * FROM user_sessions"))
    assert data["sid"] not in dump


def test_a_session_lasts_twelve_hours_from_its_last_write(app, db):
    from datetime import timedelta

    from sqlalchemy import update

    from ewarung.auth.models import UserSession
    from ewarung.db import utcnow

    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    browser = _device(app, "ketua", password=PASSWORD)

    def ends_in() -> timedelta:
        with db.unit_of_work(write=False) as s:
            return s.scalar(select(UserSession.expires_at)) - utcnow()

    with db.unit_of_work() as s:  # eleven hours of reading later
        s.execute(update(UserSession).values(expires_at=utcnow() + timedelta(hours=1)))
    assert browser.get("/api/v1/auth/me").status_code == 200
    assert ends_in() < timedelta(hours=1)  # reading writes nothing
    resp = browser.post("/api/v1/suppliers", json={"name": "Toko Maju", "kind": "third_party"})
    assert resp.status_code == 201, resp.get_json()
    assert timedelta(hours=11, minutes=59) < ends_in() <= timedelta(hours=12)
    with db.unit_of_work() as s:  # twelve hours without a write
        s.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert _refused(browser)


def test_a_read_answered_after_signing_out_does_not_bring_the_old_session_back(app, db):
    """The till's reads still in flight when the cashier taps "Ganti kasir" are answered after
    the sign-in page: their answers must not set the old cookie again, or the next cashier's
    PIN is refused as an expired form (found by the browser test of switching cashier)."""
    with db.unit_of_work() as s:
        open_shift_for(s, make_user(s, "cashier", "siti"))
    browser = _device(app, "siti", pin=PIN)
    reads = [browser.raw.get(path) for path in ("/till/", "/api/v1/auth/me")]
    assert all(resp.status_code == 200 for resp in reads)
    assert [resp.headers.getlist("Set-Cookie") for resp in reads] == [[], []]


def test_a_write_that_renews_the_session_renews_the_cookie_too(app, db):
    """With the cookie sent only when the session changes, the write that pushes the
    session's end back must send it again, or the browser drops it 12 hours after sign-in."""
    from datetime import timedelta

    from sqlalchemy import update

    from ewarung.auth.models import UserSession
    from ewarung.db import utcnow

    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    browser = _device(app, "ketua", password=PASSWORD)
    first = browser.post("/api/v1/suppliers", json={"name": "Toko Maju", "kind": "third_party"})
    assert first.status_code == 201
    assert first.headers.getlist("Set-Cookie") == []  # just signed in: nothing to push back
    with db.unit_of_work() as s:
        s.execute(update(UserSession).values(expires_at=utcnow() + timedelta(hours=1)))
    later = browser.post("/api/v1/suppliers", json={"name": "Toko Jaya", "kind": "third_party"})
    assert later.status_code == 201
    assert [c.split("=")[0] for c in later.headers.getlist("Set-Cookie")] == [COOKIE]
