"""Portable backups: dump from one database kind, restore into the other, refuse tampering."""

from __future__ import annotations

import json
import zipfile

import pytest
from sqlalchemy import MetaData, select

from ewarung.audit import record
from ewarung.backup import SKIP_TABLES, BackupRejected, restore_backup, write_backup
from ewarung.cli import cli
from ewarung.db import Database
from ewarung.errors import N_
from ewarung.shop import set_setting
from tests.conftest import create_pg_database, drop_pg_database
from tests.factories import make_outlet, make_token, make_user


def _fill(db: Database) -> None:
    with db.unit_of_work() as s:
        make_outlet(s, name="e-Warong Ñusa “Jaya”")
        for role in ("cashier", "manager", "admin"):
            make_user(s, role)
        make_token(s, "manager")
        set_setting(s, "shop.timezone", "Asia/Makassar")
        record(s, "test.note", entity="x", entity_id=7, before={"a": [1, 2]},
               after={"b": {"c": "dé"}}, note=N_("catatan"))


def _contents(db: Database) -> dict[str, list[tuple]]:
    meta = MetaData()
    with db.engine.connect() as conn:
        meta.reflect(conn)
        out = {}
        for table in meta.sorted_tables:
            if table.name in SKIP_TABLES:  # not shop data
                continue
            order = list(table.primary_key.columns)
            out[table.name] = [tuple(row) for row in conn.execute(select(table).order_by(*order))]
    return out


@pytest.fixture
def other_backend_url(backend, tmp_path):
    if backend == "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    url = create_pg_database()
    yield url
    drop_pg_database(url)


def test_backup_restores_into_an_empty_database_of_the_other_kind(app, db, other_backend_url,
                                                                   tmp_path):
    _fill(db)
    path = tmp_path / "shop.ewbackup"
    counts = write_backup(db, path, app.config["SECRET_KEY"])
    assert counts["users"] == 4
    target = Database(other_backend_url)
    try:
        restore_backup(target, path, app.config["SECRET_KEY"])
        assert _contents(target) == _contents(db)
        with target.unit_of_work() as s:  # sequences continue after the restored ids
            make_user(s, "cashier", "new-after-restore")
    finally:
        target.dispose()


def test_a_tampered_backup_is_refused_with_a_clear_message(app, db, other_backend_url,
                                                           tmp_path):
    _fill(db)
    good = tmp_path / "good.ewbackup"
    write_backup(db, good, app.config["SECRET_KEY"])
    bad = tmp_path / "bad.ewbackup"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "tables/outlet.jsonl":
                data = data.replace(b"Jaya", b"Kaya")
            dst.writestr(item, data)
    target = Database(other_backend_url)
    try:
        with pytest.raises(BackupRejected) as err:
            restore_backup(target, bad, app.config["SECRET_KEY"])
        assert "checksum" in err.value.message()
        assert "outlet" not in {t for t, rows in _contents(target).items() if rows}
    finally:
        target.dispose()


def test_a_backup_with_an_edited_manifest_is_refused(app, db, tmp_path):
    _fill(db)
    good = tmp_path / "good.ewbackup"
    write_backup(db, good, app.config["SECRET_KEY"])
    bad = tmp_path / "bad.ewbackup"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["tables"][0]["rows"] += 1
                data = json.dumps(manifest).encode()
            dst.writestr(item, data)
    with pytest.raises(BackupRejected):
        restore_backup(db, bad, app.config["SECRET_KEY"])


def test_restore_refuses_a_database_that_is_not_empty(app, db, tmp_path):
    _fill(db)
    path = tmp_path / "shop.ewbackup"
    write_backup(db, path, app.config["SECRET_KEY"])
    with pytest.raises(BackupRejected) as err:
        restore_backup(db, path, app.config["SECRET_KEY"])
    assert "tidak kosong" in err.value.message()


def test_backup_and_restore_commands(app, db, other_backend_url, tmp_path):
    _fill(db)
    path = tmp_path / "cli.ewbackup"
    result = app.test_cli_runner().invoke(cli, ["backup", str(path)], obj=app)
    assert result.exit_code == 0, result.output
    from tests.conftest import make_app
    target_app = make_app(tmp_path / "target", other_backend_url,
                          secret_key=app.config["SECRET_KEY"])
    try:
        result = target_app.test_cli_runner().invoke(cli, ["restore", str(path)],
                                                      obj=target_app)
        assert result.exit_code == 0, result.output
        assert _contents(target_app.extensions["ewarung.db"]) == _contents(db)
        again = target_app.test_cli_runner().invoke(cli, ["restore", str(path)],
                                                    obj=target_app)
        assert again.exit_code == 1
        assert "tidak kosong" in again.output
    finally:
        target_app.extensions["ewarung.db"].dispose()


def test_a_backup_of_the_previous_revision_restores_into_an_initialised_database(
        app, empty_database_url, tmp_path):
    """An older backup meets a newer schema: the empty target steps down, loads, steps up."""
    from ewarung.migrate import current_revision, head_revision, migrate_on, upgrade

    older = Database(f"sqlite:///{tmp_path / 'older.sqlite3'}")
    try:
        # Today's factories make the data; the older schema holds it as that version would
        # (columns dropped since come back with their defaults).
        upgrade(older.engine)
        _fill(older)
        with older.engine.begin() as conn:
            migrate_on(conn, "0006_sales")
        path = tmp_path / "older.ewbackup"
        write_backup(older, path, app.config["SECRET_KEY"])
        target = Database(empty_database_url)
        try:
            upgrade(target.engine)  # `ewarung init` ran first
            restore_backup(target, path, app.config["SECRET_KEY"])
            assert current_revision(target.engine) == head_revision()
            upgrade(older.engine)  # the restore gives what upgrading in place gives
            assert _contents(target) == _contents(older)
        finally:
            target.dispose()
    finally:
        older.dispose()


def test_a_backup_of_the_unsigned_format_is_refused_with_what_to_do(app, db, tmp_path):
    _fill(db)
    good = tmp_path / "good.ewbackup"
    write_backup(db, good, app.config["SECRET_KEY"])
    old = tmp_path / "old.ewbackup"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(old, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["version"] = 1
                data = json.dumps(manifest).encode()
            dst.writestr(item, data)
    with pytest.raises(BackupRejected) as err:
        restore_backup(db, old, app.config["SECRET_KEY"])
    assert "versi 1 tidak didukung" in err.value.message()
    assert "ewarung backup" in err.value.message()
