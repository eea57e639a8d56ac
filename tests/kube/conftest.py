"""Fixtures of the KUBE tests: a generated month of shop life, and SQL helpers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Date, DateTime, bindparam, text

from tests.kube.month import FIRST, Month, at, build_month

#: the UTC instants October 2026 begins and ends in the shop (WIB)
START = at(FIRST, 0)
END = at(date(2026, 11, 1), 0)


@pytest.fixture
def month(app: Any, db: Any) -> Month:
    """October 2026 with a planted bundle, on the current backend."""
    with app.app_context(), db.unit_of_work() as s:
        return build_month(s, app, bundle=True)


def sql(session: Any, query: str, **params: Any) -> list[Any]:
    """Rows of a plain SQL query; `start` and `end` bind as timestamps."""
    stmt = text(query)
    for name, kind in (("start", DateTime()), ("end", DateTime()), ("first", Date()),
                       ("last", Date())):
        if f":{name}" in query:
            stmt = stmt.bindparams(bindparam(name, type_=kind))
    values = {"start": START.replace(tzinfo=None), "end": END.replace(tzinfo=None),
              "first": date(2026, 10, 1), "last": date(2026, 10, 31), **params}
    rows = session.execute(stmt, {k: v for k, v in values.items() if f":{k}" in query})
    # PostgreSQL sums integers as numeric: whole Decimals come back as int, as on SQLite
    return [tuple(int(v) if isinstance(v, Decimal) and v == int(v) else v for v in row)
            for row in rows]


def one(session: Any, query: str, **params: Any) -> Any:
    """The single value of a plain SQL query (0 for NULL)."""
    value = sql(session, query, **params)[0][0]
    return 0 if value is None else value
