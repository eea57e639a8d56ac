"""How many wrong PINs and passwords are allowed, from where, and how long a lock-out lasts.

Every attempt counts against two keys, its *source* and its *target*:

- source: for a sign-in, the address it comes from (`address:A`); for a manager's approval
  of a cashier's action, the signed-in cashier (`actor:C`);
- target: the user whose credential is tried. From an address where that user signed in
  within the last 30 days, that user at that address (`user:U@A`), and then only that
  key: a cashier mistyping her PIN at the till must not hold up the next cashier there.
  From anywhere else the user's shared key (`user:U`). An approval counts against the
  manager as approver for that cashier (`approver:U~C`).

Five wrong credentials in a row on a key lock it: one minute the first time, twice as
long each time after (2, 4, 8 ... minutes) up to an hour. A right credential resets the
keys it was counted against; a lock-out that ended more than a day ago is forgotten (the
doubling starts over). A locked source is answered 429 `too_many_attempts`, a locked
target 429 `account_locked`, both with Retry-After. The source is asked first: an attempt
refused at its source counts against nobody.

What follows:
- Guessing: five guesses per key per lock-out, at most about 120 a day once at the cap
  (a fixed minute allowed 7,200); an address counts across all the users it tries.
- A stranger can lock a user out of places where the user has not signed in lately, but
  never out of an address the user signed in from in the last 30 days: that address has
  its own count. The manager's own PC and the till keep working while someone hammers the
  sign-in from elsewhere. An admin's "unlock" ends every lock-out of the user and every
  address throttle at once (the doubling goes on: a lock-out after it is not shorter).
- A cashier sending wrong approvals holds back only that cashier's approvals; the manager
  still signs in, and approves at another cashier's till.
- The count goes up before the slow hash is checked, in one statement that skips a locked
  key or one with five attempts counted (in flight or failed): concurrent attempts
  cannot pass five per lock-out, on PostgreSQL as on SQLite. Sign-in commits that count
  before checking, so no lock is held while the hash is computed.
- Behind a reverse proxy every request shows the proxy's address and the address keys act
  as one; the shop is meant to be served directly on its own network.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ewarung import audit
from ewarung.auth.models import SignInLimit
from ewarung.errors import N_, AppError

log = logging.getLogger("ewarung.auth")

MAX_FAILURES = 5
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(hours=1)
#: a lock-out that ended this long ago no longer doubles the next one
FORGET_AFTER = timedelta(days=1)
#: how long an address stays the user's own after a right credential from it
TRUST_FOR = timedelta(days=30)


class AccountLocked(AppError):
    code = "account_locked"
    status = 429
    template = N_("Terlalu banyak percobaan salah. Akun dikunci, coba lagi dalam "
                  "%(minutes)s menit.")


class TooManyAttempts(AppError):
    code = "too_many_attempts"
    status = 429
    template = N_("Terlalu banyak percobaan salah dari sini. Coba lagi dalam %(minutes)s menit.")


@dataclass(frozen=True)
class Key:
    """One count: its name, and the user it is about (None for an address or actor)."""

    name: str
    user_id: int | None = None
    #: a user's own key at an address trusted for them (counted alone, see above)
    trusted: bool = False


@dataclass
class Attempt:
    """An attempt counted against its keys (source first) before it is checked."""

    now: datetime
    keys: list[Key] = field(default_factory=list)
    #: the number of attempts counted on the target, this one included
    failures: int = 0


def address_key(address: str | None) -> Key:
    """The source key of a sign-in from `address`."""
    return Key(f"address:{address or 'unknown'}")


def actor_key(user_id: int) -> Key:
    """The source key of approvals sent by the signed-in user `user_id`."""
    return Key(f"actor:{user_id}", user_id)


def approver_key(manager_id: int, actor_id: int) -> Key:
    """The target key of `manager_id`'s credential tried for the actor `actor_id`."""
    return Key(f"approver:{manager_id}~{actor_id}", manager_id)


def own_key(user_id: int, address: str | None) -> Key:
    """The key of `user_id` at `address`, trusted after a right credential from there."""
    return Key(f"user:{user_id}@{address or 'unknown'}", user_id)


def user_key(session: Session, user_id: int, address: str | None, now: datetime) -> Key:
    """The target key of a sign-in as `user_id` from `address` (see the policy above)."""
    own = own_key(user_id, address)
    last = session.scalar(select(SignInLimit.last_success_at).where(SignInLimit.key == own.name))
    if last is not None and last > now - TRUST_FOR:
        return Key(own.name, user_id, trusted=True)
    return Key(f"user:{user_id}", user_id)


def lock_duration(level: int) -> timedelta:
    """How long the `level`-th lock-out in a row lasts."""
    return min(FIRST_LOCK * 2 ** (level - 1), MAX_LOCK)


