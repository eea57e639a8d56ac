"""The print worker: sends queued jobs, oldest first, one connection per job, with backoff.

Each job is claimed in a short transaction, sent with no transaction open (a slow printer
never holds the database), and its outcome recorded in another. `process_pending` does one
pass and is what the tests call; `PrintWorker` runs it in a thread for `ewarung serve`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ewarung.db import Database, utcnow
from printer.models import PrintJob
from printer.queue import register_waker, render_job, unregister_waker
from printer.transport import IO_TIMEOUT_S, parse_target, send

log = logging.getLogger("printer.worker")

#: attempts before a job is marked failed (about three minutes of backoff in all)
MAX_ATTEMPTS = 8
MAX_BACKOFF_S = 60
#: seconds between looks at the queue when nothing wakes the worker (jobs of other processes)
IDLE_POLL_S = 5.0


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1 s, 2 s, 4 s, ... at most a minute."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_S))


@dataclass(frozen=True)
class _Claimed:
    id: int
    kind: str
    target: str
    profile: str
    #: None: a receipt still to be rendered (outside any transaction)
    data: bytes | None
    job: PrintJob
    expires_at: datetime | None


def _claim(db: Database, now: datetime) -> _Claimed | None:
    """Take the oldest due job (dropping expired drawer kicks on the way)."""
    with db.unit_of_work() as s:
        while True:
            job = s.scalars(
                select(PrintJob).where(PrintJob.state == "queued", PrintJob.not_before <= now)
                .order_by(PrintJob.id).limit(1).with_for_update(skip_locked=True)).first()
            if job is None:
                return None
            if job.expires_at is not None and job.expires_at <= now:
                job.state = "dropped"
                job.last_error = "expired before it could be sent"
                log.info("dropped job %s (%s): expired", job.id, job.kind)
                s.flush()
                continue
            job.state = "printing"
            job.attempts += 1
            return _Claimed(job.id, job.kind, job.target, job.profile, job.data, job,
                            job.expires_at)


def _send(job: _Claimed, data: bytes, now: datetime) -> None:
    target = parse_target(job.target)
    if target is None:
        raise RuntimeError("printing is switched off for this job's target")
    timeout = IO_TIMEOUT_S
    if job.expires_at is not None:
        # A drawer kick may not wait for a slow connection beyond its limit either.
        timeout = min(timeout, (job.expires_at - now).total_seconds())
        if timeout <= 0:
            raise TimeoutError("expired before it could be sent")
    send(target, data, job.profile, timeout=timeout)


def _record(db: Database, job: _Claimed, error: Exception | None, now: datetime,
            rendered: bytes | None) -> None:
    with db.unit_of_work() as s:
        row = s.get(PrintJob, job.id)
        if row is None:
            return
        if rendered is not None:
            row.data = rendered  # every later attempt and reprint sends these very bytes
        if error is None:
            row.state, row.printed_at, row.last_error = "done", utcnow(), None
            # The printer is back: what waited in backoff for it may go now, in order.
            s.execute(update(PrintJob).where(
                PrintJob.state == "queued", PrintJob.target == job.target,
                PrintJob.not_before > now).values(not_before=now))
            return
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        retry_at = now + backoff(row.attempts)
        if row.expires_at is not None and retry_at >= row.expires_at:
            row.state = "dropped"
        elif row.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
        else:
            row.state, row.not_before = "queued", retry_at
        log.warning("print job %s attempt %s failed (%s): %s", row.id, row.attempts,
                    row.state, row.last_error)


def process_one(db: Database, now: datetime | None = None) -> bool:
    """Print the oldest due job, if any; whether there was one."""
    moment = now or utcnow()
    job = _claim(db, moment)
    if job is None:
        return False
    rendered = None
    error: Exception | None = None
    try:
        data = job.data
        if data is None:
            data = rendered = render_job(job.job)
        _send(job, data, moment)
    except Exception as exc:  # every transport raises its own kinds of error
        error = exc
    _record(db, job, error, now or utcnow(), rendered)
    return True


def process_pending(db: Database, now: datetime | None = None) -> float | None:
    """Print every due job; the seconds until the next queued job is due (None: queue empty).

    `now` fixes the clock (for tests of expiry and backoff); by default the real time.
    """
    while process_one(db, now):
        pass
    with db.unit_of_work(write=False) as s:
        due = s.scalar(select(PrintJob.not_before).where(PrintJob.state == "queued")
                       .order_by(PrintJob.not_before).limit(1))
    if due is None:
        return None
    return max((due - (now or utcnow())).total_seconds(), 0.0)


def recover_interrupted(db: Database) -> int:
    """Requeue jobs a stopped process left half-sent (a whole job prints again); drop kicks."""
    with db.unit_of_work() as s:
        stuck = s.scalars(select(PrintJob).where(PrintJob.state == "printing")).all()
        for job in stuck:
            job.state = "dropped" if job.kind == "drawer" else "queued"
        return len(stuck)


class PrintWorker:
    """A daemon thread running `process_pending`, woken by commits that queue jobs."""

    def __init__(self, db: Database, idle_poll: float = IDLE_POLL_S) -> None:
        self.db = db
        self.idle_poll = idle_poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="print-worker", daemon=True)

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread.is_alive()

    def start(self) -> PrintWorker:
        """Recover interrupted jobs, then start printing."""
        recover_interrupted(self.db)
        register_waker(self.db.engine, self.wake)
        self._thread.start()
        return self

    def wake(self) -> None:
        """Look at the queue now."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the job in hand and stop."""
        unregister_waker(self.db.engine, self.wake)
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                due = process_pending(self.db)
            except Exception:  # the database may be briefly unreachable: try again later
                log.exception("print worker pass failed")
                due = self.idle_poll
            wait = self.idle_poll if due is None else min(due, self.idle_poll)
            self._wake.wait(wait)
