"""Sign-in within the lock-out rules, users, PIN approvals and API tokens."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from datetime import datetime

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ewarung import audit
from ewarung.auth import limits
from ewarung.auth.models import ROLES, ApiToken, User
from ewarung.db import utcnow
from ewarung.errors import N_, AppError, Conflict, Forbidden, Unauthorized, ValidationFailed
from ewarung.text import writable

log = logging.getLogger("ewarung.auth")

PIN_RE = re.compile(r"^\d{4,6}$")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 8
TOKEN_PREFIX = "ewt_"


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
                 pin: str | None = None, address: str | None = None,
                 counted: Callable[[], None] | None = None) -> User:
    """Check a password or a PIN sent from `address`, within `ewarung.auth.limits`.

    The attempt is counted before the slow hash check; `counted` (the caller's commit)
    runs in between, so no lock is held while hashing. Failures are recorded in `session`:
    the caller commits them even though it answers with an error.
    """
    now = utcnow()
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    target = limits.user_key(session, user.id, address, now) if user is not None else None
    source = None if target is not None and target.trusted else limits.address_key(address)
    attempt = _begin(session, source, target, user, username, now)
    if counted is not None:
        counted()
    if pin is not None:
        stored = user.pin_hash if user is not None and user.role == "cashier" else None
        ok = verify_secret(stored, pin)
    else:
        stored = user.password_hash if user is not None and user.role != "cashier" else None
        ok = verify_secret(stored, password or "")
    if user is None or not user.active or not ok:
        limits.failed(session, attempt)
        _record_failure(session, user, username, attempt, address)
        raise BadCredentials()
    limits.succeeded(session, attempt, trusted=limits.own_key(user.id, address))
    user.last_login_at = now
    audit.record(session, "auth.login", entity="user", entity_id=user.id, actor_id=user.id,
                 after={"address": address})
    return user


def _begin(session: Session, source: limits.Key | None, target: limits.Key | None,
           user: User | None, username: str, now: datetime,
           target_error: type[AppError] = limits.AccountLocked) -> limits.Attempt:
    """`limits.begin`, recording a refusal in the audit log and the server log."""
    try:
        return limits.begin(session, source, target, now, target_error=target_error)
    except limits.TooManyAttempts:
        assert source is not None
        audit.record(session, "auth.throttled", note=f"{source.name} as {username[:40]!r}")
        log.warning("attempt refused: %s is throttled", source.name)
        raise
    except limits.AccountLocked:
        assert user is not None
        where = source.name if source is not None else "own address"
        audit.record(session, "auth.refused_locked", entity="user", entity_id=user.id,
                     actor_id=user.id, note=where)
        log.warning("attempt refused: user %s is locked (%s)", user.username, where)
        raise


def _record_failure(session: Session, user: User | None, username: str,
                    attempt: limits.Attempt, address: str | None) -> None:
    if user is None:
        audit.record(session, "auth.login_failed", note=f"unknown user {username[:40]!r}",
                     after={"address": address})
        log.warning("sign-in failed for unknown user %r from %s", username[:40], address)
        return
    audit.record(session, "auth.login_failed", entity="user", entity_id=user.id,
                 after={"failures": attempt.failures, "address": address})
    log.warning("sign-in failed for %s from %s (%d in a row)", user.username, address,
                attempt.failures)


def verify_approver(session: Session, username: str, pin: str, role: str = "manager", *,
                    actor_id: int | None = None, address: str | None = None) -> User:
    """The user who approves an action with their PIN (or password); must reach `role`.

    Counted against the signed-in `actor_id` who asks and the approver for that actor (see
    `ewarung.auth.limits`), so wrong approvals hold back their sender, not the manager.
    """
    now = utcnow()
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    approver = user if user is not None and user.active and user.has_role(role) else None
    source = limits.actor_key(actor_id) if actor_id is not None else \
        limits.address_key(address)
    target = limits.approver_key(approver.id, actor_id or 0) if approver else None
    attempt = _begin(session, source, target, approver, username, now,
                     target_error=limits.TooManyAttempts)  # the manager is not locked out
    if approver is None:
        verify_secret(None, pin)
        limits.failed(session, attempt)
        raise Forbidden(N_("Persetujuan perlu PIN seorang manajer."))
    if verify_secret(approver.pin_hash, pin) or verify_secret(approver.password_hash, pin):
        limits.succeeded(session, attempt)
        return approver
    limits.failed(session, attempt)
    audit.record(session, "auth.approval_failed", entity="user", entity_id=approver.id,
                 actor_id=actor_id, after={"failures": attempt.failures})
    log.warning("approval by %s failed (%d in a row, asked by user %s)", approver.username,
                attempt.failures, actor_id)
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
