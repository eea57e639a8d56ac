"""Throw-away migrated databases for benchmarks: SQLite in a temporary file, or PostgreSQL."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

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
    """The model's table (a Core insert into it skips the ORM's per-row work)."""
    return cast(Table, model.__table__)


def insert_rows(conn_or_session: Any, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into the model's table, fast: one executemany
    on SQLite, COPY on PostgreSQL (whose executemany sends a statement per row). Values go
    through the columns' types as in any insert; Python-side defaults fill missing columns."""
    if not rows:
        return
    table = table_of(model)
    conn = conn_or_session.connection() if isinstance(conn_or_session, Session) \
        else conn_or_session
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    names = list(rows[0])
    defaults = {c.name: c.default for c in table.c
                if c.name not in names and c.default is not None and not c.primary_key}
    columns = names + list(defaults)
    procs = [table.c[n].type.bind_processor(conn.dialect) for n in columns]
    quote = conn.dialect.identifier_preparer.quote
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {quote(table.name)} "
                                       f"({', '.join(map(quote, columns))}) FROM STDIN") as copy:
        for row in rows:
            values = [row[n] for n in names] + [
                d.arg if d.is_scalar else d.arg(None) for d in defaults.values()]
            copy.write_row([p(v) if p else v for v, p in zip(values, procs, strict=True)])
