"""Fixtures shared by every test: apps on SQLite and PostgreSQL, clients, factories.

Every database test runs twice, once per backend. PostgreSQL must be reachable at
127.0.0.1:5432 (or EWARUNG_TEST_PG); when it is not, the run fails rather than
skipping, unless EWARUNG_TEST_POSTGRES=skip is set on purpose.

The clock: a test marked `@pytest.mark.now("2026-11-05T10:00:00+07:00")` runs at that moment;
with EWARUNG_TEST_NOW set to such a moment, every other test running in this process does
(scripts/test.sh runs the `calendar` tests at the days where calendars break). The clock ticks
on from the moment. A test whose server runs in another process, or in a browser that keeps
its own clock, is marked `real_clock` (browser tests are, by their fixtures).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ewarung.app import create_app
from ewarung.db import Base, Database
from ewarung.migrate import upgrade
from tests.helpers import ApiClient

PG_ADMIN_URL = os.environ.get("EWARUNG_TEST_PG",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")
#: fixtures whose server or browser keeps the real clock
REAL_CLOCK_FIXTURES = ("browser", "live_server")


def _pinned_moment(request: pytest.FixtureRequest) -> datetime | None:
    """The moment a test runs at, or None for the real clock."""
    marker = request.node.get_closest_marker("now")
    if marker is not None:
        return datetime.fromisoformat(marker.args[0])
    if request.node.get_closest_marker("real_clock") or any(
            name in request.fixturenames for name in REAL_CLOCK_FIXTURES):
        return None
    raw = os.environ.get("EWARUNG_TEST_NOW")
    return datetime.fromisoformat(raw) if raw else None


@pytest.fixture(autouse=True)
def shop_clock(request: pytest.FixtureRequest) -> Iterator[datetime | None]:
    """Run the test at its pinned moment (see the module's docstring)."""
    moment = _pinned_moment(request)
    if moment is None:
        yield None
        return
    if moment.tzinfo is None:
        raise pytest.UsageError(f"a pinned moment needs its UTC offset: {moment}")
    with time_machine.travel(moment, tick=True):
        yield moment


def _pg_admin_engine() -> Any:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def create_pg_database() -> str:
    """A new, empty PostgreSQL database; returns its URL."""
    name = f"ewt_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    engine = _pg_admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        engine.dispose()
        if os.environ.get("EWARUNG_TEST_POSTGRES") == "skip":
            pytest.skip(f"PostgreSQL unavailable and EWARUNG_TEST_POSTGRES=skip: {exc}")
        pytest.fail(f"PostgreSQL is required at {PG_ADMIN_URL}: {exc}", pytrace=False)
    engine.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    """Drop a database made by `create_pg_database`."""
    name = make_url(url).database
    engine = _pg_admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> Iterator[str]:
    """One migrated PostgreSQL database per test session, truncated between tests."""
    url = create_pg_database()
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    yield url
    drop_pg_database(url)


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database kind this test runs on."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A migrated, empty database of the current backend, private to this test."""
    if backend == "sqlite":
        path = tmp_path / "ewarung.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_migrated")
    _truncate_all(url)
    return url


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, of the current backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = create_pg_database()
    yield url
    drop_pg_database(url)


def make_app(data_dir: Path, database_url: str, **overrides: Any) -> Any:
    """An app for tests: cheap password hashing, the given database."""
    config = {"data_dir": data_dir, "database_url": database_url, "testing": True,
              "hash_profile": "cheap", **overrides}
    return create_app(config)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """The application on a fresh database of the current backend."""
    application = make_app(tmp_path / "data", database_url)
    yield application
    application.extensions["ewarung.db"].dispose()


@pytest.fixture
def db(app: Any) -> Database:
    """The app's database (use `db.unit_of_work()` to read or arrange data)."""
    database: Database = app.extensions["ewarung.db"]
    return database


@pytest.fixture
def client(app: Any) -> ApiClient:
    """A browser-like client (cookies, CSRF token once signed in)."""
    return ApiClient(app.test_client())


@pytest.fixture
def runner(app: Any) -> Any:
    """A CLI runner bound to the app."""
    return app.test_cli_runner()
