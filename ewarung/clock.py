"""The shop's days and months: local dates and the UTC instants that bound them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ewarung.db import utcnow
from ewarung.errors import N_, ValidationFailed
from ewarung.fields import Parsed
from ewarung.shop import shop_timezone

MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")
#: the months the shop can have records of: BPNT began in 2017, and a report, a credit or a
#: filter outside these is a typing mistake (beyond 9999-12 the calendar itself ends)
FIRST_MONTH = date(2000, 1, 1)
LAST_MONTH = date(2099, 12, 1)

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


def parse_month(raw: Any, field: str = "month") -> date:
    """The first day of a month given as YYYY-MM, from 2000-01 to 2099-12."""
    match = MONTH_RE.match(raw.strip()) if isinstance(raw, str) else None
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValidationFailed.field(field, N_("Bulan ditulis TTTT-BB, misalnya 2026-11."))
    first = date(int(match[1]), int(match[2]), 1)
    if not FIRST_MONTH <= first <= LAST_MONTH:
        raise ValidationFailed.field(field, N_(
            "Bulan %(month)s di luar jangkauan: pilih bulan antara %(first)s dan %(last)s."),
            month=match[0], first=month_label(FIRST_MONTH), last=month_label(LAST_MONTH))
    return first


def month_text(raw: Any, field: str = "month") -> str:
    """A month as YYYY-MM, checked by `parse_month`."""
    return month_label(parse_month(raw, field))


#: a month in an API schema: YYYY-MM, 2000-01 to 2099-12
MonthText = Annotated[str, Parsed(month_text, {
    "type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$", "description": "YYYY-MM"})]


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
