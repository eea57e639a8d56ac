"""The outlet's outbox: every fact's event, numbered without gaps, committed with the fact.

`record_event(session, kind, payload)` is called inside the fact's own transaction, as its
last write: the counter row it updates is held until the commit, so two facts take their
numbers in commit order and a rolled-back fact leaves no number behind. The push
(`district.sync`) sends the events in sequence order and marks what the district holds.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from ewarung.db import Base, JsonDoc, UtcDateTime, utcnow

KIND = re.compile(r"^[a-z][a-z0-9_.]{0,59}$")
#: 13 to 19 digits, spaces or dashes between them: what a card number looks like
CARD_LIKE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
CARD_KEY = re.compile(r"card|kartu|pan$|track", re.IGNORECASE)
#: track 1 (%B...^) or track 2 (;...=) of a magnetic stripe
TRACK = re.compile(r"%B\d{13,19}\^|;\d{13,19}=")


class OutboxEvent(Base):
    """One event of this outlet, to be pushed to the district."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_pending", "pushed_at", "seq"),)

    #: 1, 2, 3, ... without gaps, in commit order
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: a uuid made here (as text: backups carry it as it is); the district keeps it with
    #: the seq to tell a restored outlet
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    schema_version: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    #: when the district answered that it holds this event (NULL: still to push)
    pushed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboxCounter(Base):
    """The last sequence number given (one row)."""

    __tablename__ = "outbox_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class SyncState(Base):
    """Where this outlet pushes, with which key, and how the last push went (one row)."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    district_url: Mapped[str] = mapped_column(String(300))
    #: the outlet's join key (the district keeps only its hash)
    outlet_key: Mapped[str] = mapped_column(String(200))
    #: this outlet's code, as the district answered at the join
    outlet_code: Mapped[str] = mapped_column(String(40))
    #: a CA bundle to verify the district's certificate with (None: the system's)
    ca_bundle: Mapped[str | None] = mapped_column(String(500))
    #: plain http to a host that is not this computer, allowed on purpose
    allow_http: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: the highest sequence number the district last said it holds without gaps
    held_through: Mapped[int] = mapped_column(BigInteger, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


def _has_card_number(value: Any, key: str = "") -> bool:
    """Whether `value` holds what looks like a full card number: 13 to 19 digits under a key
    naming a card, or a magnetic-stripe track anywhere (a shop may turn the Luhn check off,
    so the check digit proves nothing; a NIK elsewhere is 16 digits too)."""
    if isinstance(value, dict):
        return any(_has_card_number(v, str(k)) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_card_number(v, key) for v in value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return False
    text = str(value)
    if TRACK.search(text):
        return True
    return bool(CARD_KEY.search(key)) and bool(CARD_LIKE.search(text))


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" \
        else sqlite.insert


def next_seq(session: Session) -> int:
    """Take the next sequence number (the counter row stays locked until the commit)."""
    bump = update(OutboxCounter).where(OutboxCounter.id == 1) \
        .values(last_seq=OutboxCounter.last_seq + 1).returning(OutboxCounter.last_seq)
    seq = session.scalar(bump)
    if seq is None:  # a fresh database: the row is made once
        session.execute(_insert(session)(OutboxCounter).values(id=1, last_seq=0)
                        .on_conflict_do_nothing())
        seq = session.scalar(bump)
    assert seq is not None
    return int(seq)


def record_event(session: Session, kind: str, payload: dict[str, Any], *,
                 schema_version: int = 1, occurred_at: datetime | None = None) -> OutboxEvent:
    """Add the event announcing a fact, in the fact's own transaction (call it last).

    Refuses a payload holding something that looks like a full card number: card
    identities leave the outlet keyed, never in clear.
    """
    if not KIND.match(kind):
        raise ValueError(f"event kind {kind!r}: lower-case words joined by . or _")
    if not isinstance(payload, dict):
        raise TypeError("payload must be a JSON object")
    json.dumps(payload, allow_nan=False)  # JSON as the district will read it, or refused
    if _has_card_number(payload):
        raise ValueError("payload holds a full card number; send the keyed card instead")
    event = OutboxEvent(seq=next_seq(session), event_id=str(uuid.uuid4()), kind=kind,
                        schema_version=schema_version,
                        occurred_at=occurred_at or utcnow(), payload=payload)
    session.add(event)
    session.flush()
    return event


def pending_count(session: Session) -> int:
    """Events not yet held by the district."""
    from sqlalchemy import func
    return int(session.scalar(select(func.count()).select_from(OutboxEvent)
                              .where(OutboxEvent.pushed_at.is_(None))) or 0)
