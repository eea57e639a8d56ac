"""Throw-away migrated databases for benchmarks: SQLite in a temporary file, or PostgreSQL."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, create_engine, text
from sqlalchemy.engine import make_url

from ewarung.db import Database
from ewarung.migrate import upgrade

#: an existing PostgreSQL database to connect through; benchmarks make their own beside it
PG_ADMIN_URL = os.environ.get("EWARUNG_BENCH_PG",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """The URL of a new, migrated database of `kind` ("sqlite" or "postgresql"), dropped after."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ewarung-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            _migrate(url)
            yield url
        return
    name = f"ewb_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str) -> None:
    db = Database(url)
    upgrade(db.engine)
    db.dispose()


def bump_sequence(conn_or_session: Any, table: str) -> None:
    """Explicit ids leave PostgreSQL's sequence behind: move it past them."""
    bind = conn_or_session.get_bind() if hasattr(conn_or_session, "get_bind") \
        else conn_or_session
    if bind.dialect.name == "postgresql":
        conn_or_session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT MAX(id) FROM {table}))"))


def table_of(model: Any) -> Table:
    """The model's table: inserting into it is a Core executemany, one statement for many rows
    (an ORM bulk insert goes row by row when it has defaults to fetch back)."""
    return cast(Table, model.__table__)
