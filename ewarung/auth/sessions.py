"""Browser sessions kept on the server, so that ending one takes effect at once.

The signed cookie carries only a random secret; the database keeps its SHA-256 digest, the
user and the end of its lifetime, and every request looks it up. The rules:
- a session ends 12 hours after the last write made with it (a sale, a saved form: the
  end is pushed back at most every 10 minutes, so reads never write), or sooner:
- logging out ends that session only (the same cashier's other tablet stays signed in);
- a new PIN or password, set by an admin, and deactivating a user end every session of
  that user, except the admin's own current one when she changes her own;
- API tokens (`ewarung token create`) are separate and survive a new PIN or password:
  they are made only at the shop computer's command line, so knowing a password never
  yields one. "Cabut token API" on the admin page revokes them, and a deactivated user's
  tokens stop working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from ewarung.auth.models import User, UserSession
from ewarung.db import utcnow

#: how much of a session's lifetime may pass before a write pushes its end back
RENEW_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class LiveSession:
    """A browser's session found live: whose it is and when it ends."""

    user: User
    secret: str
    expires_at: datetime


def digest(secret: str) -> str:
    """The stored form of a session's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(session: Session, user: User, lifetime: timedelta) -> str:
    """A new session of `user`; returns the secret for the cookie (stored only as a digest)."""
    now = utcnow()
    session.execute(delete(UserSession).where(UserSession.expires_at <= now))
    secret = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token_hash=digest(secret), created_at=now,
                            expires_at=now + lifetime))
    return secret


# Every browser request asks this: one statement, built once.
_SESSION_USER = (select(User, UserSession.expires_at)
                 .join(UserSession, UserSession.user_id == User.id)
                 .where(UserSession.token_hash == bindparam("digest"),
                        UserSession.expires_at > bindparam("now"), User.active.is_(True)))


def live_session(session: Session, secret: str, now: datetime | None = None
                 ) -> LiveSession | None:
    """The session of `secret` if it is live and its user active."""
    row = session.execute(_SESSION_USER, {"digest": digest(secret), "now": now or utcnow()}
                          ).first()
    return None if row is None else LiveSession(row[0], secret, row[1])


def renew(session: Session, live: LiveSession, lifetime: timedelta,
          now: datetime | None = None) -> bool:
    """After a write: push the session's end back to a full `lifetime` from now; True when
    it was pushed back (the browser's cookie should then be renewed with it)."""
    now = now or utcnow()
    if live.expires_at - now >= lifetime - RENEW_AFTER:
        return False
    session.execute(update(UserSession).where(UserSession.token_hash == digest(live.secret))
                    .values(expires_at=now + lifetime))
    return True


def end_session(session: Session, secret: str) -> None:
    """End one session (logging out)."""
    session.execute(delete(UserSession).where(UserSession.token_hash == digest(secret)))


def end_sessions_of(session: Session, user_id: int, keep: str | None = None) -> None:
    """End every session of `user_id`, except the one whose secret is `keep`."""
    stmt = delete(UserSession).where(UserSession.user_id == user_id)
    if keep is not None:
        stmt = stmt.where(UserSession.token_hash != digest(keep))
    session.execute(stmt)
