"""The shop's days and months: local dates and the UTC instants that bound them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ewarung.db import utcnow
from ewarung.errors import N_, ValidationFailed
from ewarung.shop import shop_timezone

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")

#: a moment the stock records are written at instead of now (the demo's history)
_moment: ContextVar[datetime | None] = ContextVar("inventory_moment", default=None)


def now() -> datetime:
    """When stock movements and receipts happen: now, unless `happening_at` says otherwise."""
    return _moment.get() or utcnow()


@contextmanager
def happening_at(moment: datetime) -> Iterator[None]:
    """Record what is done inside at `moment` (aware): used to build a shop's history."""
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)


def shop_today(session: Session) -> date:
    """Today in the shop's time zone (or the day of `happening_at`)."""
    return now().astimezone(shop_timezone(session)).date()


def parse_month(raw: str | None, field: str = "month") -> date:
    """The first day of a month given as YYYY-MM."""
    match = MONTH_RE.match((raw or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise ValidationFailed.field(field, N_("Bulan ditulis YYYY-MM, misalnya 2026-11."))
    return date(int(match[1]), int(match[2]), 1)


def next_month(first: date) -> date:
    """The first day of the following month."""
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def previous_months(first: date, count: int) -> list[date]:
    """`count` months ending with `first`, oldest first."""
    months = [first]
    for _ in range(count - 1):
        prev = months[-1] - timedelta(days=1)
        months.append(prev.replace(day=1))
    return list(reversed(months))


def day_start_utc(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant a local day begins."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(ZoneInfo("UTC"))


def month_label(first: date) -> str:
    """YYYY-MM."""
    return f"{first.year:04d}-{first.month:02d}"
