"""Signing in: passwords, PINs, lock-out, tokens."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from ewarung.audit import AuditEvent
from ewarung.auth.limits import MAX_FAILURES
from ewarung.auth.models import SignInLimit, User
from ewarung.auth.services import create_user
from ewarung.db import utcnow
from ewarung.errors import ValidationFailed
from ewarung.text import has_unwritable
from tests.factories import PASSWORD, PIN, make_token, make_user, open_shift_for
from tests.helpers import error_code


def test_manager_signs_in_with_password_and_gets_a_session(client, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    resp = client.login("ketua", password=PASSWORD)
    assert resp.status_code == 200
    assert resp.get_json()["user"]["role"] == "manager"
    assert client.get("/api/v1/auth/me").get_json()["user"]["username"] == "ketua"


def test_wrong_password_answers_401_unauthorized(client, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    resp = client.login("ketua", password="salah-sekali")
    assert resp.status_code == 401
    assert error_code(resp) == "unauthorized"


def test_unknown_user_looks_like_a_wrong_password(client):
    resp = client.login("nobody", password="whatever-1")
    assert resp.status_code == 401
    assert error_code(resp) == "unauthorized"


def test_a_user_name_with_a_nul_is_a_clear_refusal_on_either_database(client, backend):
    resp = client.login("kas\x00ir", password="whatever-1")
    # SQLite compares the name and finds nobody; PostgreSQL cannot hold a NUL at all, and the
    # refusal says what is wrong with the input instead of failing
    if backend == "sqlite":
        assert (resp.status_code, error_code(resp)) == (401, "unauthorized")
    else:
        assert (resp.status_code, error_code(resp)) == (422, "validation_error")
        assert "karakter kendali" in resp.get_json()["error"]["message"]


def test_cashier_signs_in_with_pin_not_password(client, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    assert client.login("siti", pin="9999").status_code == 401
    assert client.login("siti", password=PIN).status_code == 401
    assert client.login("siti", pin=PIN).status_code == 200


def test_manager_cannot_sign_in_with_a_pin(client, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    assert client.login("ketua", pin=PIN).status_code == 401


def test_six_wrong_pins_lock_the_user_and_the_audit_log_shows_it(client, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    codes = [error_code(client.login("siti", pin="0000")) for _ in range(MAX_FAILURES + 1)]
    assert codes == ["unauthorized"] * MAX_FAILURES + ["account_locked"]
    locked = client.login("siti", pin=PIN)  # even the right PIN is refused while locked
    assert locked.status_code == 429
    assert error_code(locked) == "account_locked"
    assert int(locked.headers["Retry-After"]) >= 1
    with db.unit_of_work(write=False) as s:
        user = s.scalar(select(User).where(User.username == "siti"))
        actions = s.scalars(select(AuditEvent.action).where(
            AuditEvent.entity == "user", AuditEvent.entity_id == str(user.id))
            .order_by(AuditEvent.id)).all()
    assert actions.count("auth.login_failed") == MAX_FAILURES
    assert "auth.locked" in actions
    assert actions[-1] == "auth.refused_locked"


def test_lock_lasts_a_minute_then_the_right_pin_works(client, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    for _ in range(MAX_FAILURES):
        client.login("siti", pin="0000")
    assert client.login("siti", pin=PIN).status_code == 429
    with db.unit_of_work() as s:  # a minute passes
        s.execute(update(SignInLimit).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert client.login("siti", pin=PIN).status_code == 200


def test_success_resets_the_failure_count(client, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    for _ in range(MAX_FAILURES - 1):
        client.login("siti", pin="0000")
    assert client.login("siti", pin=PIN).status_code == 200
    for _ in range(MAX_FAILURES - 1):
        client.login("siti", pin="0000")
    assert client.login("siti", pin=PIN).status_code == 200


def test_bearer_token_authenticates_and_is_stored_hashed(client, db):
    with db.unit_of_work() as s:
        token = make_token(s, "manager")
    resp = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    with db.engine.connect() as conn:
        dump = "\n".join(str(row) for row in conn.exec_driver_sql("SELECT * FROM api_tokens"))
    assert token not in dump and token[12:] not in dump


def test_a_wrong_bearer_token_is_unauthorized(client):
    resp = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer ewt_nope"})
    assert resp.status_code == 401
    assert error_code(resp) == "unauthorized"


def test_passwords_and_pins_are_argon2_hashes(db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    with db.unit_of_work(write=False) as s:
        user = s.scalar(select(User).where(User.username == "ketua"))
        assert user.password_hash.startswith("$argon2id$")
        assert user.pin_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_session_cookie_is_httponly_and_samesite(client, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    resp = client.login("ketua", password=PASSWORD)
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pin_tile_screen_signs_a_cashier_in(client, db):
    with db.unit_of_work() as s:  # with her shift open (the till asks for the float first)
        open_shift_for(s, make_user(s, "cashier", "siti", full_name="Siti Aminah"))
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Siti Aminah" in html
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    resp = client.post("/login", data={"username": "siti", "pin": PIN, "csrf_token": token})
    assert resp.status_code == 302
    assert client.get("/").headers["Location"] == "/till/"  # cashiers start at the till
    assert client.get("/till/").status_code == 200
    page = client.get("/login").get_data(as_text=True)  # signing in renewed the CSRF secret
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    wrong = client.post("/login", data={"username": "siti", "pin": "0000", "csrf_token": token})
    assert wrong.status_code == 401
    assert "PIN salah" in wrong.get_data(as_text=True)


def test_sign_in_page_never_redirects_off_site(client, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    resp = client.post("/login?next=//evil.example/x",
                       data={"username": "siti", "pin": PIN, "csrf_token": token})
    assert resp.headers["Location"] == "/"


@pytest.mark.parametrize("full_name", ["Siti\x00Aminah", "Siti\x1b@", "Siti\nAminah",
                                       "Siti\u2029"])
def test_a_full_name_with_a_control_character_is_refused_by_field(client, db, full_name):
    with db.unit_of_work() as s:
        client.token = make_token(s, "admin")
    resp = client.post("/api/v1/users", json={"username": "siti", "role": "cashier",
                                              "pin": "4321", "full_name": full_name})
    assert (resp.status_code, error_code(resp)) == (422, "validation_error"), resp.get_json()
    assert list(resp.get_json()["error"]["details"]["fields"]) == ["full_name"]
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(User).where(User.username == "siti")) is None


_usernames = itertools.count(1)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(full_name=st.text(st.characters(codec="utf-8"), max_size=120))
def test_any_unicode_full_name_is_stored_as_written_or_refused_with_a_reason(db, full_name):
    username = f"u{next(_usernames)}"
    try:
        with db.unit_of_work() as s:
            create_user(s, username, "cashier", full_name=full_name, pin="4321")
    except ValidationFailed as exc:
        assert exc.code == "validation_error"
        assert list(exc.details["fields"]) == ["full_name"]
        assert has_unwritable(full_name)
        refused = True
    else:
        refused = False
    with db.unit_of_work(write=False) as s:
        stored = s.scalar(select(User.full_name).where(User.username == username))
    if refused:
        assert stored is None
    else:
        assert stored == (full_name or username)
        assert not has_unwritable(stored)  # no ESC for a printer, no NUL for PostgreSQL
