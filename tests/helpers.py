"""Test helpers: a client that signs in and carries the CSRF token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient


def shop_date(days: int = 0) -> date:
    """The shop's date (Asia/Jakarta, the default `shop.timezone`) `days` from today.

    Not `date.today()`: the machine's day is not the shop's between 17:00 and 24:00 UTC.
    """
    return datetime.now(ZoneInfo("Asia/Jakarta")).date() + timedelta(days=days)


class ApiClient:
    """Wraps Flask's test client; after `login` it sends the CSRF header on writes."""

    def __init__(self, client: FlaskClient) -> None:
        self.raw = client
        self.csrf: str | None = None
        self.token: str | None = None

    def login(self, username: str, *, password: str | None = None,
              pin: str | None = None) -> Any:
        body = {"username": username}
        body.update({"password": password} if password is not None else {"pin": pin or ""})
        resp = self.raw.post("/api/v1/auth/login", json=body)
        if resp.status_code == 200:
            self.csrf = resp.get_json()["csrf_token"]
        return resp

    def _headers(self, method: str, headers: dict[str, str] | None) -> dict[str, str]:
        out = dict(headers or {})
        if self.token:
            out.setdefault("Authorization", f"Bearer {self.token}")
        elif self.csrf and method not in ("GET", "HEAD"):
            out.setdefault("X-CSRFToken", self.csrf)
        return out

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        kwargs["headers"] = self._headers(method, kwargs.get("headers"))
        return self.raw.open(path, method=method, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


def error_code(resp: Any) -> str:
    """The `error.code` of an error answer (fails loudly on another shape)."""
    body = resp.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    return str(body["error"]["code"])


@contextmanager
def counted_statements(engine: Any) -> Iterator[list[str]]:
    """The SQL statements `engine` sends inside the block (to bound a page's queries)."""
    from sqlalchemy import event

    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)
