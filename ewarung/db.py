"""Engine, sessions, column types and the unit of work shared by every domain."""

from __future__ import annotations

import contextvars
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import JSON, BigInteger, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

#: seconds a writer waits for SQLite's write lock before giving up with DatabaseBusy
BUSY_TIMEOUT_S = 10.0
#: how often the background checkpointer copies SQLite's WAL into the database
CHECKPOINT_INTERVAL_S = 1.0
#: SQLite syncs the WAL at every commit: an acknowledged sale (already paid on the bank's
#: EDC) survives a power cut. NORMAL would only survive a crash of the process.
SQLITE_SYNCHRONOUS = "FULL"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model; constraint names are stable across databases."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: Money is a whole number of Rupiah.
Money = BigInteger

JsonDoc = JSON().with_variant(JSONB(), "postgresql")

QUANTITY_SCALE = 3
_MILLI = Decimal(10) ** QUANTITY_SCALE


class Quantity(TypeDecorator[Decimal]):
    """A Decimal with 3 places, stored as an integer count of thousandths.

    Integers make sums exact on SQLite, which has no decimal type.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        milli = Decimal(value) * _MILLI
        if milli != milli.to_integral_value():
            raise ValueError(f"quantity {value} has more than {QUANTITY_SCALE} decimals")
        return int(milli)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) / _MILLI).quantize(Decimal(1).scaleb(-QUANTITY_SCALE))


def to_milli(quantity: Decimal | int | str) -> int:
    """The stored integer form of a quantity (thousandths)."""
    return int(Decimal(quantity) * _MILLI)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp, stored naive so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


_Model = TypeVar("_Model")


def get_or_404(session: Session, model: type[_Model], ident: Any,
               error: Exception | None = None) -> _Model:
    """The row of `model` with primary key `ident`, or `error` raised (a plain `NotFound`)."""
    from ewarung.errors import NotFound

    found = session.get(model, ident)
    if found is None:
        raise error if error is not None else NotFound()
    return found


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class DatabaseBusy(Exception):
    """Another writer held the database for longer than the busy timeout."""


# Whether the current context intends to write, and whether it holds the writer lock.
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)
_holds_lock: contextvars.ContextVar[bool] = contextvars.ContextVar("holds_lock", default=False)


class Database:
    """One engine and its session factory.

    On SQLite, writers take an in-process lock and BEGIN IMMEDIATE, so they queue in
    order instead of spinning in SQLite's busy handler (which ruins tail latency).
    On PostgreSQL, services take row locks instead.
    """

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.writer_lock = threading.Lock()
        #: requests to `ewarung.web.one_at_a_time` views pass here one by one (SQLite)
        self.request_gate = threading.Lock()
        self._checkpoints: threading.Event | None = None
        self.engine: Engine = self._make_engine(url, echo)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)

    def _make_engine(self, url: str, echo: bool) -> Engine:
        if not self.is_sqlite:
            engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20,
                                   pool_pre_ping=True)
            event.listen(engine, "connect", _postgresql_on_connect)
            return engine
        engine = create_engine(url, echo=echo, connect_args={
            "timeout": BUSY_TIMEOUT_S, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", self._sqlite_on_begin)
        return engine

    def _sqlite_on_begin(self, conn: Any) -> None:
        if not _write_intent.get():
            conn.exec_driver_sql("BEGIN")
            return
        if not _holds_lock.get():
            if not self.writer_lock.acquire(timeout=BUSY_TIMEOUT_S):
                raise DatabaseBusy("writer lock not acquired in time")
            _holds_lock.set(True)
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    def release_writer(self) -> None:
        """Give the writer lock back if this context holds it (after commit or rollback)."""
        if _holds_lock.get():
            _holds_lock.set(False)
            self.writer_lock.release()

    @contextmanager
    def unit_of_work(self, write: bool = True) -> Iterator[Session]:
        """A session that commits once at the end, or rolls everything back."""
        token = _write_intent.set(write)
        session = self.Session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            self.release_writer()
            _write_intent.reset(token)

    def dispose(self) -> None:
        """Close every pooled connection (and stop the checkpoint thread)."""
        if self._checkpoints is not None:
            self._checkpoints.set()
            self._checkpoints = None
        self.engine.dispose()

    def checkpoint_in_background(self, interval: float = CHECKPOINT_INTERVAL_S) -> None:
        """Take SQLite's WAL checkpoints off the request path (`ewarung serve` does this).

        By default the commit that fills the WAL past 1,000 pages copies it into the
        database and syncs it, inside a request that holds the writer lock: a spike of
        milliseconds for that sale and every sale queued behind it. Here connections stop
        checkpointing on commit and a thread does it every `interval` seconds, in PASSIVE
        mode (it never blocks a writer or a reader).
        """
        if not self.is_sqlite or self._checkpoints is not None:
            return
        event.listen(self.engine, "connect", _no_autocheckpoint)
        self.engine.dispose()  # connections already open were made with autocheckpoint on
        stop = self._checkpoints = threading.Event()
        path = self.engine.url.database or ""
        threading.Thread(target=_checkpoint_loop, args=(path, interval, stop), daemon=True,
                         name="wal-checkpoint").start()


def set_write_intent(write: bool) -> contextvars.Token[bool]:
    """Mark the current context (a request) as one that will write."""
    return _write_intent.set(write)


def reset_write_intent(token: contextvars.Token[bool]) -> None:
    """Undo `set_write_intent`."""
    _write_intent.reset(token)


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (IMMEDIATE for writers).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cur.close()


def _postgresql_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # A server, database or role set to synchronous_commit=off (tuned for speed) would
    # acknowledge sales it can still lose: this application's sessions never run so.
    with dbapi_conn.cursor() as cur:
        cur.execute("SET synchronous_commit = on")
    dbapi_conn.commit()  # SET is transactional: the pool's reset would undo it


def open_checkpointer(path: str) -> sqlite3.Connection:
    """The background checkpointer's own connection, with the app's settings."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                           timeout=BUSY_TIMEOUT_S)
    _sqlite_on_connect(conn, None)
    return conn


def _no_autocheckpoint(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")


def _checkpoint_loop(path: str, interval: float, stop: threading.Event) -> None:
    conn = open_checkpointer(path)
    try:
        while not stop.wait(interval):
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:  # a busy moment: the next round catches up
                log.warning("WAL checkpoint failed", exc_info=True)
    finally:
        conn.close()


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` after `session` commits; dropped if it rolls back.

    Side effects (printing, drawer kicks) go through here, so a rolled-back sale
    never prints.
    """
    session.info.setdefault("on_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_on_commit(session: Session) -> None:
    callbacks = session.info.pop("on_commit", [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the data is committed; a failed side effect must not undo that
            log.exception("after-commit callback failed")


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_commit(session: Session, _previous: Any) -> None:
    session.info.pop("on_commit", None)
