"""The command line: users, tokens, the demo shop."""

from __future__ import annotations

import re

from sqlalchemy import select

from ewarung.auth.models import User
from ewarung.cli import cli


def _run(app, *args):
    return app.test_cli_runner().invoke(cli, list(args), obj=app)


def test_user_add_creates_a_cashier_with_a_pin(app, db):
    result = _run(app, "user", "add", "Siti", "--role", "cashier", "--pin", "4321")
    assert result.exit_code == 0, result.output
    with db.unit_of_work(write=False) as s:
        user = s.scalar(select(User).where(User.username == "siti"))
    assert user.role == "cashier" and user.pin_hash and user.password_hash is None


def test_user_add_refuses_a_short_pin_with_a_clear_message(app):
    result = _run(app, "user", "add", "siti", "--role", "cashier", "--pin", "12")
    assert result.exit_code == 1
    assert "PIN harus 4 sampai 6 angka" in result.output


def test_user_add_refuses_a_manager_without_password(app):
    result = _run(app, "user", "add", "ketua", "--role", "manager", "--pin", "1234")
    assert result.exit_code == 1
    assert "kata sandi" in result.output


def test_token_create_prints_only_the_token_and_it_works(app, client):
    _run(app, "user", "add", "script", "--role", "manager", "--password", "panjang-sekali")
    result = app.test_cli_runner().invoke(cli, ["token", "create", "script"], obj=app)
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert re.fullmatch(r"ewt_[A-Za-z0-9_-]{40,}", token)
    resp = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.get_json()["user"]["username"] == "script"


def test_demo_prints_credentials_that_sign_in(app, client):
    result = _run(app, "demo")
    assert result.exit_code == 0, result.output
    match = re.search(r"manager\s+(\S+)\s+password (\S+)", result.output)
    assert match, result.output
    assert client.login(match[1], password=match[2]).status_code == 200
    again = _run(app, "demo")
    assert "already loaded" in again.output


def test_user_add_refuses_a_full_name_with_a_control_character(app, db):
    result = _run(app, "user", "add", "siti", "--role", "cashier", "--pin", "4321",
                  "--full-name", "Siti\x1b@")
    assert result.exit_code == 1
    assert "karakter kendali" in result.output
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(User).where(User.username == "siti")) is None
