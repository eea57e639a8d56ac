"""Users, their browser sessions, their API tokens, and the counts of wrong credentials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ewarung.db import Base, UtcDateTime, utcnow

ROLES = ("cashier", "manager", "admin")
#: a role may do everything the roles before it may do
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


class User(Base):
    """Someone who signs in: cashiers with a PIN, managers and admins with a password."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('cashier', 'manager', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: "id" or "en"; NULL follows the shop default
    language: Mapped[str | None] = mapped_column(String(5))

    def has_role(self, role: str) -> bool:
        """Whether this user's role reaches `role`."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def public(self) -> dict[str, object]:
        """The fields the API may show."""
        return {"id": self.id, "username": self.username, "full_name": self.full_name,
                "role": self.role, "active": self.active}


class ApiToken(Base):
    """A bearer token for scripts; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters, so an admin can tell tokens apart
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UserSession(Base):
    """A signed-in browser; its cookie holds a secret whose SHA-256 digest is stored here.

    Logging out deletes the row, and a credential change deletes every row of the user, so
    a copied cookie stops working at once.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: the session's end even if nobody logs out (the cookie's own lifetime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class SignInLimit(Base):
    """Wrong credentials counted for one key: an address, a user, a user at an address.

    The policy (which keys an attempt counts against, how long a lock-out lasts) is in
    `ewarung.auth.limits`.
    """

    __tablename__ = "sign_in_limits"
    __table_args__ = (CheckConstraint("failures >= 0 AND level >= 0", name="counts"),)

    #: e.g. "address:10.0.0.5", "user:3", "user:3@10.0.0.5", "approver:3~7", "actor:7"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    #: the user the key is about (NULL for an address); an admin's unlock clears these
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: wrong credentials (and checks still running) since the last success or lock-out
    failures: Mapped[int] = mapped_column(Integer, default=0)
    #: lock-outs in a row; each one lasts twice the one before, up to the cap
    level: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: the last right credential (a user's address is trusted for a while after one)
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
