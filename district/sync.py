"""The outlet's push: pending outbox events to the district, in order, until it holds them.

Each round sends the oldest pending events (at most `batch` of them) and marks as pushed
every event up to the `held_through` the district answers. A district that answers a
lower `held_through` than this outlet thought (its database was restored) gets the events
above it again. Network errors and 5xx answers are retried with backoff; refusals (a
revoked key, a rewound outlet) stop the push with the district's code.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import httpx
from sqlalchemy import CursorResult, select, update

from district import wire
from ewarung.db import Database, utcnow
from ewarung.errors import N_, AppError
from ewarung.outbox import OutboxEvent, SyncState, pending_count

log = logging.getLogger("district.sync")

BATCH = 200
ATTEMPTS = 6
BACKOFF_S = 0.5
BACKOFF_MAX_S = 30.0


class NotJoined(AppError):
    code = "not_joined"
    status = 409
    template = N_("Outlet ini belum bergabung dengan dinas (ewarung sync join URL KUNCI).")


class DistrictRefused(AppError):
    code = "district_refused"
    status = 502
    template = N_("Dinas menolak: %(reason)s")


class DistrictUnreachable(AppError):
    code = "district_unreachable"
    status = 503
    template = N_("Dinas tidak dapat dihubungi: %(reason)s")


@dataclass
class PushResult:
    sent: int = 0
    stored: int = 0
    duplicates: int = 0
    held_through: int = 0
    pending: int = 0
    rounds: int = 0


def state(db: Database) -> SyncState | None:
    """This outlet's sync state (None before the join)."""
    with db.unit_of_work(write=False) as s:
        return s.get(SyncState, 1)


def _refusal(resp: httpx.Response) -> str:
    try:
        error = resp.json()["error"]
        return f"{error['code']} ({resp.status_code}): {error['message']}"
    except (ValueError, KeyError, TypeError):
        return f"HTTP {resp.status_code}"


def join(db: Database, url: str, key: str, *, ca_bundle: str | None = None,
         allow_http: bool = False) -> SyncState:
    """Check `key` against the district at `url` and remember both, with the outlet code
    the district answers."""
    base = wire.check_url(url, allow_http)
    try:
        with wire.client(ca_bundle) as http:
            resp = http.get(f"{base}/api/v1/district/whoami",
                            headers={"Authorization": f"Bearer {key}"})
    except httpx.HTTPError as exc:
        raise DistrictUnreachable(reason=str(exc) or type(exc).__name__) from exc
    if resp.status_code != 200:
        raise DistrictRefused(reason=_refusal(resp))
    answer = resp.json()
    with db.unit_of_work() as s:
        found = s.get(SyncState, 1)
        if found is None:
            found = SyncState(id=1)
            s.add(found)
        found.district_url, found.outlet_key = base, key
        found.outlet_code = str(answer["outlet"])
        found.ca_bundle, found.allow_http = ca_bundle, allow_http
        found.held_through = int(answer["held_through"])
        found.joined_at, found.last_error = utcnow(), None
    joined = state(db)
    assert joined is not None
    return joined


def _wire_event(e: OutboxEvent) -> dict[str, Any]:
    return {"seq": e.seq, "id": e.event_id, "kind": e.kind,
            "schema_version": e.schema_version, "occurred_at": e.occurred_at.isoformat(),
            "payload": e.payload}


def _note_error(db: Database, message: str) -> None:
    with db.unit_of_work() as s:
        s.execute(update(SyncState).where(SyncState.id == 1)
                  .values(last_error=message[:2000], last_error_at=utcnow()))


def _post(http: httpx.Client, st: SyncState, body: dict[str, Any], attempts: int,
          backoff: float, sleep: Callable[[float], None]) -> dict[str, Any]:
    """POST one batch, retrying what may pass later; returns the district's answer."""
    delay = backoff
    for attempt in range(1, attempts + 1):
        reason: str
        try:
            resp = http.post(f"{st.district_url}/api/v1/district/ingest", json=body,
                             headers={"Authorization": f"Bearer {st.outlet_key}"})
        except httpx.ConnectError as exc:
            if "CERTIFICATE" in str(exc).upper() or "SSL" in str(exc).upper():
                raise DistrictUnreachable(reason=f"certificate refused: {exc}") from exc
            reason = str(exc) or type(exc).__name__
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
        else:
            if resp.status_code == 200:
                answer: dict[str, Any] = resp.json()
                return answer
            if resp.status_code < 500 and resp.status_code != 429:
                raise DistrictRefused(reason=_refusal(resp))
            reason = _refusal(resp)
        log.warning("push attempt %d failed: %s", attempt, reason)
        if attempt == attempts:
            raise DistrictUnreachable(reason=reason)
        sleep(delay)
        delay = min(delay * 2, BACKOFF_MAX_S)
    raise AssertionError("unreachable")


def push(db: Database, *, batch: int = BATCH, attempts: int = ATTEMPTS,
         backoff: float = BACKOFF_S, sleep: Callable[[float], None] = time.sleep) -> PushResult:
    """Push every pending event in sequence order; returns the counts. Raises NotJoined,
    DistrictRefused or DistrictUnreachable (recorded as the last error)."""
    st = state(db)
    if st is None:
        raise NotJoined()
    result = PushResult(held_through=st.held_through)
    stalled = 0
    try:
        with wire.client(st.ca_bundle) as http:
            while True:
                with db.unit_of_work(write=False) as s:
                    events = s.scalars(select(OutboxEvent)
                                       .where(OutboxEvent.pushed_at.is_(None))
                                       .order_by(OutboxEvent.seq).limit(batch)).all()
                    wired = [_wire_event(e) for e in events]
                if not wired:
                    break
                answer = _post(http, st, {"events": wired,
                                          "sent_at": datetime.now(UTC).isoformat()},
                               attempts, backoff, sleep)
                held = int(answer["held_through"])
                result.rounds += 1
                result.sent += len(wired)
                result.stored += int(answer["stored"])
                result.duplicates += int(answer["duplicates"])
                result.held_through = held
                if _acknowledge(db, held):
                    stalled = 0
                else:  # nothing newly held: a district restored from an older backup
                    stalled += 1  # gets back what it lacks; one that never takes it stops us
                    if stalled > 3:
                        raise DistrictRefused(reason=f"held_through stays at {held}")
    except AppError as exc:
        _note_error(db, exc.message())
        raise
    with db.unit_of_work() as s:
        result.pending = pending_count(s)
        s.execute(update(SyncState).where(SyncState.id == 1)
                  .values(last_success_at=utcnow(), last_error=None))
    return result


def _acknowledge(db: Database, held: int) -> bool:
    """Mark events up to `held` pushed and put back those above it marked pushed (a
    district restored from an older backup); whether anything newly became held."""
    now = utcnow()
    with db.unit_of_work() as s:
        acked = cast(CursorResult[Any], s.execute(update(OutboxEvent).where(OutboxEvent.seq <= held,
                                                    OutboxEvent.pushed_at.is_(None))
                          .values(pushed_at=now))).rowcount
        s.execute(update(OutboxEvent).where(OutboxEvent.seq > held,
                                            OutboxEvent.pushed_at.is_not(None))
                  .values(pushed_at=None))
        s.execute(update(SyncState).where(SyncState.id == 1).values(held_through=held))
    return bool(acked)
