"""The district's tables, on their own metadata: a district database is not a shop database.

Outlets and their keys, the idempotency ledger (one row per outlet and sequence number) and
the events themselves, partitioned by the month they happened in on PostgreSQL. A partitioned
table's unique keys must hold its partition key, so "each (outlet, seq) once" lives in the
ledger, which the same transaction writes first.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ewarung.db import NAMING_CONVENTION, JsonDoc, UtcDateTime, utcnow


class DistrictBase(DeclarativeBase):
    """Declarative base of the district's models (never `ewarung.db.Base`)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Outlet(DistrictBase):
    """A shop that pushes its events to the district, with its (hashed) key."""

    __tablename__ = "district_outlets"
    __table_args__ = (CheckConstraint("status IN ('ok', 'rewound')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the outlet's code, chosen by the district (`KEC01-W003`)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kecamatan: Mapped[str] = mapped_column(String(80), default="")
    desa: Mapped[str] = mapped_column(String(80), default="")
    #: sha256 (hex) of the join key; the key itself is shown once and never kept
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: `rewound` once the outlet sent a different event under a sequence already held
    status: Mapped[str] = mapped_column(String(10), default="ok")
    last_push_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: the highest sequence number held with every lower one held too
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    #: server time minus the outlet's `sent_at` at its last push, in seconds
    clock_skew_s: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Ledger(DistrictBase):
    """Each (outlet, seq) once: the idempotency key of the push."""

    __tablename__ = "district_ledger"
    __table_args__ = (PrimaryKeyConstraint("outlet_id", "seq"),)

    outlet_id: Mapped[int] = mapped_column(ForeignKey("district_outlets.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    #: the event's id, made by the outlet
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Event(DistrictBase):
    """An outlet's fact as it was sent, whatever its kind; partitioned by month."""

    __tablename__ = "district_events"
    __table_args__: Any = (
        PrimaryKeyConstraint("outlet_id", "seq", "occurred_at"),
        #: months are read by time: a BRIN index is a few pages per partition
        Index("ix_district_events_occurred_at", "occurred_at", postgresql_using="brin"),
        {"postgresql_partition_by": "RANGE (occurred_at)"},
    )

    outlet_id: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger)
    #: when it happened, by the outlet's clock (the partition key)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(60))
    schema_version: Mapped[int] = mapped_column(Integer)
    #: the payload as sent, unknown fields included
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    #: false for a kind this district does not know yet (kept, counted, never dropped)
    known_kind: Mapped[bool] = mapped_column(default=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
