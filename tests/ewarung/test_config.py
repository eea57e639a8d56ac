"""Configuration from the environment and the secret key file."""

from __future__ import annotations

import stat

from ewarung.config import Config


def test_secret_key_file_is_owner_only_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("EWARUNG_SECRET_KEY", raising=False)
    monkeypatch.setenv("EWARUNG_DATA_DIR", str(tmp_path / "data"))
    first = Config.from_env()
    key_file = tmp_path / "data" / "secret_key"
    mode = stat.S_IMODE(key_file.stat().st_mode)
    assert mode == 0o600
    second = Config.from_env()
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 64


def test_two_app_starts_sign_the_same_session(tmp_path, monkeypatch, database_url):
    from tests.conftest import make_app

    monkeypatch.delenv("EWARUNG_SECRET_KEY", raising=False)
    a = make_app(tmp_path / "data", database_url)
    b = make_app(tmp_path / "data", database_url)
    assert a.config["SECRET_KEY"] == b.config["SECRET_KEY"]
    for app in (a, b):
        app.extensions["ewarung.db"].dispose()


def test_environment_variables_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv("EWARUNG_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("EWARUNG_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("EWARUNG_SECRET_KEY", "k" * 64)
    monkeypatch.setenv("EWARUNG_PRINTER", "network://10.0.0.5:9100")
    monkeypatch.setenv("EWARUNG_PRINTER_PROFILE", "POS-5890")
    config = Config.from_env()
    assert config.data_dir == (tmp_path / "d").resolve()
    assert config.database_url == "postgresql+psycopg://u@h/db"
    assert config.secret_key == "k" * 64
    assert config.printer == "network://10.0.0.5:9100"
    assert config.printer_profile == "POS-5890"


def test_default_database_is_sqlite_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("EWARUNG_DATABASE_URL", raising=False)
    monkeypatch.setenv("EWARUNG_DATA_DIR", str(tmp_path / "d"))
    config = Config.from_env()
    assert config.database_url == f"sqlite:///{(tmp_path / 'd' / 'ewarung.sqlite3').resolve()}"
