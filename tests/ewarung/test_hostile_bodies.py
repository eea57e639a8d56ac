"""Bodies that cannot be parsed answer 400 `bad_request`, cheaply, and the log stays small."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.factories import make_token
from tests.helpers import error_code

DEEP = "[" * 1000
JSON_ENDPOINTS = ["/api/v1/auth/login", "/api/v1/sales", "/api/v1/products",
                  "/api/v1/entitlements", "/api/v1/stocktakes", "/api/v1/goods-receipts",
                  "/api/v1/shifts", "/api/v1/expenses"]


@pytest.fixture
def bearer(db):
    with db.unit_of_work() as s:
        return {"Authorization": f"Bearer {make_token(s, 'admin')}"}


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_a_deeply_nested_body_answers_bad_request(client, bearer, path):
    resp = client.post(path, data=DEEP, content_type="application/json", headers=bearer)
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]
    assert error_code(resp) == "bad_request"


@pytest.mark.parametrize("body", [
    b"{\"username\": ", b"{\"a\": \"\xff\xfe\"}", b"\xff\xfe{\x00}", b"[" * 100_000,
    b"{\"a\": " + b"9" * 5000 + b"}", b"{" * 1000,
])
def test_an_unreadable_body_answers_bad_request(client, bearer, body):
    resp = client.post("/api/v1/auth/login", data=body, content_type="application/json",
                       headers=bearer)
    assert resp.status_code == 400
    assert error_code(resp) == "bad_request"


def log_size(app) -> int:
    logs = Path(app.extensions["ewarung.config"].data_dir) / "logs"
    return sum(p.stat().st_size for p in logs.glob("ewarung.log*"))


def test_two_thousand_bad_requests_leave_the_log_small(app, client):
    for _ in range(2000):
        resp = client.post("/api/v1/auth/login", data=DEEP, content_type="application/json")
        assert resp.status_code == 400
    for handler in logging.getLogger("ewarung").handlers:
        handler.flush()
    assert log_size(app) < 8_000


def test_repeated_errors_are_written_once_then_counted(app):
    log = logging.getLogger("ewarung.errors")
    for i in range(500):
        try:
            raise RuntimeError(f"the same failure, request {i}")
        except RuntimeError:
            log.exception("unhandled error on %s %s", "POST", f"/api/v1/sales/{i}")
    log.error("something else")
    for handler in logging.getLogger("ewarung").handlers:
        handler.flush()
    text = (Path(app.extensions["ewarung.config"].data_dir) / "logs" / "ewarung.log").read_text()
    assert text.count("Traceback") == 1
    assert "something else" in text
    assert log_size(app) < 8_000


class Collect(logging.Handler):
    """Keeps what it is given (the filter under test guards it)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_once_the_window_is_over_one_line_says_how_often_the_error_repeated():
    from ewarung.logs import QuietRepeats

    clock = [1000.0]
    quiet = QuietRepeats(window=60.0, clock=lambda: clock[0])
    out = Collect()
    out.addFilter(quiet)
    quiet.handler = out

    def error(path: str) -> logging.LogRecord:
        return logging.LogRecord("ewarung.errors", logging.ERROR, __file__, 1,
                                 "failed on %s", (path,), None)

    for i in range(4):
        out.handle(error(f"/x/{i}"))
    out.handle(logging.LogRecord("ewarung", logging.INFO, __file__, 1, "sale 7", (), None))
    assert out.lines == ["failed on /x/0", "sale 7"]
    clock[0] += 61
    out.handle(error("/x/9"))
    assert out.lines[2:] == ["the error 'failed on %s' repeated 3 more times within 60 s",
                             "failed on /x/9"]
    out.handle(error("/x/10"))
    quiet.flush()
    assert out.lines[4:] == ["the error 'failed on %s' repeated 1 more times within 60 s"]


def test_the_log_rotates_by_size(database_url, tmp_path):
    app = make_app(tmp_path / "data", database_url, log_max_bytes=20_000, log_backups=2)
    try:
        log = logging.getLogger("ewarung")
        for i in range(3000):
            log.info("sale number %d %s", i, "x" * 40)
        logs = tmp_path / "data" / "logs"
        names = sorted(p.name for p in logs.glob("ewarung.log*"))
        assert names == ["ewarung.log", "ewarung.log.1", "ewarung.log.2"]
        assert all(p.stat().st_size <= 20_000 for p in logs.glob("ewarung.log*"))
    finally:
        app.extensions["ewarung.db"].dispose()
