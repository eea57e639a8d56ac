"""Fixtures of the district: a district database (PostgreSQL only), its app and its outlets."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

import ewarung.outbox  # noqa: F401  (the outbox on the shop's metadata, truncated too)
from district import migrate as district_migrate
from district.models import DistrictBase
from district.services import add_outlet
from ewarung.db import Base, Database
from ewarung.migrate import upgrade
from tests.conftest import create_pg_database, drop_pg_database, make_app
from tests.helpers import ApiClient


@pytest.fixture(scope="session")
def district_migrated() -> Iterator[str]:
    """One PostgreSQL district database per test session, truncated between tests."""
    url = create_pg_database()
    db = Database(url)
    upgrade(db.engine)
    district_migrate.upgrade(db.engine)
    db.dispose()
    yield url
    drop_pg_database(url)


@pytest.fixture
def district_url(district_migrated: str) -> str:
    """An empty district database (the shell's tables for its users, and the district's)."""
    engine = create_engine(district_migrated)
    tables = [t.name for t in (*Base.metadata.sorted_tables,
                               *DistrictBase.metadata.sorted_tables)]
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return district_migrated


@pytest.fixture
def district_app(district_url: str, tmp_path: Path) -> Iterator[Any]:
    """The app serving the district database."""
    application = make_app(tmp_path / "district-data", district_url)
    yield application
    application.extensions["ewarung.db"].dispose()


@pytest.fixture
def district_db(district_app: Any) -> Database:
    database: Database = district_app.extensions["ewarung.db"]
    return database


@pytest.fixture
def district_client(district_app: Any) -> ApiClient:
    return ApiClient(district_app.test_client())


@pytest.fixture
def outlet_key(district_db: Database) -> str:
    """The join key of outlet W001, registered at the district."""
    with district_db.unit_of_work() as s:
        _outlet, key = add_outlet(s, "W001", "Warung Sejahtera", "Kepanjen", "Ngadilangkung")
    return key


@dataclass
class Running:
    url: str
    server: Any


@contextmanager
def serving(app: Any, ssl_context: Any = None, host: str = "127.0.0.1") -> Iterator[Running]:
    """`app` on a real socket in a thread (HTTPS with `ssl_context`)."""
    server = make_server(host, 0, app, threaded=True, ssl_context=ssl_context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if ssl_context else "http"
    try:
        yield Running(f"{scheme}://{host}:{server.server_port}", server)
    finally:
        server.shutdown()
        thread.join(10)


@pytest.fixture
def district_server(district_app: Any) -> Iterator[Running]:
    """The district over plain HTTP on 127.0.0.1 (allowed: it is this computer)."""
    with serving(district_app) as running:
        yield running
