"""Schema, migrations, connection settings and the unit of work."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import DatabaseError

from ewarung.audit import AuditEvent, record
from ewarung.auth.models import User
from ewarung.cli import cli
from ewarung.db import Database, on_commit
from ewarung.migrate import current_revision, head_revision, schema_drift
from tests.conftest import make_app
from tests.factories import make_user


def _schema_snapshot(db: Database) -> dict:
    insp = inspect(db.engine)
    return {t: sorted(str(c) for c in insp.get_columns(t)) for t in sorted(insp.get_table_names())}


def test_init_twice_succeeds_and_the_second_run_changes_nothing(empty_database_url, tmp_path):
    app = make_app(tmp_path / "data", empty_database_url)
    runner = app.test_cli_runner()
    db = app.extensions["ewarung.db"]
    first = runner.invoke(cli, ["init"], obj=app)
    assert first.exit_code == 0, first.output
    assert "upgraded from empty" in first.output
    snapshot = _schema_snapshot(db)
    second = runner.invoke(cli, ["init"], obj=app)
    assert second.exit_code == 0, second.output
    assert "nothing to do" in second.output
    assert _schema_snapshot(db) == snapshot
    assert current_revision(db.engine) == head_revision()
    db.dispose()


def test_models_and_migrations_agree(db):
    assert schema_drift(db.engine) == []


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    db.dispose()


def test_audit_log_refuses_update_and_delete(db):
    with db.unit_of_work() as s:
        record(s, "test.event", entity="thing", entity_id=1)
    with pytest.raises(DatabaseError), db.unit_of_work() as s:
        s.execute(update(AuditEvent).values(action="changed"))
    with pytest.raises(DatabaseError), db.unit_of_work() as s:
        s.execute(text("DELETE FROM audit_log"))
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(AuditEvent.action)).all() == ["test.event"]


def test_a_failed_unit_of_work_leaves_nothing_and_skips_side_effects(db):
    fired = []
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
        on_commit(s, lambda: fired.append("printed"))
        raise RuntimeError("refused")
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(User)).all() == []
    assert fired == []


def test_side_effects_run_only_after_commit(db):
    seen = []

    def side_effect():
        with db.unit_of_work(write=False) as other:
            seen.append(other.scalar(select(User.username)))
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
        on_commit(s, side_effect)
        assert seen == []
    assert seen == ["siti"]
