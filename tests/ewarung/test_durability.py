"""An acknowledged sale survives a power cut: every connection commits durably."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ewarung.cli import _db, cli
from ewarung.db import Database, open_checkpointer
from ewarung.web import db_session
from tests.conftest import PG_ADMIN_URL, create_pg_database, drop_pg_database, make_app

#: what each backend must answer for "is a commit on disk before it is acknowledged"
DURABLE = {"sqlite": ("PRAGMA synchronous", 2),  # 2 = FULL (NORMAL, 1, may lose commits)
           "postgresql": ("SHOW synchronous_commit", "on")}


@pytest.fixture
def lax_database_url(backend: str, tmp_path: Any) -> Iterator[str]:
    """A migrated database whose own defaults are not durable where the server allows it."""
    if backend == "sqlite":
        # SQLite has no per-database default: a fresh file starts at the library's default.
        yield f"sqlite:///{tmp_path / 'shop.sqlite3'}"
        return
    url = create_pg_database()
    name = make_url(url).database
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # as a tuned-for-speed server might be set up
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    yield url
    drop_pg_database(url)


def _setting(conn: Any, backend: str) -> Any:
    return conn.exec_driver_sql(DURABLE[backend][0]).scalar()


def test_request_connections_commit_durably_also_under_serve(backend, lax_database_url, tmp_path):
    app = make_app(tmp_path / "data", lax_database_url)
    db: Database = app.extensions["ewarung.db"]
    try:
        assert app.test_cli_runner().invoke(cli, ["init"], obj=app).exit_code == 0
        with app.test_request_context("/api/v1/sales", method="POST"):
            assert _setting(db_session().connection(), backend) == DURABLE[backend][1]
            db_session().close()
        db.checkpoint_in_background()  # what `ewarung serve` does before serving
        with app.test_request_context("/api/v1/sales", method="POST"):
            assert _setting(db_session().connection(), backend) == DURABLE[backend][1]
            db_session().close()
    finally:
        db.dispose()


def test_command_line_connections_commit_durably(backend, lax_database_url, tmp_path):
    app = make_app(tmp_path / "data", lax_database_url)
    try:
        with click.Context(cli, obj=app):
            database = _db()
            with database.unit_of_work() as session:
                assert _setting(session.connection(), backend) == DURABLE[backend][1]
            with database.engine.begin() as conn:  # migrations and backups use the engine
                assert _setting(conn, backend) == DURABLE[backend][1]
    finally:
        app.extensions["ewarung.db"].dispose()


def test_the_checkpoint_thread_syncs_fully(tmp_path):
    conn = open_checkpointer(str(tmp_path / "shop.sqlite3"))
    try:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        conn.close()
