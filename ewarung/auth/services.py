"""Sign-in with lock-out, users, PIN approvals and API tokens."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ewarung import audit
from ewarung.auth.models import ROLES, ApiToken, User
from ewarung.db import utcnow
from ewarung.errors import N_, AppError, Conflict, Forbidden, Unauthorized, ValidationFailed
from ewarung.text import writable

log = logging.getLogger("ewarung.auth")

MAX_FAILURES = 5
LOCK_DURATION = timedelta(minutes=1)
PIN_RE = re.compile(r"^\d{4,6}$")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 8
TOKEN_PREFIX = "ewt_"


class AccountLocked(AppError):
    code = "account_locked"
    status = 429
    template = N_("Terlalu banyak percobaan salah. Akun dikunci, coba lagi dalam 1 menit.")


class BadCredentials(Unauthorized):
    template = N_("Nama pengguna, kata sandi atau PIN salah.")


_hashers = {"default": PasswordHasher(), "cheap": PasswordHasher.from_parameters(
    profiles.CHEAPEST)}
_hasher = _hashers["default"]


def use_hash_profile(name: str) -> None:
    """Pick the argon2 cost: "default" in production, "cheap" only for tests."""
    global _hasher
    _hasher = _hashers[name]


def hash_secret(secret: str) -> str:
    """An argon2id hash of a password or PIN."""
    return _hasher.hash(secret)


def verify_secret(stored: str | None, given: str) -> bool:
    """Whether `given` matches the stored hash (always spends the hashing time)."""
    if not stored:
        _hasher.hash(given)  # same time as a real check, so unknown users are not revealed
        return False
    try:
        return _hasher.verify(stored, given)
    except (VerificationError, InvalidHashError):
        return False


def create_user(session: Session, username: str, role: str, *, full_name: str = "",
                pin: str | None = None, password: str | None = None) -> User:
    """Add a user after checking the credential rules of its role."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise ValidationFailed.field("username", N_(
            "Nama pengguna 2–40 huruf kecil, angka, titik, garis bawah atau tanda hubung."))
    if role not in ROLES:
        raise ValidationFailed.field("role", N_("Peran tidak dikenal."))
    writable(full_name, "full_name")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(N_("Nama pengguna %(username)s sudah dipakai."), username=username)
    if pin is not None and not PIN_RE.match(pin):
        raise ValidationFailed.field("pin", N_("PIN harus 4 sampai 6 angka."))
    if password is not None and len(password) < MIN_PASSWORD:
        raise ValidationFailed.field("password", N_("Kata sandi minimal 8 karakter."))
    if role == "cashier" and pin is None:
        raise ValidationFailed.field("pin", N_("Kasir masuk dengan PIN; isi PIN."))
    if role != "cashier" and password is None:
        raise ValidationFailed.field("password", N_("Manajer dan admin perlu kata sandi."))
    user = User(username=username, role=role, full_name=full_name or username,
                pin_hash=hash_secret(pin) if pin else None,
                password_hash=hash_secret(password) if password else None)
    session.add(user)
    session.flush()
    audit.record(session, "user.create", entity="user", entity_id=user.id,
                 after={"username": username, "role": role})
    return user


def authenticate(session: Session, username: str, *, password: str | None = None,
                 pin: str | None = None) -> User:
    """Check a password or a PIN; count failures and lock after five in a row.

    Failures are recorded in `session`; the caller commits them even though it
    answers with an error.
    """
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        audit.record(session, "auth.refused_locked", entity="user", entity_id=user.id,
                     actor_id=user.id)
        log.warning("sign-in refused: user %s is locked", user.username)
        raise AccountLocked(details={"retry_after": int((user.locked_until - now)
                                                        .total_seconds()) + 1})
    if pin is not None:
        stored = user.pin_hash if user is not None and user.role == "cashier" else None
        ok = verify_secret(stored, pin)
    else:
        stored = user.password_hash if user is not None and user.role != "cashier" else None
        ok = verify_secret(stored, password or "")
    if user is None or not user.active or not ok:
        _record_failure(session, user, username)
        raise BadCredentials()
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(session, "auth.login", entity="user", entity_id=user.id, actor_id=user.id)
    return user


def _record_failure(session: Session, user: User | None, username: str) -> None:
    if user is None:
        audit.record(session, "auth.login_failed", note=f"unknown user {username[:40]!r}")
        log.warning("sign-in failed for unknown user %r", username[:40])
        return
    user.failed_attempts += 1
    audit.record(session, "auth.login_failed", entity="user", entity_id=user.id,
                 after={"failed_attempts": user.failed_attempts})
    log.warning("sign-in failed for %s (%d in a row)", user.username, user.failed_attempts)
    if user.failed_attempts >= MAX_FAILURES:
        user.locked_until = utcnow() + LOCK_DURATION
        user.failed_attempts = 0
        audit.record(session, "auth.locked", entity="user", entity_id=user.id,
                     after={"locked_until": user.locked_until.isoformat()})
        log.warning("user %s locked for %s", user.username, LOCK_DURATION)


def verify_approver(session: Session, username: str, pin: str, role: str = "manager") -> User:
    """The user who approves an action with their PIN (or password); must reach `role`.

    Uses the same lock-out as sign-in, so approvals cannot be guessed either.
    """
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.has_role(role):
        verify_secret(None, pin)
        raise Forbidden(N_("Persetujuan perlu PIN seorang manajer."))
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked()
    if verify_secret(user.pin_hash, pin) or verify_secret(user.password_hash, pin):
        user.failed_attempts = 0
        return user
    _record_failure(session, user, username)
    raise Forbidden(N_("PIN manajer salah."))


def create_token(session: Session, user: User) -> str:
    """A new bearer token for `user`; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), prefix=token[:12]))
    audit.record(session, "token.create", entity="user", entity_id=user.id)
    return token


def token_digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


# Every API request asks this: one statement, built once (it memoises its cache key).
_TOKEN_USER = (select(User).join(ApiToken, ApiToken.user_id == User.id)
               .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None),
                      User.active.is_(True)))


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a non-revoked token belongs to."""
    user: User | None = session.scalar(_TOKEN_USER, {"digest": token_digest(token)})
    return user
