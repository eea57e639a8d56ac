"""Users and their API tokens."""

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
    #: wrong PINs or passwords since the last success
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
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