def begin(session: Session, source: Key | None, target: Key | None, now: datetime, *,
          target_error: type[AppError] = AccountLocked) -> Attempt:
    """Count an attempt against `source`, then `target`; raise if either is locked.

    A locked target raises `target_error` (approvals say "too many attempts": the manager
    is not locked out), also when the source is locked too.
    """
    attempt = Attempt(now)
    if source is not None:
        if _reserve(session, source, now) is None:
            if target is not None and _time_left(session, target, now, full=False):
                raise _refusal(target_error, _time_left(session, target, now))
            raise _refusal(TooManyAttempts, _time_left(session, source, now))
        attempt.keys.append(source)
    if target is not None:
        counted = _reserve(session, target, now)
        if counted is None:
            failed(session, attempt)  # asking for a locked account counts for the asker
            raise _refusal(target_error, _time_left(session, target, now))
        attempt.keys.append(target)
        attempt.failures = counted
    return attempt


def failed(session: Session, attempt: Attempt) -> None:
    """The credential was wrong: it stays counted; lock every key that reached the limit."""
    for key in attempt.keys:
        row = session.execute(select(SignInLimit.failures, SignInLimit.level,
                                     SignInLimit.locked_until)
                              .where(SignInLimit.key == key.name).with_for_update()).one()
        locked = row.locked_until is not None and row.locked_until > attempt.now
        if row.failures < MAX_FAILURES or locked:
            continue
        forgotten = row.locked_until is not None and \
            row.locked_until < attempt.now - FORGET_AFTER
        level = 1 if forgotten else row.level + 1
        until = attempt.now + lock_duration(level)
        session.execute(update(SignInLimit).where(SignInLimit.key == key.name)
                        .values(failures=0, level=level, locked_until=until))
        log.warning("%s locked for %s (lock-out %d in a row)", key.name, until - attempt.now,
                    level)
        audit.record(session, "auth.locked", entity="user" if key.user_id else None,
                     entity_id=key.user_id, note=key.name,
                     after={"locked_until": until.isoformat(),
                            "lock_seconds": int(lock_duration(level).total_seconds())})


def succeeded(session: Session, attempt: Attempt, trusted: Key | None = None) -> None:
    """The credential was right: reset its keys, and trust `trusted` from now on."""
    keys = list(attempt.keys)
    if trusted is not None and trusted.name not in {k.name for k in keys}:
        _ensure(session, trusted)
        keys.append(trusted)
    for key in keys:  # one by one, in the order `begin` locked them: no deadlock
        session.execute(update(SignInLimit).where(SignInLimit.key == key.name).values(
            failures=0, level=0, locked_until=None, last_success_at=attempt.now))


def unlock(session: Session, user_id: int) -> None:
    """End every lock-out of `user_id` and every address throttle (the levels stay)."""
    session.execute(update(SignInLimit).where(
        (SignInLimit.user_id == user_id) | SignInLimit.key.startswith("address:"))
        .values(failures=0, locked_until=None))


def locked_users(session: Session, now: datetime) -> set[int]:
    """The users locked out of signing in somewhere at `now`."""
    return set(session.scalars(select(SignInLimit.user_id).where(
        SignInLimit.key.startswith("user:"), SignInLimit.locked_until > now)))


def _reserve(session: Session, key: Key, now: datetime) -> int | None:
    """Count one attempt on `key` in one statement; None when it is locked or full."""
    _ensure(session, key)
    counted: int | None = session.scalar(
        update(SignInLimit)
        .where(SignInLimit.key == key.name, SignInLimit.failures < MAX_FAILURES,
               (SignInLimit.locked_until.is_(None)) | (SignInLimit.locked_until <= now))
        .values(failures=SignInLimit.failures + 1)
        .returning(SignInLimit.failures))
    return counted


def _ensure(session: Session, key: Key) -> None:
    """The row of `key`, made if missing (two requests may make it at once)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(SignInLimit)
                    .values(key=key.name, user_id=key.user_id, failures=0, level=0)
                    .on_conflict_do_nothing(index_elements=["key"]))


def _time_left(session: Session, key: Key, now: datetime, *, full: bool = True) -> timedelta:
    """How long `key` stays locked; with `full`, a key with five checks running (none
    locked yet) counts as locked for a second, else as free (zero)."""
    until = session.scalar(select(SignInLimit.locked_until).where(SignInLimit.key == key.name))
    if until is not None and until > now:
        return until - now
    return timedelta(seconds=1) if full else timedelta(0)


def _refusal(error: type[AppError], left: timedelta) -> AppError:
    """`error` saying when to try again: whole minutes for people, seconds for Retry-After."""
    seconds = max(1, math.ceil(left.total_seconds()))
    return error(details={"retry_after": seconds}, minutes=math.ceil(seconds / 60))
