"""The district's use cases: outlets and their keys, and taking in a push of events.

Functions take a `Session` first and never commit (the request or the command does).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from district.models import Event, Ledger, Outlet
from district.ranges import advance
from ewarung.db import utcnow
from ewarung.errors import N_, AppError, Conflict, NotFound, Unauthorized, ValidationFailed

#: the kinds this district reads; others are kept as they came and counted
KNOWN_KINDS = frozenset({"sale.completed", "sale.voided", "goods.received", "stock.counted",
                         "entitlement.credited", "test.ping"})
#: a lock taken while a month's partition is made, so two pushes do not both make it
PARTITION_LOCK = 0x0D157_1C7


class OutletKeyRefused(Unauthorized):
    code = "outlet_key_refused"
    template = N_("Kunci outlet tidak dikenal.")


class OutletRevoked(AppError):
    code = "outlet_revoked"
    status = 403
    template = N_("Kunci outlet ini sudah dicabut oleh dinas.")


class OutletRewound(Conflict):
    code = "outlet_rewound"
    template = N_("Outlet mengirim peristiwa lain dengan nomor urut yang sudah diterima "
                  "(dipulihkan dari cadangan lama?). Hubungi dinas.")


class OutletExists(Conflict):
    code = "outlet_exists"
    template = N_("Kode outlet %(code)s sudah terdaftar.")


def hash_key(key: str) -> str:
    """The stored form of an outlet's join key."""
    return hashlib.sha256(key.encode()).hexdigest()


def add_outlet(session: Session, code: str, name: str, kecamatan: str = "",
               desa: str = "") -> tuple[Outlet, str]:
    """Register an outlet; returns it and its join key (shown once, kept only hashed)."""
    code = code.strip().upper()
    if not code or len(code) > 40 or not code.replace("-", "").replace("_", "").isalnum() \
            or not code.isascii():
        raise ValidationFailed.field("code", N_("Kode outlet: huruf, angka, - atau _."))
    if not name.strip():
        raise ValidationFailed.field("name", N_("Nama outlet wajib diisi."))
    if session.scalar(select(Outlet.id).where(Outlet.code == code)) is not None:
        raise OutletExists(code=code)
    key = secrets.token_urlsafe(32)
    outlet = Outlet(code=code, name=name.strip(), kecamatan=kecamatan.strip(),
                    desa=desa.strip(), key_hash=hash_key(key), status="ok", last_seq=0)
    session.add(outlet)
    session.flush()
    return outlet, key


def revoke_outlet(session: Session, code: str) -> Outlet:
    """Stop an outlet's key from pushing (its events already held stay)."""
    outlet = session.scalar(select(Outlet).where(Outlet.code == code.strip().upper()))
    if outlet is None:
        raise NotFound(N_("Outlet %(code)s tidak ada."), code=code)
    if outlet.revoked_at is None:
        outlet.revoked_at = utcnow()
    return outlet


def outlet_for_key(session: Session, key: str, *, lock: bool = False) -> Outlet:
    """The outlet a key belongs to; refuses an unknown or revoked key."""
    query = select(Outlet).where(Outlet.key_hash == hash_key(key))
    if lock:
        query = query.with_for_update(key_share=True)
    outlet = session.scalar(query)
    if outlet is None:
        raise OutletKeyRefused()
    if outlet.revoked_at is not None:
        raise OutletRevoked()
    return outlet


def list_outlets(session: Session) -> Sequence[Outlet]:
    """Every outlet, by code."""
    return session.scalars(select(Outlet).order_by(Outlet.code)).all()


@dataclass
class IncomingEvent:
    seq: int
    id: uuid.UUID
    kind: str
    schema_version: int
    occurred_at: datetime
    payload: dict[str, Any]
    #: fields of the event beyond the known ones (kept inside the stored payload)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IngestResult:
    held_through: int
    stored: int
    duplicates: int
    missing: list[list[int]]
    unknown_kinds: int


