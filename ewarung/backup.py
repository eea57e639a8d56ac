"""Portable backups: one signed zip of JSON lines that restores into SQLite or PostgreSQL.

The dump works on the stored values of the reflected tables, not on the models, so a
backup keeps meaning the same thing after the models change: restore migrates the
empty target to the backup's revision, loads the rows, upgrades to the newest and checks
that the data holds together, all in one transaction: a refused restore leaves nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
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
from sqlalchemy.exc import DataError, IntegrityError

from ewarung import consistency
from ewarung.backup_manifest import (
    FORMAT,
    MANIFEST,
    VERSION,
    BackupRejected,
    Manifest,
    TableMeta,
    sign_manifest,
    verify,
)
from ewarung.db import Database, utcnow
from ewarung.errors import N_
from ewarung.installation import (
    SecretKeyMismatch,
    adopt_secret_key,
    key_fingerprint,
    short,
    stored_fingerprint,
)
from ewarung.migrate import current_revision_on, migrate_on

__all__ = ["BackupRejected", "restore_backup", "sign_manifest", "verify_file", "write_backup"]

BATCH = 1000
#: not shop data: the schema's own bookkeeping and this installation's facts
SKIP_TABLES = frozenset({"alembic_version", "installation"})


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
    """The shop's tables as the database has them, parents before children."""
    meta = MetaData()
    meta.reflect(conn)
    return [t for t in meta.sorted_tables if t.name not in SKIP_TABLES]


def _rows(conn: Connection, table: Table) -> Iterator[bytes]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for row in result:
        line = [_encode(v) for v in row]
        yield json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def write_backup(db: Database, path: Path, secret_key: str) -> dict[str, int]:
    """Dump every table inside one read transaction (a consistent snapshot), signed."""
    counts: dict[str, int] = {}
    tables_meta = []
    tmp = path.with_name(path.name + ".partial")
    with db.engine.connect() as conn, zipfile.ZipFile(
            tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            _refuse_another_key(conn, secret_key)
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
            "key_fingerprint": key_fingerprint(secret_key), "tables": tables_meta,
        }
        manifest["signature"] = sign_manifest(manifest, secret_key)
        zf.writestr(MANIFEST, json.dumps(manifest, indent=1))
    _durably_replace(tmp, path)
    return counts


def _refuse_another_key(conn: Connection, secret_key: str) -> None:
    """A backup signed with a key the data is not keyed with could never be used."""
    stored = stored_fingerprint(conn)
    current = key_fingerprint(secret_key)
    if stored is not None and stored != current:
        raise SecretKeyMismatch(stored=short(stored), current=short(current),
                                source=N_("kunci untuk cadangan"))


def _durably_replace(tmp: Path, path: Path) -> None:
    """Rename into place only once the bytes are on disk (a USB disk pulled, a power cut)."""
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupRejected(reason=N_("bukan berkas zip")) from exc


def verify_file(path: Path, secret_key: str) -> Manifest:
    """Check a backup file as a restore would, without touching any database."""
    with _open(path) as zf:
        return verify(zf, secret_key)


def restore_backup(db: Database, path: Path, secret_key: str) -> dict[str, int]:
    """Load a verified backup into an empty database, all or nothing."""
    with _open(path) as zf:
        manifest = verify(zf, secret_key)
        try:
            with db.unit_of_work() as session:
                counts = _load(session.connection(), zf, manifest)
                migrate_on(session.connection(), "head")
                found = consistency.problems(session)
                if found:
                    raise BackupRejected(reason=N_("data tidak konsisten: %s") % "; ".join(found))
                adopt_secret_key(session, secret_key)
        except (IntegrityError, DataError) as exc:
            raise BackupRejected(reason=N_("data melanggar aturan basis data: %s")
                                 % str(exc.orig).splitlines()[0][:200]) from exc
    return counts


def _load(conn: Connection, zf: zipfile.ZipFile, manifest: Manifest) -> dict[str, int]:
    """Bring the empty target to the backup's revision, check its tables, load every row."""
    if current_revision_on(conn) is not None and _has_rows(conn):
        raise BackupRejected(reason=N_("basis data tujuan tidak kosong"))
    migrate_on(conn, manifest.schema_revision)
    tables = _reflect(conn)
    metas = {m.name: m for m in manifest.tables}
    unknown = sorted(set(metas) - {t.name for t in tables})
    missing = sorted({t.name for t in tables} - set(metas))
    if unknown:
        raise BackupRejected(reason=N_("tabel tidak dikenal: %s") % ", ".join(unknown)[:200])
    if missing:
        raise BackupRejected(reason=N_("tabel tidak ada di cadangan: %s")
                             % ", ".join(missing)[:200])
    counts = {}
    for table in tables:  # parents before children, whatever order the manifest lists
        meta = metas[table.name]
        if set(meta.columns) != {c.name for c in table.columns}:
            raise BackupRejected(reason=N_("kolom tabel %s tidak cocok") % table.name)
        counts[table.name] = _load_table(conn, table, zf, meta)
        if counts[table.name] != meta.rows:
            raise BackupRejected(reason=N_("jumlah baris tabel %s tidak cocok") % table.name)
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn, tables)
    return counts


def _has_rows(conn: Connection) -> bool:
    return any(conn.scalar(select(func.count()).select_from(t)) for t in _reflect(conn))


def _load_table(conn: Connection, table: Table, zf: zipfile.ZipFile, meta: TableMeta) -> int:
    decoders = dict(_decoder(table))
    batch: list[dict[str, Any]] = []
    n = 0
    with zf.open(meta.member) as member:
        for line in member:
            n += 1
            batch.append(_decode_row(line, meta, decoders, n))
            if len(batch) >= BATCH:
                conn.execute(table.insert(), batch)
                batch = []
    if batch:
        conn.execute(table.insert(), batch)
    return n


def _decode_row(line: bytes, meta: TableMeta, decoders: dict[str, Any], n: int
                ) -> dict[str, Any]:
    try:
        values = json.loads(line)
        row = {}
        for name, value in zip(meta.columns, values, strict=True):
            fn = decoders.get(name)
            row[name] = fn(value) if fn is not None and value is not None else value
    except (ValueError, TypeError) as exc:  # JSON, a column count, a date, base64
        raise BackupRejected(reason=N_("baris %d tabel %s rusak") % (n, meta.name)) from exc
    return row


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
