"""This installation's own facts: which secret key its data is keyed with, its last backup.

Card hashes and receipt codes are keyed from the secret key, so data used under another key
looks empty (no card is found) or forged (no receipt verifies). The database keeps a
fingerprint of the key it was first used with, and the commands that use the key refuse
to run under another one. The fingerprint is an HMAC of a fixed label: it tells keys apart
without revealing them (nothing else can be learnt from it than by guessing keys).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import Connection, String, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ewarung.audit import record
from ewarung.db import Base, Database, UtcDateTime, utcnow
from ewarung.errors import N_, AppError

FINGERPRINT_LABEL = b"e-Warung secret key fingerprint v1"
ROW_ID = 1


class SecretKeyMismatch(AppError):
    code = "secret_key_mismatch"
    status = 500
    template = N_(
        "Kunci rahasia tidak cocok dengan data toko ini: data dikunci dengan kunci bersidik "
        "%(stored)s, kunci yang dipakai sekarang (dari %(source)s) bersidik %(current)s. "
        "Dengan kunci ini tidak ada kartu KKS yang dikenali dan setiap struk asli tampak "
        "palsu. Pasang kembali kunci asli (berkas secret_key di folder data, atau variabel "
        "EWARUNG_SECRET_KEY), lalu jalankan lagi. Hanya jika kunci asli benar-benar hilang: "
        "`ewarung key adopt` (baca dulu akibatnya).")


class Installation(Base):
    """One row: facts of this installation that are not shop data (never in a backup)."""

    __tablename__ = "installation"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: HMAC-SHA256 of FINGERPRINT_LABEL under the secret key the data is keyed with (hex)
    key_fingerprint: Mapped[str] = mapped_column(String(64))
    #: when that key was first used with this data, or adopted
    key_since: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_backup_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: where the last backup was written (a USB disk may be unplugged since)
    last_backup_file: Mapped[str] = mapped_column(String(500), default="")


def derive_key(secret_key: str, label: bytes) -> bytes:
    """A key for one purpose, derived from the secret key (HMAC-SHA256 of a fixed label)."""
    return hmac.new(secret_key.encode(), label, hashlib.sha256).digest()


def key_fingerprint(secret_key: str) -> str:
    """Tells secret keys apart without revealing them (64 hex characters)."""
    return derive_key(secret_key, FINGERPRINT_LABEL).hex()


def short(fingerprint: str) -> str:
    """The part of a fingerprint people compare by eye."""
    return fingerprint[:12]


def has_installation_table(session: Session) -> bool:
    """Whether the schema is new enough to hold the fingerprint (False before `init`)."""
    return inspect(session.connection()).has_table(Installation.__tablename__)


def stored_fingerprint(conn: Connection) -> str | None:
    """The fingerprint of the key the data is keyed with; None before its first use."""
    if not inspect(conn).has_table(Installation.__tablename__):
        return None
    return conn.scalar(select(Installation.key_fingerprint).where(Installation.id == ROW_ID))


def _compare(stored: str, secret_key: str, source: str) -> None:
    current = key_fingerprint(secret_key)
    if not hmac.compare_digest(stored, current):
        raise SecretKeyMismatch(stored=short(stored), current=short(current), source=source)


def check_secret_key(db: Database, secret_key: str, source: str) -> bool:
    """Refuse a key other than the data's; remember the key on its first use (True then)."""
    with db.unit_of_work(write=False) as session:
        if not has_installation_table(session):
            return False  # not migrated yet: `ewarung init` checks after upgrading
        stored = stored_fingerprint(session.connection())
    if stored is not None:
        _compare(stored, secret_key, source)
        return False
    with db.unit_of_work() as session:
        row = session.get(Installation, ROW_ID)
        if row is not None:  # another process got there first
            _compare(row.key_fingerprint, secret_key, source)
            return False
        session.add(Installation(id=ROW_ID, key_fingerprint=key_fingerprint(secret_key)))
    return True


def adopt_secret_key(session: Session, secret_key: str) -> str | None:
    """Key the data with `secret_key` from now on; returns the previous fingerprint."""
    row = session.get(Installation, ROW_ID)
    previous = row.key_fingerprint if row is not None else None
    fingerprint = key_fingerprint(secret_key)
    if row is None:
        session.add(Installation(id=ROW_ID, key_fingerprint=fingerprint))
    else:
        row.key_fingerprint, row.key_since = fingerprint, utcnow()
    if previous is not None and previous != fingerprint:
        record(session, "secret_key.adopted", entity="installation", entity_id=ROW_ID,
               before={"fingerprint": previous}, after={"fingerprint": fingerprint})
    return previous


def record_backup(session: Session, secret_key: str, path: str, at: datetime) -> None:
    """Remember the newest backup (what `ewarung doctor` reads)."""
    row = session.get(Installation, ROW_ID)
    if row is None:
        row = Installation(id=ROW_ID, key_fingerprint=key_fingerprint(secret_key))
        session.add(row)
    row.last_backup_at, row.last_backup_file = at, path


def last_backup(session: Session) -> tuple[datetime, str] | None:
    """When and where the newest backup was written, if one ever was."""
    row = session.get(Installation, ROW_ID)
    if row is None or row.last_backup_at is None:
        return None
    return row.last_backup_at, row.last_backup_file