def find_rewind(session: Session, outlet_id: int,
                events: Sequence[IncomingEvent]) -> list[int]:
    """Sequence numbers of `events` already held under a different event id."""
    by_seq = {e.seq: e.id for e in events}
    held = session.execute(select(Ledger.seq, Ledger.event_id).where(
        Ledger.outlet_id == outlet_id, Ledger.seq.in_(list(by_seq)))).all()
    return sorted(seq for seq, event_id in held if by_seq[seq] != event_id)


def ensure_partitions(session: Session, moments: Sequence[datetime]) -> None:
    """Create the monthly partitions of `district_events` that `moments` fall in."""
    months = sorted({(m.year, m.month) for m in moments})
    existing = set(session.scalars(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'district_events'")))
    wanted = [(y, m) for y, m in months if partition_name(y, m) not in existing]
    if not wanted:
        return
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PARTITION_LOCK})
    for year, month in wanted:
        nxt = (year + 1, 1) if month == 12 else (year, month + 1)
        session.execute(text(
            f"CREATE TABLE IF NOT EXISTS {partition_name(year, month)} "
            f"PARTITION OF district_events FOR VALUES "
            f"FROM ('{year:04d}-{month:02d}-01') TO ('{nxt[0]:04d}-{nxt[1]:02d}-01')"))


def partition_name(year: int, month: int) -> str:
    """The partition of `district_events` holding one month."""
    return f"district_events_y{year:04d}m{month:02d}"


def ingest(session: Session, outlet: Outlet, events: Sequence[IncomingEvent],
           sent_at: datetime | None = None) -> IngestResult:
    """Store the events of `outlet` not held yet, each exactly once, and say how far it is
    held. The caller has locked the outlet's row (`outlet_for_key(..., lock=True)`), so one
    outlet's pushes take turns. Raises OutletRewound (the caller records the flag) when a
    sequence number already held arrives with another event id."""
    now = utcnow()
    if outlet.status == "rewound":
        raise OutletRewound()
    unique: dict[int, IncomingEvent] = {}
    for e in events:
        if unique.setdefault(e.seq, e).id != e.id:
            raise ValidationFailed.field("events", N_("Nomor urut %(seq)s muncul dua kali "
                                                      "dengan peristiwa berbeda."), seq=e.seq)
    rewound = find_rewind(session, outlet.id, events)
    if rewound:
        raise OutletRewound(details={"seqs": rewound[:20]})
    ensure_partitions(session, [e.occurred_at for e in unique.values()])
    fresh = set(session.scalars(
        insert(Ledger).values([{"outlet_id": outlet.id, "seq": e.seq, "event_id": e.id,
                                "received_at": now} for e in unique.values()])
        .on_conflict_do_nothing(index_elements=["outlet_id", "seq"])
        .returning(Ledger.seq)))
    unknown = 0
    if fresh:
        rows = []
        for seq in sorted(fresh):
            e = unique[seq]
            known = e.kind in KNOWN_KINDS
            unknown += not known
            payload = {**e.payload, "_extra": e.extra} if e.extra else e.payload
            rows.append({"outlet_id": outlet.id, "seq": seq, "occurred_at": e.occurred_at,
                         "event_id": e.id, "kind": e.kind, "schema_version": e.schema_version,
                         "payload": payload, "known_kind": known, "received_at": now})
        session.execute(insert(Event).values(rows).on_conflict_do_nothing())
    above = session.scalars(select(Ledger.seq).where(
        Ledger.outlet_id == outlet.id, Ledger.seq > outlet.last_seq)).all()
    holding = advance(outlet.last_seq, above)
    outlet.last_seq = holding.held_through
    outlet.last_push_at = now
    if sent_at is not None:
        outlet.clock_skew_s = round((now - sent_at).total_seconds())
    return IngestResult(holding.held_through, len(fresh), len(events) - len(fresh),
                        [list(r) for r in holding.missing], unknown)


def mark_rewound(session: Session, outlet_id: int) -> None:
    """Flag an outlet as rewound (a restore from an old backup); what is held stays."""
    outlet = session.get(Outlet, outlet_id)
    if outlet is not None:
        outlet.status = "rewound"
