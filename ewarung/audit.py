"""The append-only audit log: who did what, when, to which record, before and after."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from ewarung.db import Base, JsonDoc, UtcDateTime, utcnow

log = logging.getLogger("ewarung.audit")

#: the signed-in user of the current request or command (None: the system itself)
_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar("actor", default=None)


def actor() -> int | None:
    """Who acts: the one way every service learns it (None: the system itself)."""
    return _actor.get()


def begin_acting(user_id: int | None) -> contextvars.Token[int | None]:
    """From here on `user_id` acts (a request's sign-in check); undo with `end_acting`."""
    return _actor.set(user_id)


def end_acting(token: contextvars.Token[int | None]) -> None:
    """Back to whoever acted before `begin_acting`."""
    _actor.reset(token)


@contextmanager
def acting_as(user_id: int | None) -> Iterator[None]:
    """Within the block `user_id` acts (commands, the demo, tests)."""
    token = begin_acting(user_id)
    try:
        yield
    finally:
        end_acting(token)


class AuditEvent(Base):
    """One recorded action. Rows are never updated or deleted (a trigger enforces it)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    #: who acted; NULL for the system (migrations, the print worker) or an unknown user
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: a second person who approved the action (a manager's PIN on a void)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: dotted verb, e.g. "auth.login_failed", "sale.void"
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    note: Mapped[str | None] = mapped_column(String(500))


def record(session: Session, action: str, *, entity: str | None = None,
           entity_id: Any = None, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None, note: str | None = None,
           actor_id: int | None = None, approver_id: int | None = None) -> AuditEvent:
    """Append an event in the caller's transaction, so it commits or rolls back with the change."""
    event = AuditEvent(
        action=action, entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=before, after=after, note=note,
        actor_id=actor_id if actor_id is not None else actor(),
        approver_id=approver_id,
    )
    session.add(event)
    return event
