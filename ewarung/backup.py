"""Portable backups: one zip of JSON lines that restores into SQLite or PostgreSQL.

The dump works on the stored values of the reflected tables, not on the models, so a
backup keeps meaning the same thing after the models change: restore migrates the
empty target to the backup's revision, loads the rows, then upgrades to the newest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    func,
    select,
    text,
)

from ewarung.db import Database, utcnow
from ewarung.errors import N_, AppError
from ewarung.migrate import current_revision, upgrade

FORMAT = "ewarung-backup"
VERSION = 1
BATCH = 1000
SKIP_TABLES = frozenset({"alembic_version"})


class BackupRejected(AppError):
    code = "backup_rejected"
    status = 400
    template = N_("Berkas cadangan ditolak: %(reason)s")


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decoder(table: Table) -> list[tuple[str, Any]]:
    """Per column, a function turning a JSON value back into what the column takes."""
    out: list[tuple[str, Any]] = []
    for col in table.columns:
        fn: Any = None
        if isinstance(col.type, DateTime):
            fn = datetime.fromisoformat
        elif isinstance(col.type, Date):
            fn = date.fromisoformat
        elif isinstance(col.type, Numeric) and col.type.asdecimal:
            fn = Decimal
        elif isinstance(col.type, LargeBinary):
            fn = base64.b64decode
        elif isinstance(col.type, Boolean):
            fn = bool
        out.append((col.name, fn))
    return out


def _reflect(conn: Connection) -> list[Table]:
    meta = MetaData()
    meta.reflect(conn)
    return [t for t in meta.sorted_tables if t.name not in SKIP_TABLES]


def _rows(conn: Connection, table: Table) -> Iterator[bytes]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for row in result:
        line = [_encode(v) for v in row]
        yield json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def write_backup(db: Database, path: Path) -> dict[str, int]:
    """Dump every table inside one read transaction (a consistent snapshot)."""
    counts: dict[str, int] = {}
    tables_meta = []
    tmp = path.with_name(path.name + ".partial")
    with db.engine.connect() as conn, zipfile.ZipFile(
            tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
            for table in _reflect(conn):
                digest, n = hashlib.sha256(), 0
                with zf.open(f"tables/{table.name}.jsonl", "w") as member:
                    for line in _rows(conn, table):
                        digest.update(line)
                        member.write(line)
                        n += 1
                counts[table.name] = n
                tables_meta.append({"name": table.name, "rows": n, "sha256": digest.hexdigest(),
                                    "columns": [c.name for c in table.columns]})
        manifest: dict[str, Any] = {
            "format": FORMAT, "version": VERSION, "schema_revision": revision,
            "created_at": utcnow().isoformat(), "source": conn.dialect.name,
            "tables": tables_meta,
        }
        manifest["checksum"] = _manifest_digest(manifest)
        zf.writestr("manifest.json", json.dumps(manifest, indent=1))
    tmp.replace(path)
    return counts


def _manifest_digest(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest, after checking it and every table's checksum."""
    try:
        manifest: dict[str, Any] = json.loads(zf.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise BackupRejected(reason=N_("bukan berkas cadangan e-Warung")) from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupRejected(reason=N_("format tidak dikenal"))
    if manifest.get("checksum") != _manifest_digest(manifest):
        raise BackupRejected(reason=N_("checksum daftar isi tidak cocok"))
    for meta in manifest["tables"]:
        digest, n = hashlib.sha256(), 0
        try:
            with zf.open(f"tables/{meta['name']}.jsonl") as member:
                for line in member:
                    digest.update(line)
                    n += 1
        except (KeyError, zipfile.BadZipFile, OSError) as exc:
            raise BackupRejected(reason=N_("isi berkas rusak")) from exc
        if digest.hexdigest() != meta["sha256"] or n != meta["rows"]:
            raise BackupRejected(reason=N_("checksum tidak cocok, berkas telah diubah atau rusak"))
    return manifest


def restore_backup(db: Database, path: Path) -> dict[str, int]:
    """Load a verified backup into an empty database, all or nothing."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise BackupRejected(reason=N_("bukan berkas zip")) from exc
    with zf:
        manifest = read_manifest(zf)
        if current_revision(db.engine) is None:
            upgrade(db.engine, manifest["schema_revision"])
        counts: dict[str, int] = {}
        with db.unit_of_work() as session:
            conn = session.connection()
            tables = {t.name: t for t in _reflect(conn)}
            for table in tables.values():
                if conn.scalar(select(func.count()).select_from(table)):
                    raise BackupRejected(reason=N_("basis data tujuan tidak kosong"))
            for meta in manifest["tables"]:
                counts[meta["name"]] = _load_table(conn, tables[meta["name"]], zf, meta)
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn, tables.values())
    upgrade(db.engine)
    return counts


def _load_table(conn: Connection, table: Table, zf: zipfile.ZipFile,
                meta: dict[str, Any]) -> int:
    decoders = dict(_decoder(table))
    names = meta["columns"]
    batch: list[dict[str, Any]] = []
    n = 0
    with zf.open(f"tables/{meta['name']}.jsonl") as member:
        for line in member:
            values = json.loads(line)
            row = {}
            for name, value in zip(names, values, strict=True):
                fn = decoders.get(name)
                row[name] = fn(value) if fn is not None and value is not None else value
            batch.append(row)
            n += 1
            if len(batch) >= BATCH:
                conn.execute(table.insert(), batch)
                batch = []
    if batch:
        conn.execute(table.insert(), batch)
    return n


def _reset_sequences(conn: Connection, tables: Any) -> None:
    for table in tables:
        for col in table.primary_key.columns:
            if col.autoincrement is True or (col.autoincrement == "auto"
                                             and str(col.type).upper() in ("INTEGER", "BIGINT")):
                seq = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                  {"t": table.name, "c": col.name})
                if seq:
                    conn.execute(text(f"SELECT setval('{seq}', COALESCE((SELECT MAX({col.name}) "
                                      f"FROM {table.name}), 1), (SELECT MAX({col.name}) "
                                      f"FROM {table.name}) IS NOT NULL)"))
