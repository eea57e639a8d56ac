"""Wrong PINs sent at once are counted one by one: over real HTTP (waitress) from many
threads and addresses, at most five are ever checked before the user is locked."""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from ewarung.audit import AuditEvent
from tests.factories import PIN, make_user
from tests.pos.conftest import LiveServer

pytestmark = pytest.mark.slow


@pytest.fixture
def live(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app)
    yield server
    server.stop()


def _login(port: int, address: str, pin: str) -> tuple[int, str | None]:
    """Sign in from `address` (any 127.x.y.z is this machine); (status, error code)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60,
                                      source_address=(address, 0))
    try:
        conn.request("POST", "/api/v1/auth/login", json.dumps({"username": "siti", "pin": pin}),
                     {"Content-Type": "application/json"})
        resp = conn.getresponse()
        body = json.loads(resp.read() or b"null")
        return resp.status, (body.get("error") or {}).get("code")
    finally:
        conn.close()


def _address(n: int) -> str:
    return f"127.0.{n // 250}.{n % 250 + 2}"


def _checked(db: Any) -> int:
    """How many wrong PINs were really compared (each leaves one audit row)."""
    with db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "auth.login_failed"))


@pytest.mark.parametrize("spread", [True, False], ids=["30 addresses", "one address"])
def test_thirty_wrong_pins_at_once_are_checked_five_times(live, db, spread):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    start = threading.Barrier(30)

    def attempt(n: int) -> tuple[int, str | None]:
        start.wait()
        return _login(live.port, _address(n if spread else 0), "0000")

    with ThreadPoolExecutor(30) as pool:
        answers = Counter(pool.map(attempt, range(30)))
    assert answers[(401, "unauthorized")] == 5, answers
    if spread:  # the user's count stops the crowd
        assert answers[(429, "account_locked")] == 25, answers
    else:  # the address's count stops it first; once locked, the account is named
        assert answers[(429, "too_many_attempts")] + answers[(429, "account_locked")] == 25
    assert _checked(db) == 5
    assert _login(live.port, _address(99), PIN) == (429, "account_locked")


def test_a_steady_stream_from_sixteen_workers_is_checked_five_times(live, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    numbers = iter(range(40))
    lock = threading.Lock()
    answers: Counter[tuple[int, str | None]] = Counter()

    def worker() -> None:
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            answer = _login(live.port, _address(n), "0000")
            with lock:
                answers[answer] += 1

    with ThreadPoolExecutor(16) as pool:
        for _ in range(16):
            pool.submit(worker)
    assert answers[(401, "unauthorized")] == 5, answers
    assert answers[(429, "account_locked")] == 35, answers
    assert _checked(db) == 5
